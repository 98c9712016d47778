// The Session: what resources use. It ties resolved credentials to endpoints, tokens, microversions,
// scope checks and the transport. Sessions are cheap; tokens and version ranges are cached per process.
import {
  Credentials,
  CredentialRequest,
  ResolveOptions,
  registerCredentialSecrets,
  resolveCredentials,
} from "./credentials";
import {
  ConfigurationError,
  ScopeMismatchError,
  UnsupportedMicroversionError,
  hasStatus,
  isNotFound,
} from "./errors";
import { HttpMethod, HttpResponse, send } from "./http";
import { getToken, findEndpoint, invalidateToken, ResolvedEndpoint } from "./keystone";
import { compareMicroversions, discoverVersions, VersionRange } from "./microversions";
import { assertMayRequest } from "./readOnly";
import { RetryPolicy } from "./retry";
import { Scope, scopeDifferences } from "./scope";
import { ServiceType, serviceInfo } from "./services";

/** Options of `connect`. */
export interface SessionOptions extends CredentialRequest {
  /** Use these credentials instead of resolving them (the drift command, tests). `region` still applies. */
  credentials?: Credentials;
  /** Overrides of the transport's retry policy (tests use tiny delays). */
  retry?: Partial<RetryPolicy>;
  /** Default per-request timeout in ms (the process default of `setRequestTimeout`, else 60 000). */
  timeoutMs?: number;
  /** Where credentials are resolved from (tests). */
  resolve?: ResolveOptions;
}

/** Options of one `Session.request`. */
export interface RequestOptions {
  /** JSON body. */
  body?: unknown;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** The microversion to send (in the service's own header). Omit for the service's default. */
  microversion?: string;
  /** Manila experimental APIs (X-OpenStack-Manila-API-Experimental: True). */
  experimental?: boolean;
  /** Safe to repeat after a timeout, reset or 502/503/504; default true for GET, HEAD, PUT, DELETE. */
  idempotent?: boolean;
  /** What is being done, for error messages: "attaching share S to server V". */
  action?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Statuses outside 2xx that count as success (e.g. 300). */
  okStatuses?: number[];
}

/** Options of `Session.isGone`. */
export interface GoneCheck {
  /** The scope recorded when the object was created: a 404 elsewhere is an error, not "gone". */
  recorded?: Partial<Scope>;
  /** The lowest microversion at which the method exists: a 404 below it is an error, not "gone". */
  minMicroversion?: string;
  /** The object, for messages: "share attachment V/S". */
  what?: string;
}

// Catalog URLs may carry a project-id template ("/v2.1/%(project_id)s") that is ours to fill in.
const PROJECT_TEMPLATE = /[%$]\((?:project_id|tenant_id)\)s/;

/** A connection to one cloud (credentials + region). Create it with `connect`. */
export class Session {
  readonly #credentials: Credentials;
  readonly #retry?: Partial<RetryPolicy>;
  readonly #timeoutMs?: number;

  constructor(credentials: Credentials, options: Pick<SessionOptions, "retry" | "timeoutMs"> = {}) {
    registerCredentialSecrets(credentials);
    this.#credentials = credentials;
    this.#retry = options.retry;
    this.#timeoutMs = options.timeoutMs;
  }

  /** The configured region (undefined: the catalog's only one). */
  get region(): string | undefined {
    return this.#credentials.region;
  }

  /** Where the credentials came from, for messages. */
  get source(): string {
    return this.#credentials.source;
  }

  /** The auth type in use. */
  get authType(): Credentials["authType"] {
    return this.#credentials.authType;
  }

  private get usesKeystone(): boolean {
    return this.#credentials.authType !== "none" && this.#credentials.authType !== "admin_token";
  }

