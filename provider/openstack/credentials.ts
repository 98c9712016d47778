// Credential resolution: the resource's `cloud` input, the stack config (openstack:*), the OS_* environment,
// OS_CLOUD. The first source that names a cloud or an auth URL (or sets up no-auth endpoints) wins as a
// whole; a resource's `region` overrides only the region.
import { CloudEntry, ConfigFileOptions, loadCloud } from "./cloudsYaml";
import { ConfigurationError } from "./errors";
import { registerSecret } from "./log";
import { ServiceType, serviceForOverrideKey } from "./services";

/**
 * How requests are authenticated. `password`, `v3applicationcredential` and `token` get a Keystone v3
 * token; `none` (no-auth deployments) sends `X-Auth-Token: <user>:<project>`; `admin_token` sends the
 * given token as is. The last two need an endpoint override per service.
 */
export type AuthType = "password" | "v3applicationcredential" | "token" | "none" | "admin_token";

/** Which catalog interface to use. */
export type EndpointInterface = "public" | "internal" | "admin";

/** A resolved credential set. Holds secrets: never log it, return it as an output or capture it. */
export interface Credentials {
  authType: AuthType;
  authUrl?: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** Default domain for user and project names; scopes the token to this domain when no project is named. */
  domainName?: string;
  domainId?: string;
  /** Domain id used for names when no other domain is given (default "default"). */
  defaultDomain?: string;
  token?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  region?: string;
  interface: EndpointInterface;
  cacertFile?: string;
  insecure: boolean;
  /** Endpoint per service, replacing the catalog's (required for `none` and `admin_token`). */
  endpointOverrides: Partial<Record<ServiceType, string>>;
  /** Where these credentials came from, for messages ("environment (OS_*)", "clouds.yaml cloud \"x\" (...)"). */
  source: string;
}

// Every plain field we read, and its name in each source. The README's configuration table lists the same.
type PlainField = Exclude<
  keyof Credentials,
  "authType" | "interface" | "insecure" | "endpointOverrides" | "source"
>;
interface FieldNames {
  env: string[];
  stack: string[];
  clouds: string[];
  secret?: boolean;
}
const FIELDS: Record<PlainField, FieldNames> = {
  authUrl: { env: ["OS_AUTH_URL"], stack: ["authUrl"], clouds: ["auth.auth_url"] },
  username: { env: ["OS_USERNAME"], stack: ["userName"], clouds: ["auth.username", "auth.user_name"] },
  userId: { env: ["OS_USER_ID"], stack: ["userId"], clouds: ["auth.user_id"] },
  password: { env: ["OS_PASSWORD"], stack: ["password"], clouds: ["auth.password"], secret: true },
  projectName: {
    env: ["OS_PROJECT_NAME", "OS_TENANT_NAME"],
    stack: ["tenantName"],
    clouds: ["auth.project_name", "auth.tenant_name"],
  },
  projectId: {
    env: ["OS_PROJECT_ID", "OS_TENANT_ID"],
    stack: ["tenantId"],
    clouds: ["auth.project_id", "auth.tenant_id"],
  },
  userDomainName: {
    env: ["OS_USER_DOMAIN_NAME"],
    stack: ["userDomainName"],
    clouds: ["auth.user_domain_name"],
  },
  userDomainId: { env: ["OS_USER_DOMAIN_ID"], stack: ["userDomainId"], clouds: ["auth.user_domain_id"] },
  projectDomainName: {
    env: ["OS_PROJECT_DOMAIN_NAME"],
    stack: ["projectDomainName"],
    clouds: ["auth.project_domain_name"],
  },
  projectDomainId: {
    env: ["OS_PROJECT_DOMAIN_ID"],
    stack: ["projectDomainId"],
    clouds: ["auth.project_domain_id"],
  },
  domainName: { env: ["OS_DOMAIN_NAME"], stack: ["domainName"], clouds: ["auth.domain_name"] },
  domainId: { env: ["OS_DOMAIN_ID"], stack: ["domainId"], clouds: ["auth.domain_id"] },
  defaultDomain: {
    env: ["OS_DEFAULT_DOMAIN"],
    stack: ["defaultDomain"],
    clouds: ["auth.default_domain", "default_domain"],
  },
  token: { env: ["OS_TOKEN"], stack: ["token"], clouds: ["auth.token"], secret: true },
  applicationCredentialId: {
    env: ["OS_APPLICATION_CREDENTIAL_ID"],
    stack: ["applicationCredentialId"],
    clouds: ["auth.application_credential_id"],
  },
  applicationCredentialName: {
    env: ["OS_APPLICATION_CREDENTIAL_NAME"],
    stack: ["applicationCredentialName"],
    clouds: ["auth.application_credential_name"],
  },
  applicationCredentialSecret: {
    env: ["OS_APPLICATION_CREDENTIAL_SECRET"],
    stack: ["applicationCredentialSecret"],
    clouds: ["auth.application_credential_secret"],
    secret: true,
  },
  region: { env: ["OS_REGION_NAME"], stack: ["region"], clouds: ["region_name"] },
  cacertFile: { env: ["OS_CACERT"], stack: ["cacertFile"], clouds: ["cacert"] },
};
// The special fields, with the same three spellings (for the README and messages).
const AUTH_TYPE: FieldNames = { env: ["OS_AUTH_TYPE"], stack: [], clouds: ["auth_type"] };
const INTERFACE: FieldNames = {
  env: ["OS_INTERFACE", "OS_ENDPOINT_TYPE"],
  stack: ["endpointType"],
  clouds: ["interface", "endpoint_type"],
};
const INSECURE: FieldNames = {
  env: ["OS_INSECURE"],
  stack: ["insecure"],
  clouds: ["insecure", "verify"],
};
const CLOUD: FieldNames = { env: ["OS_CLOUD"], stack: ["cloud"], clouds: [] };
const OVERRIDES: FieldNames = {
  env: ["OS_<SERVICE>_ENDPOINT_OVERRIDE"],
  stack: ["endpointOverrides"],
  clouds: ["<service>_endpoint_override"],
};

