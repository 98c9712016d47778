// Read-only mode: a process-wide switch that makes every Session refuse requests that could change
// something. The drift command turns it on, so that no resource's read can repair or change anything in the
// cloud, whatever the read's code does. Keystone's token requests are not affected (they change nothing).
import type { HttpMethod } from "./http";
import { redact } from "./log";

let readOnly = false;

const READING: readonly HttpMethod[] = ["GET", "HEAD"];

/** Refused by a session in read-only mode: a request that could change something. */
export class ReadOnlyError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "ReadOnlyError";
  }
}

/** Turns read-only mode on or off for the whole process. */
export function setReadOnly(on: boolean): void {
  readOnly = on;
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
