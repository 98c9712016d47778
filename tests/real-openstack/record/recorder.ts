// Records raw exchanges with the real services as one JSON file per scenario, with volatile values (ids,
// recent timestamps, request ids, ports) replaced by placeholders so that two recordings, or a recording
// and the simulator's answers, can be diffed.
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { RawClient, RawResponse, Service, microversionHeader } from "../support/client";

export interface CallOptions {
  /** Microversion to request; omitted = send no microversion header. */
  mv?: string;
  body?: unknown;
  /** Extra request headers (replace the defaults of the same name). */
  headers?: Record<string, string>;
  /** noauth user; "admin" unless given. */
  user?: string;
  /** Record the exchange (default); false for setup calls whose answer nobody needs. */
  record?: boolean;
}

export interface ObserveOptions extends CallOptions {
  /** Picks what to record out of the response. */
  select: (res: RawResponse) => unknown;
}

export interface PollOptions extends CallOptions {
  /** Picks the observed value (e.g. the status) out of a response; undefined when absent. */
  select: (res: RawResponse) => string | undefined;
  until: (value: string | undefined) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
}

const DROPPED_HEADERS = new Set(["date", "content-length", "connection", "keep-alive", "server"]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;
const RECENT_MS = 2 * 24 * 3600 * 1000;

export interface ScenarioDefinition {
  /** File name under recorded/ (without .json). */
  id: string;
  description: string;
  run: (s: Scenario) => Promise<void>;
}

export class Scenario {
  private readonly steps: unknown[] = [];
  private readonly placeholders = new Map<string, string>();
  private readonly labelCounts = new Map<string, number>();

  constructor(
    readonly id: string,
    readonly description: string,
    readonly client: RawClient,
  ) {
    const e = client.endpoints;
    this.placeholders.set(e.projectId, "<project-id>");
    for (const s of ["manila", "cinder", "nova", "placement", "neutron"] as const) {
      this.placeholders.set(e[s], `<${s}>`);
    }
  }

  /** Names a volatile value: it is written as <label>, <label-2>, ... wherever it appears. */
  name(value: string | undefined, label: string): void {
    if (!value || this.placeholders.has(value)) return;
    const n = (this.labelCounts.get(label) ?? 0) + 1;
    this.labelCounts.set(label, n);
    this.placeholders.set(value, n === 1 ? `<${label}>` : `<${label}-${n}>`);
  }

  note(text: string): void {
    this.steps.push({ note: text });
  }

  private requestHeaders(service: Service, opts: CallOptions): Record<string, string> {
    const headers: Record<string, string> = {
      "X-Auth-Token": `${opts.user ?? "admin"}:${this.client.endpoints.projectId}`,
      ...(opts.mv ? microversionHeader(service, opts.mv) : {}),
      ...(opts.body !== undefined ? { "Content-Type": "application/json" } : {}),
    };
    return { ...headers, ...opts.headers };
  }

  async call(
    step: string,
    service: Service,
    method: string,
    urlPath: string,
    opts: CallOptions = {},
  ): Promise<RawResponse> {
    const headers = this.requestHeaders(service, opts);
    const res = await this.client.send(service, { method, path: urlPath, headers, body: opts.body });
    if (opts.record !== false) {
      this.steps.push({
        step,
        request: this.describeRequest(service, method, urlPath, headers, opts.body),
        response: describeResponse(res),
      });
    }
    return res;
  }

  /** Records only a value picked from a GET (e.g. a volume's status between two steps), not the whole body. */
  async observe(step: string, service: Service, urlPath: string, opts: ObserveOptions): Promise<RawResponse> {
    const headers = this.requestHeaders(service, opts);
    const res = await this.client.send(service, { method: "GET", path: urlPath, headers });
    this.steps.push({
      step,
      observe: {
        request: this.describeRequest(service, "GET", urlPath, headers, undefined),
        status: res.status,
        value: opts.select(res),
      },
    });
    return res;
  }

  /**
   * Polls without recording (fixtures) until `select` gives `want`. Fails at once on an "error"/"ERROR" value
   * or an error status other than 404 (unless that is what is wanted), and after the deadline.
   */
  async waitFor(
    service: Service,
    urlPath: string,
    mv: string,
    select: (res: RawResponse) => string | undefined,
    want: string,
  ): Promise<void> {
    const headers = this.requestHeaders(service, { mv });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await this.client.send(service, { method: "GET", path: urlPath, headers });
      const got = select(res);
      if (got === want) return;
      const broken = (res.status >= 400 && res.status !== 404) || got === "error" || got === "ERROR";
      if (broken || Date.now() > deadline)
        throw new Error(`${this.id}: ${urlPath}: wanted ${want}, got ${got}: ${res.text.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Polls until `until` holds; records the distinct values seen on the way and the last response. */
  async poll(step: string, service: Service, urlPath: string, opts: PollOptions): Promise<RawResponse> {
    const headers = this.requestHeaders(service, opts);
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    const observed: Array<string | null> = [];
    for (;;) {
      const res = await this.client.send(service, { method: "GET", path: urlPath, headers });
      const value = opts.select(res);
      if (observed.length === 0 || observed[observed.length - 1] !== (value ?? null))
        observed.push(value ?? null);
      const done = opts.until(value);
      if (done || Date.now() > deadline) {
        this.steps.push({
          step,
          poll: {
            request: this.describeRequest(service, "GET", urlPath, headers, undefined),
            observed,
            reachedGoal: done,
          },
          response: describeResponse(res),
        });
        if (!done) throw new Error(`${this.id}: ${step}: gave up after seeing ${JSON.stringify(observed)}`);
        return res;
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
    }
  }

  private describeRequest(
    service: Service,
    method: string,
    urlPath: string,
    headers: Record<string, string>,
    body: unknown,
  ) {
    return { method, url: `<${service}>${urlPath}`, headers, ...(body !== undefined ? { body } : {}) };
  }

  /** Writes recorded/<id>.json with every volatile value replaced. */
  write(dir: string, provenance: Record<string, unknown>, failure?: string): string {
    const doc = {
      scenario: this.id,
      description: this.description,
      ...(failure ? { incomplete: `the recording stopped early: ${failure}` } : {}),
      provenance,
      placeholders:
        "Volatile values are replaced: ids by <label>/<label-N> (the same value always gets the same label within " +
        "this file), other UUIDs by <uuid-N>, timestamps from the recording day by <timestamp FORMAT> (the " +
        "format letters show the shape: YYYY-MM-DD, T or space, hh:mm:ss, .ffffff fraction digits, zone as " +
        "sent), request ids by req-<request-id>, service base URLs by <manila>, <cinder>, <nova>, <placement>, " +
        "<neutron>, the project id by <project-id>, Nova instance names and reservation ids by instance-<number> and " +
        "r-<reservation>. Constant timestamps (e.g. the 'updated' of version " +
        "documents) are kept. Response headers Date, Content-Length, Connection, Keep-Alive and Server are " +
        "left out; repeated headers appear as separate entries, names as the service wrote them.",
      steps: this.steps,
    };
    const text = JSON.stringify(this.sanitize(doc), null, 2) + "\n";
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this.id}.json`);
    writeFileSync(file, text);
    return file;
  }

  private sanitize(value: unknown): unknown {
    if (typeof value === "string") return this.sanitizeString(value);
    if (Array.isArray(value)) return value.map((v) => this.sanitize(v));
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.sanitizeString(k)] = this.sanitize(v);
      return out;
    }
    return value;
  }

  private sanitizeString(s: string): string {
    // longest first, so that a base URL is replaced before any id inside it
    const known = [...this.placeholders.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [value, placeholder] of known) s = s.split(value).join(placeholder);
    s = s.replace(/req-[0-9a-f]{8}-[0-9a-f-]{27}/g, "req-<request-id>");
    // Nova's per-deployment counters and random reservation ids
    s = s
      .replace(/^instance-[0-9a-f]{8}$/, "instance-<number>")
      .replace(/^r-[0-9a-z]{8}$/, "r-<reservation>");
    s = s.replace(UUID, (u) => {
      if (!this.placeholders.has(u)) this.name(u, "uuid");
      return this.placeholders.get(u)!;
    });
    return s.replace(TIMESTAMP, (t, fraction: string | undefined, zone: string | undefined) => {
      const when = Date.parse(t.replace(" ", "T").replace(/(\.\d{3})\d*/, "$1") + (zone ? "" : "Z"));
      if (!Number.isFinite(when) || Math.abs(Date.now() - when) > RECENT_MS) return t;
      const sep = t[10];
      return `<timestamp YYYY-MM-DD${sep}hh:mm:ss${fraction ? "." + "f".repeat(fraction.length - 1) : ""}${zone ?? ""}>`;
    });
  }
}

function describeResponse(res: RawResponse) {
  const headers = res.rawHeaders.filter(([name]) => !DROPPED_HEADERS.has(name.toLowerCase()));
  return { status: res.status, headers, body: res.body };
}