/** Every key read from each source, for documentation: [field, {env, stack, clouds}]. */
export const CREDENTIAL_KEYS: ReadonlyArray<[string, FieldNames]> = [
  ["cloud", CLOUD],
  ["authType", AUTH_TYPE],
  ...(Object.entries(FIELDS) as [string, FieldNames][]),
  ["interface", INTERFACE],
  ["insecure", INSECURE],
  ["endpointOverrides", OVERRIDES],
];

// A source normalised to a flat bag: plain field -> value, plus the special ones.
interface RawSource {
  label: string;
  /** How this source spells a field, for messages. */
  nameOf: (names: FieldNames) => string;
  values: Partial<Record<PlainField, string>>;
  authType?: string;
  interface?: string;
  insecure?: string | boolean;
  cloud?: string;
  overrides: Record<string, string>;
}

// A value as a string; empty means unset. Not trimmed: a password may end in a space.
function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value);
  return s.trim() === "" ? undefined : s;
}

// The plain fields of one source: for each field, the first of its keys (`keysOf`) that has a value.
function readFields(
  keysOf: (names: FieldNames) => string[],
  get: (key: string) => unknown,
): Partial<Record<PlainField, string>> {
  const values: Partial<Record<PlainField, string>> = {};
  for (const [field, names] of Object.entries(FIELDS) as [PlainField, FieldNames][]) {
    const hit = keysOf(names)
      .map((k) => str(get(k)))
      .find((v) => v !== undefined);
    if (hit !== undefined) values[field] = hit;
  }
  return values;
}

// Endpoint overrides spelled as keys of a flat map: "<service>_endpoint_override", "OS_<SERVICE>_ENDPOINT_OVERRIDE".
function overridesFrom(map: Record<string, unknown>, pattern: RegExp): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    const m = pattern.exec(key);
    if (m && str(value)) overrides[m[1]] = str(value)!;
  }
  return overrides;
}

