// One typed error for every failed OpenStack call, and the parser that turns any error body into it.
import { STATUS_CODES } from "http";
import { redact } from "./log";

/** What a failed call was: filled in by the transport, read by `OpenStackError`'s message. */
export interface OpenStackErrorDetails {
  /** The service called ("compute", "block-storage", "shared-file-system", "identity"). */
  service: string;
  method: string;
  /** The URL path (with query) that was called. */
  path: string;
  /** What the caller was doing, e.g. "attaching share S to server V". */
  action?: string;
  /** HTTP status; undefined when no response arrived (connection error, timeout). */
  status?: number;
  /** The fault name of the body (`itemNotFound`, `conflictingRequest`, Keystone's title...). */
  faultName?: string;
  /** The service's own message, or the connection error's. */
  serviceMessage: string;
  /** The request id the service returned (x-openstack-request-id / x-compute-request-id). */
  requestId?: string;
  /** The microversion the request was sent with, if any. */
  microversion?: string;
  /** Node's error code for connection failures (ECONNRESET, ETIMEDOUT, ...). */
  code?: string;
  /** Seconds the service asked us to wait (Retry-After header or the body's retryAfter). */
  retryAfterSeconds?: number;
}

/**
 * A failed OpenStack call. The message says what was being done, to which path, the status, the
 * service's message and the request id; it is redacted (no registered secret ever appears in it).
 */
export class OpenStackError extends Error implements OpenStackErrorDetails {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly action?: string;
  readonly status?: number;
  readonly faultName?: string;
  readonly serviceMessage: string;
  readonly requestId?: string;
  readonly microversion?: string;
  readonly code?: string;
  readonly retryAfterSeconds?: number;

  constructor(details: OpenStackErrorDetails) {
    const serviceMessage = redact(details.serviceMessage);
    const path = redact(details.path);
    const outcome =
      details.status !== undefined
        ? `returned ${details.status}${details.faultName ? ` ${details.faultName}` : ""}`
        : `failed (${details.code ?? "no response"})`;
    const parts = [
      `${details.action ? `${redact(details.action)}: ` : ""}${details.service} ${details.method} ${path} ${outcome}`,
    ];
    if (serviceMessage) parts[0] += `: ${serviceMessage}`;
    if (details.microversion) parts.push(`microversion ${details.microversion}`);
    if (details.requestId) parts.push(`request id ${details.requestId}`);
    super(parts.length > 1 ? `${parts[0]} (${parts.slice(1).join(", ")})` : parts[0]);
    this.name = "OpenStackError";
    this.service = details.service;
    this.method = details.method;
    this.path = path;
    this.action = details.action === undefined ? undefined : redact(details.action);
    this.status = details.status;
    this.faultName = details.faultName;
    this.serviceMessage = serviceMessage;
    this.requestId = details.requestId;
    this.microversion = details.microversion;
    this.code = details.code;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** Credentials or configuration that cannot work; thrown before any API call. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "ConfigurationError";
  }
}

/** The cloud's API is too old for a feature ("this cloud's compute API tops at 2.93; ... need 2.97"). */
export class UnsupportedMicroversionError extends Error {
  constructor(
    message: string,
    readonly service: string,
    readonly required: string,
    readonly maximum: string | undefined,
  ) {
    super(message);
    this.name = "UnsupportedMicroversionError";
  }
}

/** The current credentials point at another region, project or endpoint than the one an object lives in. */
export class ScopeMismatchError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "ScopeMismatchError";
  }
}

/** True for an `OpenStackError` with HTTP status `status`. */
export function hasStatus(err: unknown, status: number): err is OpenStackError {
  return err instanceof OpenStackError && err.status === status;
}

/** True for a 404 (beware: use `Session.isGone` to decide that an object is really gone). */
export function isNotFound(err: unknown): err is OpenStackError {
  return hasStatus(err, 404);
}

/** True for a 409 Conflict. */
export function isConflict(err: unknown): err is OpenStackError {
  return hasStatus(err, 409);
}

/** True for a 400 Bad Request. */
export function isBadRequest(err: unknown): err is OpenStackError {
  return hasStatus(err, 400);
}

/** True for a 403 Forbidden (a policy refused the call). */
export function isForbidden(err: unknown): err is OpenStackError {
  return hasStatus(err, 403);
}

