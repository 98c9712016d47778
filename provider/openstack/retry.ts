// When and how long to retry a failed call (transport level), and the caller-level helpers: busy 409s
// (retryWhileBusy) and calls that got no answer (resendUnlessApplied).
import { OpenStackError, isBusyConflict, isTransientFailure } from "./errors";
import { WaitTimeoutError, waitFor } from "./wait";

/** How the transport retries: capped exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt; default 10. */
  retries: number;
  /** Backoff base; attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^n)]. Default 250 ms. */
  baseDelayMs: number;
  /** Backoff cap; default 8000 ms. */
  maxDelayMs: number;
  /** Longest Retry-After we honour; a longer one makes the call fail with the 429/413. Default 60 000 ms. */
  maxRetryAfterMs: number;
}

/**
 * The transport's default retry policy. Ten retries: a read that fails 30 % of its attempts (the fault soak's
 * 503s on 20 % of GETs, resets and 429s on 5 % each) still fails only once in 560,000 calls; a 200-cycle soak
 * makes about 10,000 outside any wait. (Eight: once in 50,000, and a soak met it; five: once in 400.)
 */
export const DEFAULT_RETRY: RetryPolicy = {
  retries: 10,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

// Connection failures where the request never reached the server: safe to retry for any method.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
// Failures where the server may have acted on the request: retried only for idempotent calls.
const MAYBE_SENT = new Set([
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ERR_SOCKET_HANG_UP",
  "ESOCKETTIMEDOUT",
]);

/**
 * Decides whether a failed attempt is worth another and how long to wait first; undefined = final.
 * `idempotent` says that repeating the call is harmless (GET, PUT, DELETE, or a POST its caller marked safe).
 */
export function retryDelay(
  err: OpenStackError,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
): number | undefined {
  if (attempt >= policy.retries) return undefined;
  const backoff = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const status = err.status;
  if (status === undefined) {
    if (NOT_SENT.has(err.code ?? "")) return backoff;
    return idempotent && MAYBE_SENT.has(err.code ?? "") ? backoff : undefined;
  }
  // Rate limits refuse the request before acting on it: any method may retry, honouring the wait asked for.
  if (
    status === 429 ||
    (status === 413 && (err.faultName === "overLimit" || err.retryAfterSeconds !== undefined))
  ) {
    if (err.retryAfterSeconds === undefined) return backoff;
    const asked = err.retryAfterSeconds * 1000;
    return asked <= policy.maxRetryAfterMs ? asked : undefined;
  }
  if (status === 502 || status === 503 || status === 504) return idempotent ? backoff : undefined;
  return undefined;
}

/** Parses a Retry-After header (delta seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Options of `retryWhileBusy`. */
export interface BusyRetryOptions {
  /** What is being done, for the timeout message: "attaching volume V to server S". */
  what: string;
  /** Gives up (with the last 409) after this long. */
  timeoutMs: number;
  /** Which errors mean "busy, try again"; default `isBusyConflict` (a 409 about a task in progress). */
  isBusy?: (err: unknown) => boolean;
  signal?: AbortSignal;
  onProgress?: (message: string, elapsedMs: number) => void;
  /** Passed on to `waitFor` (tests use small values). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `call`, repeating it while it fails with a "busy" 409 (the object has a task in progress), on the
 * `waitFor` schedule, until `timeoutMs`. Any other error, and any other 409, is thrown at once. At the
 * deadline the last busy error is thrown.
 */
export async function retryWhileBusy<T>(call: () => Promise<T>, options: BusyRetryOptions): Promise<T> {
  const isBusy = options.isBusy ?? isBusyConflict;
  let lastBusy: unknown;
  try {
    return await waitFor<T>({
      what: `${options.what} (the object is busy)`,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      onProgress: options.onProgress,
      initialDelayMs: options.initialDelayMs ?? 250,
      maxDelayMs: options.maxDelayMs ?? 2000,
      transientFailures: 0, // the "poll" is the call itself, which may not be repeatable
      poll: async () => {
        try {
          return { done: true, value: await call() };
        } catch (err) {
          if (!isBusy(err)) throw err;
          lastBusy = err;
          return { done: false, state: err instanceof OpenStackError ? err.serviceMessage : String(err) };
        }
      },
    });
  } catch (err) {
    if (err instanceof WaitTimeoutError && lastBusy) throw lastBusy;
    throw err;
  }
}

/** Options of `resendUnlessApplied`. */
export interface ResendOptions<T> {
  /**
   * After a failed send: whether the service acted on it anyway, read from the cloud (the object exists,
   * the task is recorded). Returns the result to use, or undefined when nothing shows it; may throw.
   */
  applied: (err: unknown) => Promise<T | undefined>;
  /** Sends after the first one, when a transient failure left no trace; default 3. */
  resends?: number;
  /** Called before each resend. */
  onResend?: (err: unknown) => void;
}

/**
 * Sends a call that must not be repeated blindly (a POST): when it fails, asks `applied` whether the
 * service acted on it; when nothing shows that and the failure was transient (no answer, 429, 502-504),
 * sends it again. Use it where the service records the effect before it answers, so that "no trace"
 * means "never received".
 */
export async function resendUnlessApplied<T>(send: () => Promise<T>, options: ResendOptions<T>): Promise<T> {
  for (let sent = 1; ; sent++) {
    try {
      return await send();
    } catch (err) {
      const result = await options.applied(err);
      if (result !== undefined) return result;
      if (!isTransientFailure(err) || sent > (options.resends ?? 3)) throw err;
      options.onResend?.(err);
    }
  }
}
