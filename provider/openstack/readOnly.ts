// Read-only mode: a process-wide switch that makes every Session refuse requests that could change
// something. The drift command turns it on, so that no resource's read can repair or change anything in the
// cloud, whatever the read's code does. Keystone's token requests are not affected (they change nothing).
import type { HttpMethod } from "./http";
import { redact } from "./log";

let readOnly = false;
/** Reads shared by every caller during the current read-only period (see `readOnce`). */
let shared = new Map<string, Promise<unknown>>();

const READING: readonly HttpMethod[] = ["GET", "HEAD"];

/** Refused by a session in read-only mode: a request that could change something. */
export class ReadOnlyError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "ReadOnlyError";
  }
}

/** Turns read-only mode on or off for the whole process; either way, reads shared so far are forgotten. */
export function setReadOnly(on: boolean): void {
  readOnly = on;
  shared = new Map();
}

/**
 * While read-only mode is on, the read under `key` is made once and its answer shared by every caller until
 * the mode is turned off (nothing in this process changes the cloud meanwhile: one look serves every
 * resource that asks, e.g. 25 attachments of one server read the server once). A read that fails is not
 * kept, so the next caller tries again. Outside read-only mode every call reads.
 */
export function readOnce<T>(key: string, read: () => Promise<T>): Promise<T> {
  if (!readOnly) return read();
  const known = shared.get(key);
  if (known) return known as Promise<T>;
  const answer = read();
  shared.set(key, answer);
  const table = shared;
  answer.catch(() => {
    if (table.get(key) === answer) table.delete(key);
  });
  return answer;
}

/** True while read-only mode is on: code that would repair something reports it instead. */
export function isReadOnly(): boolean {
  return readOnly;
}

/** Throws `ReadOnlyError` for a request that is not a read while read-only mode is on. */
export function assertMayRequest(method: HttpMethod, service: string, path: string, action?: string): void {
  if (!readOnly || READING.includes(method)) return;
  throw new ReadOnlyError(
    `${action ? `${action}: ` : ""}refused ${service} ${method} ${path}: this process is read-only ` +
      "(it only reads; nothing in the cloud is changed)",
  );
}
