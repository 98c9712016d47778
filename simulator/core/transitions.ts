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

/** A scheduled transition: its timer until it comes due (a held one then waits for `release`). */
interface Scheduled {
  kind: string;
  timer?: NodeJS.Timeout;
  finish: () => void;
}

export class Transitions {
  readonly log: TransitionRecord[] = [];
  private readonly scheduled = new Set<Scheduled>();
  private readonly held = new Set<string>();

  /** `durationOf(kind)` is read when the transition is scheduled, so config changes apply at once. */
  constructor(private readonly durationOf: (kind: string) => number) {}

  /**
   * Runs `complete` after the configured duration of `kind`. `complete` may return the state reached
   * (for the log) or `false` to say the transition no longer applies (nothing is logged).
   */
  after(kind: string, objectId: string, complete: () => string | void | false): void {
    const scheduledAt = preciseNow();
    const entry: Scheduled = {
      kind,
      finish: () => {
        this.scheduled.delete(entry);
        const to = complete();
        if (to === false) return;
        this.log.push({ kind, objectId, to: to || undefined, scheduledAt, completedAt: preciseNow() });
        if (this.log.length > 100_000) this.log.splice(0, this.log.length - 100_000);
      },
    };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!this.held.has(kind)) entry.finish();
    }, this.durationOf(kind));
    this.scheduled.add(entry);
  }

  /**
   * Holds back the transitions of `kind` until `release`. Tests use it to look at an intermediate state
   * (attaching, powering-off...) for as long as they need, which a slow transition cannot promise on a busy
   * machine.
   */
  hold(kind: string): void {
    this.held.add(kind);
  }

  /**
   * Ends the hold of `kind` (of every held kind when omitted) and completes its scheduled transitions at
   * once, in the order they were scheduled, due or not. Those they schedule in turn run on their own time.
   */
  release(kind?: string): void {
    const kinds = kind === undefined ? [...this.held] : [kind].filter((k) => this.held.has(k));
    for (const k of kinds) this.held.delete(k);
    for (const entry of [...this.scheduled].filter((e) => kinds.includes(e.kind))) {
      if (!this.scheduled.has(entry)) continue; // dropped by a completion before it
      clearTimeout(entry.timer);
      entry.finish();
    }
  }

  /** Completes the held transitions of `kind` scheduled so far and holds the next: one step of a chain. */
  step(kind: string): void {
    this.release(kind);
    this.hold(kind);
  }

  /** Drops every pending transition and every hold (reset, shutdown). */
  cancelAll(): void {
    for (const entry of this.scheduled) clearTimeout(entry.timer);
    this.scheduled.clear();
    this.held.clear();
  }

  /** Transitions not completed yet (held ones included). */
  get pending(): number {
    return this.scheduled.size;
  }
}
