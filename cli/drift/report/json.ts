// `--json`: one document, written as the reports arrive (one resource per line), so memory stays flat:
// {"version": 1, "source": ..., "resources": [...], "summary": {...}}. Secret values are never in it.
import { ResourceReport } from "../check";
import { Summary } from "../summary";
import { Reporter } from "./reporter";
import { redact } from "../../../provider/openstack";

/** The version of this document's format. */
export const JSON_FORMAT_VERSION = 1;

export class JsonReporter implements Reporter {
  private count = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    source: string,
  ) {
    out.write(`{"version":${JSON_FORMAT_VERSION},"source":${JSON.stringify(source)},"resources":[`);
  }

  add(report: ResourceReport): void {
    const { urn, name, kind, id, status, changes, notVisible, notCompared, notes, error, seconds } = report;
    const line = JSON.stringify({
      urn,
      name,
      kind,
      id,
      status,
      changes,
      notVisible,
      notCompared,
      notes,
      error,
      seconds,
    });
    this.out.write(`${this.count++ === 0 ? "" : ","}\n${redact(line)}`);
  }

  finish(summary: Summary): void {
    this.out.write(`\n],"summary":${JSON.stringify(summary)}}\n`);
  }
}