function dig(obj: Record<string, any>, dotted: string): unknown {
  return dotted.split(".").reduce<any>((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj);
}

function fromCloudEntry(cloud: CloudEntry): RawSource {
  const e = cloud.entry;
  const verify = e.verify;
  return {
    label: `clouds.yaml cloud "${cloud.name}" (${cloud.files.join(" + ")})`,
    nameOf: (names) => `clouds.${cloud.name}.${names.clouds[0] ?? "?"}`,
    values: readFields(
      (n) => n.clouds,
      (key) => dig(e, key),
    ),
    authType: str(e.auth_type),
    interface: str(e.interface) ?? str(e.endpoint_type),
    insecure: e.insecure ?? (verify === false || verify === "false" ? true : undefined),
    overrides: overridesFrom(e, /^(.+)_endpoint_override$/),
  };
}

function fromEnv(env: NodeJS.ProcessEnv): RawSource {
  return {
    label: "environment (OS_*)",
    nameOf: (names) => names.env[0] ?? "?",
    values: readFields(
      (n) => n.env,
      (key) => env[key],
    ),
    authType: str(env.OS_AUTH_TYPE),
    interface: str(env.OS_INTERFACE) ?? str(env.OS_ENDPOINT_TYPE),
    insecure: str(env.OS_INSECURE),
    cloud: str(env.OS_CLOUD),
    overrides: overridesFrom(env, /^OS_(.+)_ENDPOINT_OVERRIDE$/),
  };
}

/** Stack config values by key without the "openstack:" prefix (as @pulumi/openstack names them). */
export type StackConfig = Record<string, unknown>;

let stackConfig: StackConfig = {};

/** Anything with `get(key)`: the dynamic provider's `req.config`, or `new pulumi.Config("openstack")`. */
export interface ConfigReader {
  get(key: string): string | undefined;
  /** pulumi.Config's namespace; when it is "openstack", keys are read without the prefix. */
  readonly name?: string;
}

const STACK_KEYS = [...CREDENTIAL_KEYS.flatMap(([, names]) => names.stack)];

/**
 * Sets the stack config the credentials are resolved from (source 2). Call it from a dynamic provider's
 * synchronous `configure` with `req.config`, or in the program with `new pulumi.Config("openstack")`, or
 * with a plain object (`{authUrl: ...}` or `{"openstack:authUrl": ...}`). Secret values are registered for
 * redaction. Replaces what an earlier call set.
 */
export function setStackConfig(config: ConfigReader | StackConfig | undefined): void {
  stackConfig = readStackConfig(config);
}

/**
 * The credential keys of a stack config (without the "openstack:" prefix), read from a `ConfigReader` or a
 * plain object as `setStackConfig` reads them, without making them the process-wide config. Lookups pass the
 * result to `connect({resolve: {stackConfig}})`. Secret values are registered for redaction.
 */
export function readStackConfig(config: ConfigReader | StackConfig | undefined): StackConfig {
  const next: StackConfig = {};
  for (const key of STACK_KEYS) {
    let value: unknown;
    if (config && typeof (config as ConfigReader).get === "function") {
      const reader = config as ConfigReader;
      value = reader.name === "openstack" ? reader.get(key) : reader.get(`openstack:${key}`);
    } else if (config) {
      const map = config as StackConfig;
      value = map[`openstack:${key}`] ?? map[key];
    }
    if (value !== undefined && value !== null && value !== "") next[key] = value;
  }
  for (const names of Object.values(FIELDS)) {
    if (names.secret) registerSecret(str(next[names.stack[0]]));
  }
  return next;
}

/** The stack config last set with `setStackConfig` (secrets included: do not log it). */
export function getStackConfig(): StackConfig {
  return { ...stackConfig };
}

function fromStack(config: StackConfig): RawSource {
  let overrides: Record<string, string> = {};
  const raw = config.endpointOverrides;
  if (typeof raw === "string") {
    try {
      overrides = JSON.parse(raw);
    } catch {
      throw new ConfigurationError(
        `openstack:endpointOverrides must be a map of service to URL (JSON), got: ${raw}`,
      );
    }
  } else if (raw && typeof raw === "object") {
    overrides = raw as Record<string, string>;
  }
  return {
    label: "stack config (openstack:*)",
    nameOf: (names) => (names.stack[0] ? `openstack:${names.stack[0]}` : "?"),
    values: readFields(
      (n) => n.stack,
      (key) => config[key],
    ),
    interface: str(config.endpointType),
    insecure: config.insecure as string | boolean | undefined,
    cloud: str(config.cloud),
    overrides,
  };
}

function overlay(base: RawSource, over: RawSource): RawSource {
  return {
    label: `${over.label} with ${base.label}`,
    nameOf: (names) => (names.stack[0] ? over.nameOf(names) : base.nameOf(names)),
    values: { ...base.values, ...over.values },
    authType: over.authType ?? base.authType,
    interface: over.interface ?? base.interface,
    insecure: over.insecure ?? base.insecure,
    overrides: { ...base.overrides, ...over.overrides },
  };
}

const NO_KEYSTONE = new Set(["none", "noauth", "admin_token"]);

// Whether a source is "set": it names a cloud or an auth URL, or sets up no-auth. The stack config has no
// auth-type key, so there endpoint overrides alone mean no-auth.
function namesSomething(source: RawSource, overridesAlone: boolean): boolean {
  return (
    source.cloud !== undefined ||
    source.values.authUrl !== undefined ||
    NO_KEYSTONE.has((source.authType ?? "").toLowerCase()) ||
    (overridesAlone && Object.keys(source.overrides).length > 0)
  );
}

/** What a resource (or lookup) asks for: its `cloud` and `region` inputs. */
export interface CredentialRequest {
  /** A clouds.yaml entry; when set, it is the only source used. */
  cloud?: string;
  /** Replaces the region of whichever source wins. */
  region?: string;
}

/** Where resolution reads from; tests pass their own. */
export interface ResolveOptions extends ConfigFileOptions {
  /** Stack config to use instead of the one set with `setStackConfig`. */
  stackConfig?: StackConfig;
}

/**
 * Resolves the credentials for a request. Sources, first match wins as a whole:
 * 1. the request's `cloud` (a clouds.yaml entry, secure.yaml merged in);
 * 2. the stack config, when it sets `cloud` or `authUrl` (or endpoint overrides for no-auth); its other
 *    keys override the named cloud's fields;
 * 3. the OS_* environment, when it sets OS_AUTH_URL (or OS_AUTH_TYPE none/noauth/admin_token);
 * 4. OS_CLOUD (a clouds.yaml entry).
 * The request's `region` then replaces the region. Validates the result and throws a
 * `ConfigurationError` naming the missing or bad key. Registers every secret for redaction.
 */
export function resolveCredentials(
  request: CredentialRequest = {},
  options: ResolveOptions = {},
): Credentials {
  const env = options.env ?? process.env;
  const fileOptions: ConfigFileOptions = { env, configDirs: options.configDirs };
  const cloudSource = (name: string, label: string): RawSource => {
    const source = fromCloudEntry(loadCloud(name, fileOptions));
    return { ...source, label: `${label} "${name}": ${source.label}` };
  };

  let chosen: RawSource | undefined;
  if (str(request.cloud)) {
    chosen = cloudSource(str(request.cloud)!, "the resource's cloud input");
  }
  if (!chosen) {
    const stack = fromStack(options.stackConfig ?? stackConfig);
    if (namesSomething(stack, true))
      chosen = stack.cloud ? overlay(cloudSource(stack.cloud, "openstack:cloud"), stack) : stack;
  }
  if (!chosen) {
    const fromEnvironment = fromEnv(env);
    if (namesSomething({ ...fromEnvironment, cloud: undefined }, false)) chosen = fromEnvironment;
    else if (fromEnvironment.cloud) chosen = cloudSource(fromEnvironment.cloud, "OS_CLOUD");
  }
  if (!chosen) {
    throw new ConfigurationError(
      "no OpenStack credentials found: set the resource's cloud input, the stack config (openstack:cloud or " +
        "openstack:authUrl...), the OS_* environment variables (OS_AUTH_URL...) or OS_CLOUD",
    );
  }
  const credentials = finish(chosen);
  if (str(request.region)) credentials.region = str(request.region);
  return credentials;
}

/** Registers the secret fields of a credential set (password, token, application-credential secret) for redaction. */
export function registerCredentialSecrets(c: Partial<Credentials>): void {
  for (const [field, names] of Object.entries(FIELDS)) {
    if (names.secret) registerSecret(c[field as PlainField]);
  }
}

function parseBool(value: string | boolean | undefined, name: string): boolean {
  if (value === undefined || typeof value === "boolean") return value === true;
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off", ""].includes(v)) return false;
  throw new ConfigurationError(`${name} must be true or false, got "${value}"`);
}

function checkUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`${name} is not a URL: "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

function finish(source: RawSource): Credentials {
  const v = source.values;
  const name = (field: PlainField) => `${source.nameOf(FIELDS[field])} (${source.label})`;
  const special = (names: FieldNames) => `${source.nameOf(names)} (${source.label})`;

  const overrides: Partial<Record<ServiceType, string>> = {};
  for (const [key, url] of Object.entries(source.overrides)) {
    const service = serviceForOverrideKey(key);
    if (service && str(url))
      overrides[service] = checkUrl(str(url)!, `endpoint override "${key}" (${source.label})`);
  }

  const rawInterface = (source.interface ?? "public").toLowerCase().replace(/url$/, "");
  if (!["public", "internal", "admin"].includes(rawInterface)) {
    throw new ConfigurationError(
      `${special(INTERFACE)} must be public, internal or admin, got "${source.interface}"`,
    );
  }

  const authType = normaliseAuthType(source, overrides);
  const credentials: Credentials = {
    ...v,
    authType,
    interface: rawInterface as EndpointInterface,
    insecure: parseBool(source.insecure, special(INSECURE)),
    endpointOverrides: overrides,
    source: source.label,
  };
  if (credentials.authUrl) credentials.authUrl = checkUrl(credentials.authUrl, name("authUrl"));
  registerCredentialSecrets(credentials);

  const need = (ok: unknown, what: string) => {
    if (!ok) throw new ConfigurationError(`${authType} authentication needs ${what}`);
  };
  if (authType === "none" || authType === "admin_token") {
    need(Object.keys(overrides).length > 0, `an endpoint override per service (${special(OVERRIDES)})`);
    if (authType === "none") need(v.projectId ?? v.projectName, `a project id: ${name("projectId")}`);
    else need(v.token, `a token: ${name("token")}`);
    return credentials;
  }
  need(v.authUrl, `an auth URL: ${name("authUrl")}`);
  if (authType === "password") {
    need(v.userId ?? v.username, `a user: ${name("username")} or ${name("userId")}`);
    need(v.password, `a password: ${name("password")}`);
  } else if (authType === "v3applicationcredential") {
    need(v.applicationCredentialSecret, `a secret: ${name("applicationCredentialSecret")}`);
    need(
      v.applicationCredentialId ?? (v.applicationCredentialName && (v.userId ?? v.username)),
      `${name("applicationCredentialId")}, or ${name("applicationCredentialName")} with a user`,
    );
  } else {
    need(v.token, `a token: ${name("token")}`);
  }
  return credentials;
}

function normaliseAuthType(source: RawSource, overrides: Partial<Record<ServiceType, string>>): AuthType {
  const v = source.values;
  const raw = (source.authType ?? "").toLowerCase();
  switch (raw) {
    case "password":
    case "v3password":
      return "password";
    case "v3applicationcredential":
    case "applicationcredential":
      return "v3applicationcredential";
    case "token":
    case "v3token":
      return "token";
    case "none":
    case "noauth":
      return "none";
    case "admin_token":
      return "admin_token";
    case "":
      break;
    default:
      throw new ConfigurationError(
        `${source.nameOf(AUTH_TYPE)} (${source.label}) "${source.authType}" is not supported; use password, ` +
          "v3applicationcredential, token, none or admin_token",
      );
  }
  // Not given: infer it as @pulumi/openstack and openstacksdk do.
  if (!v.authUrl && Object.keys(overrides).length > 0) return v.token ? "admin_token" : "none";
  if (v.applicationCredentialId || v.applicationCredentialSecret) return "v3applicationcredential";
  if (v.token && !v.password) return "token";
  return "password";
}
