// The ONE polling loop of the codebase, and the one sleep.
//
// Poll delays start at 50 ms and grow by 1.5x per poll, but never beyond max(150 ms, 15% of the time
// waited so far) less POLL_LATENCY_ALLOWANCE_MS, nor `maxDelayMs`. A delay runs from the START of the
// previous poll, so the time a poll takes to answer does not stretch the gap between polls (pauseAfterPoll);
// the allowance covers what still can: a timer that fires late on a busy machine and the request's way to
// the service. A poll therefore lands at most max(150 ms, 15%) after the real transition, which is the
// overshoot target of the benchmarks (measured 301 ms for a 300 ms target before the allowance).

import { isTransientFailure } from "./errors";

/** Thrown when a wait reaches its deadline. */
export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastState?: string,
  ) {
    super(message);
    this.name = "WaitTimeoutError";
  }
}

/** Thrown when a wait or sleep is cancelled through its AbortSignal. */
export class AbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AbortedError";
  }
}

/** Sleeps `ms` milliseconds; rejects with `AbortedError` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError("cancelled"));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError("cancelled"));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** What one poll found: done with a value, or not yet (with the state seen, for messages). */
export type PollResult<T> = { done: true; value: T } | { done: false; state?: string };

/** Options of `waitFor`. */
export interface WaitOptions<T> {
  /** What is awaited, for messages: "server X to reach SHUTOFF". */
  what: string;
  /** Gives up after this long with a `WaitTimeoutError`. */
  timeoutMs: number;
  /** One poll. Throw to fail the wait at once (e.g. the object went to ERROR). */
  poll: () => Promise<PollResult<T>>;
  /** Called every `progressIntervalMs` with "waiting for <what>: 12 s (now <state>)". */
  onProgress?: (message: string, elapsedMs: number) => void;
  /** Default 10 000 ms. */
  progressIntervalMs?: number;
  /** Cancels the wait (rejects with `AbortedError`). */
  signal?: AbortSignal;
  /** First delay between polls; default 50 ms. */
  initialDelayMs?: number;
  /** Upper bound of the delay between polls; default 2000 ms. */
  maxDelayMs?: number;
  /**
   * Polls in a row that may fail with a transient error (no answer, 429, 502-504: `isTransientFailure`)
   * before the wait fails with it; default 2. A poll is a read, already retried by the transport: one that
   * still fails says nothing about the object, so the wait polls again. Zero where the "poll" is not a read.
   */
  transientFailures?: number;
}

/** How late a poll may reach the service after its scheduled time (timer lateness, request latency). */
export const POLL_LATENCY_ALLOWANCE_MS = 20;

/** The delay before the next poll, given the previous delay and the time waited so far. */
export function nextPollDelay(previousMs: number, elapsedMs: number, maxDelayMs: number): number {
  const overshootBound = Math.max(150, 0.15 * elapsedMs) - POLL_LATENCY_ALLOWANCE_MS;
  return Math.max(1, Math.min(previousMs * 1.5, overshootBound, maxDelayMs));
}

/**
 * The poll schedule of `waitFor`: a stateful function from the time waited so far to the next delay.
 * The first delay is `initialMs`; later ones follow `nextPollDelay`.
 */
export function pollDelays(initialMs = 50, maxMs = 2000): (elapsedMs: number) => number {
  let previous: number | undefined;
  return (elapsedMs) =>
    (previous =
      previous === undefined ? Math.min(initialMs, maxMs) : nextPollDelay(previous, elapsedMs, maxMs));
}

/**
 * How long to sleep after a poll that took `tookMs`, so that the next one starts `delayMs` after this one
 * started; at least a quarter of the delay, so a slow service is never polled back to back.
 */
export function pauseAfterPoll(delayMs: number, tookMs: number): number {
  return Math.max(delayMs - tookMs, delayMs / 4);
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * Polls until `poll` reports done, and returns its value. Polls once at once, then with the gentle
 * backoff above; the last poll happens at the deadline. Throws `WaitTimeoutError` at the deadline,
 * `AbortedError` on cancellation, or whatever `poll` throws.
 */
export async function waitFor<T>(options: WaitOptions<T>): Promise<T> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  const progressEvery = options.progressIntervalMs ?? 10_000;
  const nextDelay = pollDelays(options.initialDelayMs, options.maxDelayMs);
  let nextProgress = start + progressEvery;
  let lastState: string | undefined;
  let failedInRow = 0;
  const describeState = () => (lastState ? ` (now ${lastState})` : "");

  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(`cancelled while waiting for ${options.what}`);
    const polledAt = Date.now();
    let result: PollResult<T>;
    try {
      result = await options.poll();
      failedInRow = 0;
    } catch (err) {
      if (!isTransientFailure(err) || ++failedInRow > (options.transientFailures ?? 2)) throw err;
      result = { done: false, state: `unreachable for a moment: ${err.message}` };
    }
    if (result.done) return result.value;
    lastState = result.state ?? lastState;

    const now = Date.now();
    if (now >= deadline) {
      throw new WaitTimeoutError(
        `timed out after ${seconds(now - start)} waiting for ${options.what}${describeState()}`,
        lastState,
      );
    }
    if (options.onProgress && now >= nextProgress) {
      options.onProgress(
        `waiting for ${options.what}: ${seconds(now - start)}${describeState()}`,
        now - start,
      );
      nextProgress = now + progressEvery;
    }
    const pause = pauseAfterPoll(nextDelay(polledAt - start), now - polledAt);
    try {
      await sleep(Math.min(pause, deadline - now), options.signal);
    } catch (err) {
      if (err instanceof AbortedError) throw new AbortedError(`cancelled while waiting for ${options.what}`);
      throw err;
    }
  }
}