/** True when no HTTP response arrived (connection refused or reset, timeout). */
export function isConnectionError(err: unknown): err is OpenStackError {
  return err instanceof OpenStackError && err.status === undefined;
}

/**
 * True for a failure that says nothing about the object: no answer (connection refused or reset, timeout),
 * a rate limit (429), or a gateway or overloaded service (502, 503, 504).
 */
export function isTransientFailure(err: unknown): err is OpenStackError {
  return (
    err instanceof OpenStackError && (err.status === undefined || [429, 502, 503, 504].includes(err.status))
  );
}

// Default test for "the object is busy, try again later": Nova's task_state conflicts
// ("Cannot 'attach_volume' instance X while it is in task_state powering-off") and the usual
// "in progress"/"busy" wording of Cinder and Manila. A vm_state conflict is final (the state must change).
const BUSY_MESSAGE =
  /task_state (?!none\b)|task state|in progress|is busy|currently busy|being (?:attached|detached)/i;

/** True for a 409 whose message says the object is busy with a task in progress (worth retrying). */
export function isBusyConflict(err: unknown): err is OpenStackError {
  return isConflict(err) && BUSY_MESSAGE.test(err.serviceMessage);
}

const MAX_MESSAGE = 500;

/** The fault name, message and retryAfter found in an error body of any shape. */
export interface ParsedErrorBody {
  faultName?: string;
  message: string;
  retryAfterSeconds?: number;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}...` : flat;
}

function numberOrUndefined(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function fromJson(body: any): ParsedErrorBody | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  // Keystone and keystonemiddleware: {"error": {"code", "title", "message"}}.
  if (body.error && typeof body.error === "object" && typeof body.error.message === "string") {
    return { faultName: body.error.title, message: body.error.message };
  }
  // Placement/Ironic style: {"errors": [{"title", "detail"}]}.
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const first = body.errors[0] ?? {};
    return { faultName: first.title, message: String(first.detail ?? first.title ?? "") };
  }
  // Nova/Cinder/Manila: {"<faultName>": {"code", "message", "retryAfter"?}}.
  const keys = Object.keys(body);
  if (keys.length === 1 && body[keys[0]] && typeof body[keys[0]] === "object") {
    const fault = body[keys[0]];
    if (typeof fault.message === "string" || typeof fault.code === "number") {
      return {
        faultName: keys[0],
        message: String(fault.message ?? ""),
        retryAfterSeconds: numberOrUndefined(fault.retryAfter),
      };
    }
  }
  // Flat: {"message": "...", ...} or {"detail": "..."}.
  if (typeof body.message === "string") return { message: body.message };
  if (typeof body.detail === "string") return { message: body.detail };
  return { message: JSON.stringify(body) };
}

function fromHtml(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? "";
  const body = /<body[^>]*>([\s\S]*?)<\/body>/i.exec(html)?.[1] ?? html;
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
  const flatTitle = title.replace(/\s+/g, " ").trim();
  const flatText = text.replace(/\s+/g, " ").trim();
  // webob pages repeat the title as the first heading; say it once.
  return flatText.startsWith(flatTitle) ? flatText : `${flatTitle} ${flatText}`.trim();
}

/**
 * Parses an error body of any shape: a fault wrapper (`{"itemNotFound": {"message"}}`), Keystone's
 * `{"error": {...}}`, other JSON, HTML, plain text or nothing. An empty body yields the status text.
 */
export function parseErrorBody(
  body: string | undefined,
  contentType: string | undefined,
  status: number,
): ParsedErrorBody {
  const text = (body ?? "").trim();
  if (!text) return { message: STATUS_CODES[status] ?? "" };
  const looksJson = /json/i.test(contentType ?? "") || text.startsWith("{") || text.startsWith("[");
  if (looksJson) {
    try {
      const parsed = fromJson(JSON.parse(text));
      if (parsed) return { ...parsed, message: clip(parsed.message) };
    } catch {
      // not JSON after all: fall through to text
    }
  }
  if (/html/i.test(contentType ?? "") || /^<(!doctype|html|head|body)/i.test(text)) {
    return { message: clip(fromHtml(text)) };
  }
  return { message: clip(text) };
}
