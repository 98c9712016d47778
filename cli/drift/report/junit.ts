// `--junit FILE`: a JUnit XML report for CI systems: one test suite per resource kind, one test case per
// resource; drift (changed, gone) is a failure, a resource that could not be read an error.
import junit, { TestSuite } from "junit-report-builder";
import { ResourceReport } from "../check";
import { Summary } from "../summary";
import { describeReport, Reporter } from "./reporter";

export class JunitReporter implements Reporter {
  private readonly builder = junit.newBuilder();
  private readonly suites = new Map<string, TestSuite>();

  constructor(private readonly file: string) {}

  add(report: ResourceReport): void {
    let suite = this.suites.get(report.kind);
    if (!suite) {
      suite = this.builder.testSuite().name(`pulumi-openstack-storage drift: ${report.kind}`);
      this.suites.set(report.kind, suite);
    }
    const testCase = suite
      .testCase()
      .className(report.kind)
      .name(`${report.name} (${report.id})`)
      .time(report.seconds)
      .property("urn", report.urn);
    const details = describeReport(report).join("\n");
    if (report.status === "changed") testCase.failure(`changed: ${details}`, "drift");
    else if (report.status === "gone") testCase.failure(`gone: ${details}`, "gone");
    else if (report.status === "error") testCase.error(report.error, "error", details);
    else if (details) testCase.standardOutput(details);
  }

  finish(_summary: Summary): void {
    this.builder.writeTo(this.file);
  }
}
