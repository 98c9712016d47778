// The transport: one HTTP exchange with OpenStack (axios), TLS settings, retries, typed errors, logging.
import axios, { AxiosResponse } from "axios";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { ConfigurationError, OpenStackError, parseErrorBody } from "./errors";
import { log } from "./log";
import { DEFAULT_RETRY, RetryPolicy, parseRetryAfter, retryDelay } from "./retry";
import { AbortedError, sleep } from "./wait";

/** TLS settings: certificates are verified unless `insecure` is explicitly true. */
export interface TlsOptions {
  /** A PEM CA bundle to trust instead of Node's default roots (as OpenStack's own clients do). */
  cacertFile?: string;
  /** Skip certificate verification (only when explicitly set). */
  insecure?: boolean;
}

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One call as the transport sees it. */
export interface HttpRequest {
  /** Service name for messages ("compute", "identity", ...). */
  service: string;
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialised when it is not a string. */
  body?: unknown;
  /** Safe to repeat after a timeout/reset/5xx; default true for GET, HEAD, PUT, DELETE. */
  idempotent?: boolean;
  /** What the caller is doing, for error messages. */
  action?: string;
  /** The microversion sent, recorded in errors. */
  microversion?: string;
  /** Per-attempt timeout; default: the process default (`setRequestTimeout`, 60 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Statuses outside 2xx that count as success (e.g. 300 for version documents). */
  okStatuses?: number[];
  tls?: TlsOptions;
  retry?: Partial<RetryPolicy>;
}

/** A successful response; `data` is parsed JSON, or the text when the body is not JSON, or undefined when empty. */
export interface HttpResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  data: T;
  requestId?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
let defaultTimeoutMs = DEFAULT_TIMEOUT_MS;

/**
 * Sets the per-attempt timeout of every request that does not set its own (Keystone's included), for the
 * whole process; `undefined` restores 60 s. The drift command's `--timeout` sets it.
 */
export function setRequestTimeout(ms: number | undefined): void {
  if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
    throw new ConfigurationError(`the request timeout must be a positive number of milliseconds, got ${ms}`);
  }
  defaultTimeoutMs = ms ?? DEFAULT_TIMEOUT_MS;
}

const agents = new Map<string, { http: http.Agent; https: https.Agent }>();

// Idempotent calls reuse connections (keep-alive). A call that must not be repeated gets a fresh connection:
// on a reused one, a server that closed it while idle makes the call fail with ECONNRESET, and the call
// could not be retried safely. Idle sockets are dropped after 4 s, before common server timeouts (5 s).
function agentsFor(tls: TlsOptions | undefined, reuse: boolean) {
  const key = `${tls?.cacertFile ?? ""}\u0000${tls?.insecure === true}\u0000${reuse}`;
  let pair = agents.get(key);
  if (!pair) {
    let ca: Buffer | undefined;
    if (tls?.cacertFile) {
      try {
        ca = fs.readFileSync(tls.cacertFile);
      } catch (err) {
        throw new ConfigurationError(
          `cannot read the CA bundle (cacert) ${tls.cacertFile}: ${(err as Error).message}`,
        );
      }
    }
    const options = { keepAlive: reuse, ...(reuse ? { timeout: 4000 } : {}) };
    pair = {
      http: new http.Agent(options),
      https: new https.Agent({
        ...options,
        rejectUnauthorized: tls?.insecure !== true,
        ...(ca ? { ca } : {}), // like OpenStack's clients, the bundle replaces the default roots
      }),
    };
    agents.set(key, pair);
  }
  return pair;
}

function plainHeaders(headers: AxiosResponse["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

function requestIdOf(headers: Record<string, string>): string | undefined {
  return (
    headers["x-openstack-request-id"] ?? headers["x-compute-request-id"] ?? headers["openstack-request-id"]
  );
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** Sends one request, retrying as the policy allows; resolves with a 2xx (or `okStatuses`) response. */
export async function send<T = any>(req: HttpRequest): Promise<HttpResponse<T>> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...req.retry };
  const idempotent = req.idempotent ?? ["GET", "HEAD", "PUT", "DELETE"].includes(req.method);
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce<T>(req, idempotent);
    } catch (err) {
      if (!(err instanceof OpenStackError)) throw err;
      const delay = retryDelay(err, attempt, idempotent, policy);
      if (delay === undefined) throw err;
      log.debug(`retrying in ${Math.round(delay)} ms after: ${err.message}`);
      await sleep(delay, req.signal);
    }
  }
}

async function attemptOnce<T>(req: HttpRequest, idempotent: boolean): Promise<HttpResponse<T>> {
  const { http: httpAgent, https: httpsAgent } = agentsFor(req.tls, idempotent);
  const path = pathOf(req.url);
  const headers: Record<string, string> = { Accept: "application/json", ...req.headers };
  let data: string | undefined;
  if (req.body !== undefined) {
    data = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    headers["Content-Type"] ??= "application/json";
  }
  const started = Date.now();
  let res: AxiosResponse<string>;
  try {
    res = await axios.request<string>({
      url: req.url,
      method: req.method,
      headers,
      data,
      timeout: req.timeoutMs ?? defaultTimeoutMs,
      signal: req.signal,
      httpAgent,
      httpsAgent,
      maxRedirects: 0, // a redirect must never carry our token to another place
      responseType: "text",
      transformResponse: [(body: string) => body],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
  } catch (err: any) {
    if (req.signal?.aborted || err?.code === "ERR_CANCELED") {
      throw new AbortedError(`cancelled: ${req.service} ${req.method} ${path}`);
    }
    const code: string = err?.code ?? err?.cause?.code ?? "ERR_NETWORK";
    let message: string = err?.message ?? String(err);
    if (TLS_CODES.test(code)) {
      message +=
        "; the server's certificate is not trusted: set the CA bundle (cacert / OS_CACERT / openstack:cacertFile)";
    }
    // Build our own error: the axios error holds the request headers (our token) and must not travel.
    const failure = new OpenStackError({
      service: req.service,
      method: req.method,
      path,
      action: req.action,
      serviceMessage: message,
      microversion: req.microversion,
      code,
    });
    log.debug(`${req.service} ${req.method} ${path} failed after ${Date.now() - started} ms: ${code}`);
    throw failure;
  }

  const resHeaders = plainHeaders(res.headers);
  const requestId = requestIdOf(resHeaders);
  log.debug(
    `${req.service} ${req.method} ${path} -> ${res.status} in ${Date.now() - started} ms${requestId ? ` (${requestId})` : ""}`,
  );
  const body = typeof res.data === "string" ? res.data : res.data === undefined ? "" : String(res.data);
  if ((res.status >= 200 && res.status < 300) || req.okStatuses?.includes(res.status)) {
    return { status: res.status, headers: resHeaders, data: parseBody(body) as T, requestId };
  }
  const parsed = parseErrorBody(body, resHeaders["content-type"], res.status);
  throw new OpenStackError({
    service: req.service,
    method: req.method,
    path,
    action: req.action,
    status: res.status,
    faultName: parsed.faultName,
    serviceMessage: parsed.message,
    requestId,
    microversion: req.microversion,
    retryAfterSeconds: parseRetryAfter(resHeaders["retry-after"]) ?? parsed.retryAfterSeconds,
  });
}

function parseBody(body: string): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
