// Progress on stderr while resources are read, only when stderr is a terminal: one line, rewritten at
// most every 100 ms, erased at the end.
import { Summary } from "../summary";

export class Progress {
  private last = 0;

  constructor(
    private readonly err: NodeJS.WritableStream,
    private readonly total: number,
  ) {}

  update(summary: Summary): void {
    const now = Date.now();
    if (now - this.last < 100 && summary.total < this.total) return;
    this.last = now;
    this.err.write(
      `\r\x1b[Kchecked ${summary.total}/${this.total}: ${summary.changed} changed, ${summary.gone} gone, ` +
        `${summary.errors} errors`,
    );
  }

  end(): void {
    this.err.write("\r\x1b[K");
  }
}
