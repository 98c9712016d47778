// The counts over all reports, and the exit code they mean (like `terraform plan -detailed-exitcode`).
import { ResourceReport } from "./check";

/** 0: every resource in sync; 1: an error (bad export or options, or a resource that could not be read); 2: drift. */
export const EXIT = { inSync: 0, error: 1, drift: 2 } as const;

export class Summary {
  total = 0;
  inSync = 0;
  changed = 0;
  gone = 0;
  errors = 0;
  /** Resources with an admin-only output the reading credential could not see. */
  notVisible = 0;
  /** Resources with an output that could not be compared (a secret encrypted in the export). */
  notCompared = 0;
  started = Date.now();

  constructor(
    /** The export, for messages: a file name or "standard input". */
    readonly source: string,
    /** Resources of other packages in the export (skipped). */
    readonly otherResources: number,
  ) {}

  add(report: ResourceReport): void {
    this.total++;
    if (report.status === "in-sync") this.inSync++;
    else if (report.status === "changed") this.changed++;
    else if (report.status === "gone") this.gone++;
    else this.errors++;
    if (report.notVisible.length > 0) this.notVisible++;
    if (report.notCompared.length > 0) this.notCompared++;
  }

  get exitCode(): number {
    if (this.errors > 0) return EXIT.error;
    return this.changed + this.gone > 0 ? EXIT.drift : EXIT.inSync;
  }

  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** "12 resources: 9 in sync, 1 changed, 1 gone, 1 error". */
  counts(): string {
    const parts = [
      `${this.inSync} in sync`,
      `${this.changed} changed`,
      `${this.gone} gone`,
      `${this.errors} ${this.errors === 1 ? "error" : "errors"}`,
    ];
    return `${this.total} ${this.total === 1 ? "resource" : "resources"}: ${parts.join(", ")}`;
  }

  toJSON() {
    return {
      total: this.total,
      inSync: this.inSync,
      changed: this.changed,
      gone: this.gone,
      errors: this.errors,
      notVisible: this.notVisible,
      notCompared: this.notCompared,
      otherResources: this.otherResources,
      seconds: Number(this.seconds.toFixed(3)),
      exitCode: this.exitCode,
    };
  }
}
