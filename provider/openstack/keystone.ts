// Keystone v3: token requests (password, application credential, token), the per-process token cache
// (one token per credential set, one request in flight), and catalog lookup.
import { createHash } from "crypto";
import { Credentials } from "./credentials";
import { ConfigurationError } from "./errors";
import { HttpRequest, send } from "./http";
import { log, registerSecret } from "./log";
import { RetryPolicy } from "./retry";
import { ServiceType, serviceInfo } from "./services";

/** One endpoint of a catalog entry. */
export interface CatalogEndpoint {
  interface: string;
  region?: string;
  region_id?: string;
  url: string;
}

/** One service of the Keystone catalog. */
export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

/** A Keystone token with what came with it. `value` is a secret. */
export interface Token {
  value: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms after which the cache fetches a new token. */
  renewAt: number;
  projectId?: string;
  userId?: string;
  /** The names of the roles the token carries in its scope. */
  roles: string[];
  catalog: CatalogEntry[];
}

/** Transport settings the Keystone calls use. */
export interface KeystoneCallOptions {
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

// A token is renewed when less than min(5 minutes, half its lifetime) is left.
const RENEW_MARGIN_MS = 5 * 60_000;

/** The v3 base of an auth URL: "https://k:5000" and "https://k:5000/v3/" both give "https://k:5000/v3". */
export function identityBase(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, "");
  if (/\/v3$/.test(trimmed)) return trimmed;
  if (/\/v2\.0$/.test(trimmed)) {
    throw new ConfigurationError(
      `auth URL ${authUrl} is Keystone v2.0, which is not supported: use the v3 URL`,
    );
  }
  return `${trimmed}/v3`;
}

function domainRef(id?: string, name?: string): { id: string } | { name: string } | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

/** The body of POST /v3/auth/tokens for these credentials. */
export function authRequestBody(c: Credentials): unknown {
  const fallbackDomain = domainRef(c.domainId, c.domainName) ?? { id: c.defaultDomain ?? "default" };
  const user = c.userId
    ? { id: c.userId }
    : { name: c.username, domain: domainRef(c.userDomainId, c.userDomainName) ?? fallbackDomain };

  if (c.authType === "v3applicationcredential") {
    const appCred = c.applicationCredentialId
      ? { id: c.applicationCredentialId, secret: c.applicationCredentialSecret }
      : { name: c.applicationCredentialName, secret: c.applicationCredentialSecret, user };
    // An application credential carries its own scope.
    return { auth: { identity: { methods: ["application_credential"], application_credential: appCred } } };
  }

  let scope: unknown;
  if (c.projectId) scope = { project: { id: c.projectId } };
  else if (c.projectName) {
    scope = {
      project: {
        name: c.projectName,
        domain: domainRef(c.projectDomainId, c.projectDomainName) ?? fallbackDomain,
      },
    };
  } else if (c.domainId || c.domainName) scope = { domain: domainRef(c.domainId, c.domainName) };

  const identity =
    c.authType === "token"
      ? { methods: ["token"], token: { id: c.token } }
      : { methods: ["password"], password: { user: { ...user, password: c.password } } };
  return { auth: { identity, ...(scope ? { scope } : {}) } };
}

/** A stable key for a credential set (a hash: the key itself holds no secret). Region is not part of it. */
export function credentialKey(c: Credentials): string {
  const { region: _region, interface: _iface, endpointOverrides: _o, source: _s, ...identity } = c;
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}

function who(c: Credentials): string {
  if (c.authType === "v3applicationcredential") {
    return `application credential ${c.applicationCredentialId ?? c.applicationCredentialName}`;
  }
  if (c.authType === "token") return "a token";
  const project = c.projectId ?? c.projectName;
  return `user ${c.userId ?? c.username}${project ? ` in project ${project}` : ""}`;
}

