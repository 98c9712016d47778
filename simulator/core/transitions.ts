// Timed state transitions (stop, attach, manage...). Models schedule the second half of an asynchronous
// operation here; each completion is logged with a high-resolution timestamp so benchmarks can measure how
// long a client takes to notice it.
import { performance } from "perf_hooks";

/** Epoch milliseconds with sub-millisecond precision. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

export interface TransitionRecord {
  /** The transition kind, the key of its duration in the config (e.g. "server.stop"). */
  kind: string;
  objectId: string;
  /** The state reached, when the model says. */
  to?: string;
  scheduledAt: number;
  completedAt: number;
}

export class Transitions {
  readonly log: TransitionRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `durationOf(kind)` is read when the transition is scheduled, so config changes apply at once. */
  constructor(private readonly durationOf: (kind: string) => number) {}

  /**
   * Runs `complete` after the configured duration of `kind`. `complete` may return the state reached
   * (for the log) or `false` to say the transition no longer applies (nothing is logged).
   */
  after(kind: string, objectId: string, complete: () => string | void | false): void {
    const scheduledAt = preciseNow();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const to = complete();
      if (to === false) return;
      this.log.push({ kind, objectId, to: to || undefined, scheduledAt, completedAt: preciseNow() });
      if (this.log.length > 100_000) this.log.splice(0, this.log.length - 100_000);
    }, this.durationOf(kind));
    this.timers.add(timer);
  }

  /** Drops every pending transition (reset, shutdown). */
  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get pending(): number {
    return this.timers.size;
  }
}