  private keystoneOptions() {
    return { retry: this.#retry, timeoutMs: this.#timeoutMs };
  }

  private async authToken(): Promise<string> {
    const c = this.#credentials;
    if (c.authType === "none") return `${c.userId ?? c.username ?? "admin"}:${c.projectId ?? c.projectName}`;
    if (c.authType === "admin_token") return c.token!;
    return (await getToken(c, this.keystoneOptions())).value;
  }

  /** The project id of the credentials (from the token for Keystone auth). */
  async projectId(): Promise<string | undefined> {
    const c = this.#credentials;
    if (!this.usesKeystone) return c.projectId ?? c.projectName;
    return (await getToken(c, this.keystoneOptions())).projectId;
  }

  /**
   * The role names of the credentials (from the Keystone token); undefined for no-auth and admin-token
   * sessions, which cannot know them. For checks a service does not make itself (Cinder ignores
   * `all_tenants` from a non-admin instead of refusing it).
   */
  async roles(): Promise<string[] | undefined> {
    if (!this.usesKeystone) return undefined;
    return (await getToken(this.#credentials, this.keystoneOptions())).roles;
  }

  private async resolveEndpoint(service: ServiceType): Promise<ResolvedEndpoint> {
    const c = this.#credentials;
    const override = c.endpointOverrides[service];
    let found: ResolvedEndpoint;
    if (override) found = { url: override, region: c.region };
    else if (!this.usesKeystone) {
      throw new ConfigurationError(
        `${c.authType} authentication has no endpoint for ${service}: set its endpoint override (credentials from ${c.source})`,
      );
    } else
      found = findEndpoint(
        (await getToken(c, this.keystoneOptions())).catalog,
        service,
        c.region,
        c.interface,
      );
    if (PROJECT_TEMPLATE.test(found.url)) {
      const project = (await this.projectId()) ?? "";
      found = { ...found, url: found.url.replace(new RegExp(PROJECT_TEMPLATE.source, "g"), project) };
    }
    return found;
  }

  /** The endpoint URL of a service (override, else catalog by region and interface), without trailing slash. */
  async endpoint(service: ServiceType): Promise<string> {
    return (await this.resolveEndpoint(service)).url;
  }

  /** The current scope for a service: region, project id, endpoint. Record it in outputs at create. */
  async scope(service: ServiceType): Promise<Scope> {
    const ep = await this.resolveEndpoint(service);
    const scope: Scope = { endpoint: ep.url };
    if (ep.region !== undefined) scope.region = ep.region;
    const projectId = await this.projectId();
    if (projectId !== undefined) scope.projectId = projectId;
    return scope;
  }

  /**
   * Throws `ScopeMismatchError` when the current credentials point at another region, project or endpoint
   * than `recorded`. `what` names the object: "server share attachment V/S".
   */
  async assertScope(recorded: Partial<Scope>, service: ServiceType, what: string): Promise<void> {
    const current = await this.scope(service);
    const diffs = scopeDifferences(recorded, current);
    if (diffs.length > 0) {
      throw new ScopeMismatchError(
        `${what} was created in ${diffs.join(", ")}: the current credentials (${this.source}) point elsewhere; ` +
          "set the resource's cloud/region (or the provider configuration) to where it lives",
      );
    }
  }

  /**
   * Decides whether `err` proves that an object is gone: true for a 404 when the scope matches `recorded`
   * and the request's microversion was at least `minMicroversion`; false for any other error. Throws
   * `ScopeMismatchError` or an explanatory error when the 404 proves nothing.
   */
  async isGone(err: unknown, check: GoneCheck = {}): Promise<boolean> {
    if (!isNotFound(err)) return false;
    if (check.recorded)
      await this.assertScope(check.recorded, err.service as ServiceType, check.what ?? err.path);
    if (check.minMicroversion) {
      if (!err.microversion || compareMicroversions(err.microversion, check.minMicroversion) < 0) {
        throw new Error(
          `${err.message}: this 404 does not prove the object is gone, because the call was made at microversion ` +
            `${err.microversion ?? "(none)"} and the method needs ${check.minMicroversion}`,
        );
      }
    }
    return true;
  }

  /** The microversion range the service's endpoint supports (discovered once per endpoint). */
  async versions(service: ServiceType): Promise<VersionRange> {
    const endpoint = await this.endpoint(service);
    return discoverVersions(endpoint, (url) =>
      this.request(service, "GET", url, {
        action: `discovering the ${service} API versions`,
        okStatuses: [300],
      }),
    );
  }

  /**
   * The microversion to send for a call that would like `want`: min(want, the server's max), raised to the
   * server's min if needed. A service without microversions gives `want` back unchanged.
   */
  async microversion(service: ServiceType, want: string): Promise<string> {
    const range = await this.versions(service);
    let chosen = want;
    if (range.max && compareMicroversions(range.max, chosen) < 0) chosen = range.max;
    if (range.min && compareMicroversions(range.min, chosen) > 0) chosen = range.min;
    return chosen;
  }

  /**
   * Fails before any mutation when the service cannot do `feature`: "this cloud's compute API tops at
   * 2.93; microversion 2.97 is needed for share attachments". Returns `min` (the version to send).
   */
  async requireMicroversion(service: ServiceType, min: string, feature: string): Promise<string> {
    const range = await this.versions(service);
    const api = serviceInfo(service).apiName;
    if (!range.max || compareMicroversions(range.max, min) < 0) {
      const where = `(endpoint ${await this.endpoint(service)})`;
      const tops = range.max ? `tops at ${range.max}` : "has no microversions";
      throw new UnsupportedMicroversionError(
        `this cloud's ${api} API ${tops}; microversion ${min} is needed for ${feature} ${where}`,
        service,
        min,
        range.max,
      );
    }
    return min;
  }

  /**
   * GETs a collection and every following page: reads `data[key]` and follows the `<key>_links` "next"
   * link (Nova, Cinder and Manila paginate this way) until there is none. Returns all items.
   */
  async listAll<T = any>(
    service: ServiceType,
    path: string,
    key: string,
    options: RequestOptions = {},
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let next: string | undefined = path;
    let query = options.query;
    while (next !== undefined) {
      const { data }: HttpResponse<any> = await this.request(service, "GET", next, { ...options, query });
      items.push(...((data?.[key] as T[] | undefined) ?? []));
      const link: { href?: string } | undefined = (
        data?.[`${key}_links`] as { rel?: string; href?: string }[] | undefined
      )?.find((l) => l.rel === "next");
      next = link?.href;
      query = undefined; // the next link carries the query
      if (next !== undefined) {
        if (seen.has(next)) throw new Error(`${service} GET ${path}: the "next" link repeats (${next})`);
        seen.add(next);
      }
    }
    return items;
  }

  /**
   * Calls a service: `path` is relative to the service endpoint ("/servers/x") or an absolute URL on the
   * same host (pagination links). Authenticates lazily, sends the microversion header, retries as the
   * transport allows, renews the token once on a 401, and throws `OpenStackError` on failure. In read-only
   * mode (`setReadOnly`), anything but GET and HEAD throws `ReadOnlyError` before it is sent.
   */
  async request<T = any>(
    service: ServiceType,
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    assertMayRequest(method, service, path, options.action);
    const endpoint = await this.endpoint(service);
    const url = buildUrl(endpoint, path, options.query);
    const headers: Record<string, string> = { ...options.headers };
    if (options.microversion)
      Object.assign(headers, serviceInfo(service).microversionHeaders(options.microversion));
    if (options.experimental) headers["X-OpenStack-Manila-API-Experimental"] = "True";
    for (let attempt = 0; ; attempt++) {
      const token = await this.authToken();
      try {
        return await send<T>({
          service,
          method,
          url,
          headers: { ...headers, "X-Auth-Token": token },
          body: options.body,
          idempotent: options.idempotent,
          action: options.action,
          microversion: options.microversion,
          timeoutMs: options.timeoutMs ?? this.#timeoutMs,
          signal: options.signal,
          okStatuses: options.okStatuses,
          tls: { cacertFile: this.#credentials.cacertFile, insecure: this.#credentials.insecure },
          retry: this.#retry,
        });
      } catch (err) {
        // A 401 means the token was revoked or expired early: renew it once.
        if (attempt === 0 && this.usesKeystone && hasStatus(err, 401)) {
          invalidateToken(this.#credentials, token);
          continue;
        }
        throw err;
      }
    }
  }
}

function buildUrl(endpoint: string, path: string, query: RequestOptions["query"]): string {
  let url: URL;
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
    if (url.origin !== new URL(endpoint).origin) {
      throw new ConfigurationError(
        `refusing to send credentials to ${url.origin}: not the endpoint's host (${endpoint})`,
      );
    }
  } else {
    url = new URL(`${endpoint}/${path.replace(/^\/+/, "")}`);
  }
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) url.searchParams.append(k, String(v));
  }
  return url.toString();
}

/**
 * Opens a session: resolves credentials for the resource's `cloud`/`region` inputs (see
 * `resolveCredentials`), or uses `options.credentials`. Synchronous and offline: nothing is sent until
 * the first call. Throws `ConfigurationError` for missing or bad credentials.
 */
export function connect(options: SessionOptions = {}): Session {
  const credentials = options.credentials
    ? { ...options.credentials, ...(options.region ? { region: options.region } : {}) }
    : resolveCredentials({ cloud: options.cloud, region: options.region }, options.resolve);
  return new Session(credentials, options);
}
