// The default output: a table of the resources that need attention (not in sync, or with a note; all of them
// with `--all`), one row per finding, then a summary. cli-table3 sizes columns from the whole table, so the rows are kept until the
// end; with `--all` that is every resource, otherwise only those not in sync.
import Table from "cli-table3";
import { ResourceReport } from "../check";
import { Summary } from "../summary";
import { describeReport, Reporter, showValue, STATUS_LABEL } from "./reporter";

const VALUE_WIDTH = 32;
const PROPERTY_WIDTH = 30;
/** The text width of a cell across Property, Recorded and Live (borders and padding aside). */
const ACROSS_WIDTH = PROPERTY_WIDTH + 2 * VALUE_WIDTH - 2;

export class TableReporter implements Reporter {
  private readonly reports: ResourceReport[] = [];

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly all: boolean,
  ) {}

  add(report: ResourceReport): void {
    const attention = report.status !== "in-sync" || report.notes.length > 0;
    if (this.all || attention) this.reports.push(report);
  }

  finish(summary: Summary): void {
    if (this.reports.length > 0) this.out.write(this.table().toString() + "\n");
    this.out.write(`${this.closing(summary)}\n`);
  }

  private table() {
    const table = new Table({
      head: ["Resource", "Kind", "Status", "Property", "Recorded", "Live"],
      colWidths: [null, null, null, PROPERTY_WIDTH, VALUE_WIDTH, VALUE_WIDTH],
      wordWrap: true,
      style: { head: [], border: [] }, // plain text: CI logs and pipes show no colour codes
    });
    for (const report of this.reports) {
      const rows = this.rowsOf(report);
      rows[0].unshift(
        { content: report.name, rowSpan: rows.length },
        { content: report.kind, rowSpan: rows.length },
        { content: STATUS_LABEL[report.status], rowSpan: rows.length },
      );
      table.push(...rows);
    }
    return table;
  }

  /** The finding cells of a report: Property | Recorded | Live, or one cell across the three. */
  private rowsOf(report: ResourceReport): Table.Cell[][] {
    // Text wraps between words, unless a word (a URL, an id) is wider than the cell: it is cut, never clipped.
    const across = (content: string): Table.Cell[] => [
      { content, colSpan: 3, wrapOnWordBoundary: !content.split(/\s+/).some((w) => w.length > ACROSS_WIDTH) },
    ];
    const value = (v: unknown): Table.Cell => ({ content: showValue(v), wrapOnWordBoundary: false });
    const rows: Table.Cell[][] = report.changes.map((change) =>
      change.secret
        ? [change.property, { content: "(secret, values hidden)", colSpan: 2 }]
        : [change.property, value(change.recorded), value(change.live)],
    );
    for (const { property, visibleIn } of report.notVisible) {
      rows.push(
        visibleIn === "recorded"
          ? [property, "(recorded)", "not visible (admin-only)"]
          : [property, "not visible (admin-only)", "(live)"],
      );
    }
    const others = describeReport({ ...report, changes: [], notVisible: [], notCompared: [] });
    rows.push(...others.map(across));
    return rows.length > 0 ? rows : [across("")];
  }

  private closing(summary: Summary): string {
    const time = `(${summary.seconds.toFixed(1)} s)`;
    const lines = [
      summary.total === 0
        ? `No resources of pulumi-openstack-storage in ${summary.source}.`
        : summary.exitCode === 0
          ? `All ${summary.total} resources are in sync ${time}.`
          : `${summary.counts()} ${time}.`,
    ];
    if (summary.otherResources > 0) {
      lines.push(`${summary.otherResources} resources of other packages in ${summary.source} were skipped.`);
    }
    if (summary.notVisible > 0) {
      lines.push(
        `${summary.notVisible} resources have admin-only outputs the reading credential cannot see; they were not ` +
          "compared (--all lists them).",
      );
    }
    if (summary.notCompared > 0) {
      lines.push(
        `${summary.notCompared} resources have secret outputs that are encrypted in the export and were not ` +
          "compared (`pulumi stack export --show-secrets` makes them comparable; values are never printed).",
      );
    }
    return lines.join("\n");
  }
}