/** Requests a new token from Keystone (no cache). */
export async function requestToken(c: Credentials, options: KeystoneCallOptions = {}): Promise<Token> {
  if (!c.authUrl)
    throw new ConfigurationError(`${c.authType} authentication needs an auth URL (${c.source})`);
  const req: HttpRequest = {
    service: "identity",
    method: "POST",
    url: `${identityBase(c.authUrl)}/auth/tokens`,
    body: authRequestBody(c),
    idempotent: true, // asking for a token twice is harmless
    action: `authenticating to Keystone as ${who(c)} (credentials from ${c.source})`,
    tls: { cacertFile: c.cacertFile, insecure: c.insecure },
    retry: options.retry,
    timeoutMs: options.timeoutMs,
  };
  const res = await send<any>(req);
  const value = res.headers["x-subject-token"];
  if (!value)
    throw new Error(`Keystone at ${c.authUrl} answered ${res.status} without an X-Subject-Token header`);
  registerSecret(value);
  const body = res.data?.token ?? {};
  const now = Date.now();
  const expiresAt = Date.parse(body.expires_at ?? "") || now + 3600_000;
  const issuedAt = Date.parse(body.issued_at ?? "") || now;
  const margin = Math.min(RENEW_MARGIN_MS, (expiresAt - issuedAt) / 2);
  log.debug(`got a Keystone token for ${who(c)}, expires ${new Date(expiresAt).toISOString()}`);
  return {
    value,
    expiresAt,
    renewAt: expiresAt - margin,
    projectId: body.project?.id,
    userId: body.user?.id,
    roles: Array.isArray(body.roles) ? body.roles.map((r: { name?: unknown }) => String(r?.name)) : [],
    catalog: Array.isArray(body.catalog) ? body.catalog : [],
  };
}

interface CacheEntry {
  token?: Token;
  inflight?: Promise<Token>;
}
const cache = new Map<string, CacheEntry>();

/**
 * The token for a credential set: the cached one while it is fresh, else a new one. Concurrent callers
 * share one Keystone request.
 */
export function getToken(c: Credentials, options: KeystoneCallOptions = {}): Promise<Token> {
  const key = credentialKey(c);
  let entry = cache.get(key);
  if (!entry) cache.set(key, (entry = {}));
  if (entry.token && Date.now() < entry.token.renewAt) return Promise.resolve(entry.token);
  if (entry.inflight) return entry.inflight;
  const e = entry;
  e.inflight = requestToken(c, options).then(
    (token) => {
      e.token = token;
      e.inflight = undefined;
      return token;
    },
    (err) => {
      e.inflight = undefined;
      throw err;
    },
  );
  return e.inflight;
}

/** Drops the cached token if it is still `rejected` (a service answered 401 to it). */
export function invalidateToken(c: Credentials, rejected: string): void {
  const entry = cache.get(credentialKey(c));
  if (entry?.token?.value === rejected) entry.token = undefined;
}

/** Forgets every cached token (tests). */
export function clearTokenCache(): void {
  cache.clear();
}

/** An endpoint picked from the catalog. */
export interface ResolvedEndpoint {
  url: string;
  region?: string;
}

/**
 * Picks `service`'s endpoint from the catalog: the first catalog type (aliases in preference order) with
 * an endpoint for `iface` in `region`. Without a region, the catalog must offer only one.
 */
export function findEndpoint(
  catalog: CatalogEntry[],
  service: ServiceType,
  region: string | undefined,
  iface: string,
): ResolvedEndpoint {
  const types = serviceInfo(service).catalogTypes;
  for (const type of types) {
    for (const entry of catalog.filter((e) => e.type === type)) {
      const matches = (entry.endpoints ?? []).filter(
        (ep) =>
          ep.interface?.replace(/URL$/, "") === iface &&
          (region === undefined || ep.region === region || ep.region_id === region),
      );
      const urls = [...new Set(matches.map((ep) => ep.url))];
      if (urls.length === 1) {
        const ep = matches[0];
        return { url: ep.url.replace(/\/+$/, ""), region: region ?? ep.region_id ?? ep.region };
      }
      if (urls.length > 1) {
        const regions = [...new Set(matches.map((ep) => ep.region_id ?? ep.region))].join(", ");
        throw new ConfigurationError(
          `the catalog has several ${iface} ${type} endpoints (regions ${regions}): set the region ` +
            "(the resource's region input, openstack:region, OS_REGION_NAME or region_name)",
        );
      }
    }
  }
  const offered = catalog
    .filter((e) => types.includes(e.type))
    .flatMap((e) =>
      (e.endpoints ?? []).map(
        (ep) => `${e.type} ${ep.interface} in ${ep.region_id ?? ep.region ?? "no region"}`,
      ),
    );
  throw new ConfigurationError(
    `no ${iface} endpoint for ${service} (catalog types ${types.join(", ")})` +
      `${region ? ` in region ${region}` : ""}; the catalog offers: ${offered.length ? offered.join("; ") : "none"}`,
  );
}
