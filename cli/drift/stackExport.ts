// Reading a `pulumi stack export` document (apitype UntypedDeployment: {version, deployment}; deployment =
// DeploymentV3 {manifest, resources: ResourceV3[], ...}) and picking out the resources of this package.
// Nothing in it is ever evaluated: `__provider` (JavaScript text the export's author controls) is removed
// unread, and the resources are read with this package's own provider code.

/** The type token prefix of every resource of this package (design.md: fixed, part of every URN). */
export const TYPE_PREFIX = "pulumi-nodejs:dynamic/openstack-storage:";

/** The newest deployment schema version this command understands (Pulumi's DeploymentSchemaVersionCurrent). */
const NEWEST_VERSION = 3;

/** Pulumi's marker of a secret value in state: `{[SECRET_SIG]: SECRET_VALUE, ciphertext | plaintext}`. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** The input every dynamic resource carries: the serialized provider. Never read, never evaluated. */
const PROVIDER_KEY = "__provider";

/** An export that cannot be used: the message says what is wrong with which document. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

/** A value the export holds encrypted: it cannot be compared nor passed to a read. */
export const ENCRYPTED: unique symbol = Symbol("encrypted secret");

/** One resource of this package as the export records it. */
export interface RecordedResource {
  urn: string;
  /** The resource's name (the URN's last part). */
  name: string;
  /** The class name, e.g. "VolumeAttachment". */
  kind: string;
  id: string;
  /** Input names (values are not kept: inputs are repeated verbatim in the outputs and never compared). */
  inputNames: string[];
  /** The recorded outputs with secrets unwrapped (plaintext) or replaced by ENCRYPTED; no `__provider`. */
  outputs: Record<string, unknown>;
  /** Outputs that were secret in the export (marked, or listed in additionalSecretOutputs). */
  secretOutputs: string[];
}

export interface ParsedExport {
  resources: RecordedResource[];
  /** Resources in the export that belong to other packages (skipped). */
  otherResources: number;
}

const describeType = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** True for Pulumi's secret wrapper. */
function isSecret(value: unknown): value is { ciphertext?: string; plaintext?: string } {
  return isObject(value) && value[SECRET_SIG] === SECRET_VALUE;
}

/** The value with every secret wrapper replaced by its plaintext value, or ENCRYPTED. */
function unwrapSecrets(value: unknown, where: string): unknown {
  if (isSecret(value)) {
    if (typeof value.plaintext !== "string") return ENCRYPTED;
    try {
      return unwrapSecrets(JSON.parse(value.plaintext), where);
    } catch {
      throw new ExportError(`${where}: a secret's plaintext is not JSON`);
    }
  }
  if (Array.isArray(value)) return value.map((item) => unwrapSecrets(item, where));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, where)]));
  }
  return value;
}

/** True when the value is, or holds, an encrypted secret. */
export function holdsEncrypted(value: unknown): boolean {
  if (value === ENCRYPTED) return true;
  if (Array.isArray(value)) return value.some(holdsEncrypted);
  if (isObject(value)) return Object.values(value).some(holdsEncrypted);
  return false;
}

/**
 * Parses the text of a `pulumi stack export` and returns the resources of this package, in export order.
 * `source` names the document in messages ("export.json", "standard input").
 */
export function parseStackExport(text: string, source: string): ParsedExport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const empty = text.trim() === "" ? " (it is empty)" : "";
    throw new ExportError(`${source} is not valid JSON${empty}: ${(err as Error).message}`);
  }
  const expected =
    'expected the output of `pulumi stack export`: {"version": 3, "deployment": {"manifest": ..., "resources": [...]}}';
  if (!isObject(doc)) {
    throw new ExportError(
      `${source} is not a Pulumi stack export: it holds ${describeType(doc)}; ${expected}`,
    );
  }
  if (!("deployment" in doc) || !("version" in doc)) {
    const keys = Object.keys(doc).slice(0, 8).join(", ") || "none";
    throw new ExportError(
      `${source} is not a Pulumi stack export: it has no ${"version" in doc ? "deployment" : "version"} ` +
        `(its top-level keys: ${keys}); ${expected}`,
    );
  }
  const version = doc.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new ExportError(`${source}: "version" must be a positive integer, got ${JSON.stringify(version)}`);
  }
  if (version > NEWEST_VERSION) {
    throw new ExportError(
      `${source}: deployment version ${version} is newer than this command understands (${NEWEST_VERSION}); ` +
        "upgrade pulumi-openstack-storage",
    );
  }
  const deployment = doc.deployment;
  if (!isObject(deployment)) {
    throw new ExportError(`${source}: "deployment" must be an object, got ${describeType(deployment)}`);
  }
  if (!isObject(deployment.manifest)) {
    throw new ExportError(`${source}: "deployment.manifest" is missing; ${expected}`);
  }
  const resources = deployment.resources ?? []; // an empty stack's export has none (omitempty)
  if (!Array.isArray(resources)) {
    throw new ExportError(
      `${source}: "deployment.resources" must be an array, got ${describeType(resources)}`,
    );
  }
  const ours: RecordedResource[] = [];
  resources.forEach((resource, index) => {
    const where = `${source}: deployment.resources[${index}]`;
    if (!isObject(resource) || typeof resource.type !== "string" || typeof resource.urn !== "string") {
      throw new ExportError(`${where} is not a resource (it needs a "urn" and a "type")`);
    }
    if (!resource.type.startsWith(TYPE_PREFIX)) return;
    ours.push(recordedResource(resource, `${where} (${resource.urn})`));
  });
  return { resources: ours, otherResources: resources.length - ours.length };
}

function recordedResource(resource: Record<string, unknown>, where: string): RecordedResource {
  const urn = resource.urn as string;
  const kind = (resource.type as string).slice(TYPE_PREFIX.length);
  if (typeof resource.id !== "string" || resource.id === "") {
    throw new ExportError(`${where} has no "id"`);
  }
  for (const key of ["inputs", "outputs"]) {
    if (resource[key] !== undefined && !isObject(resource[key])) {
      throw new ExportError(`${where}: "${key}" must be an object, got ${describeType(resource[key])}`);
    }
  }
  const inputs = (resource.inputs ?? {}) as Record<string, unknown>;
  const rawOutputs = { ...((resource.outputs ?? {}) as Record<string, unknown>) };
  delete rawOutputs[PROVIDER_KEY];
  const listed = Array.isArray(resource.additionalSecretOutputs)
    ? resource.additionalSecretOutputs.filter((key): key is string => typeof key === "string")
    : [];
  const marked = Object.keys(rawOutputs).filter((key) => isSecret(rawOutputs[key]));
  return {
    urn,
    name: urn.slice(urn.lastIndexOf("::") + 2),
    kind,
    id: resource.id,
    inputNames: Object.keys(inputs).filter((key) => key !== PROVIDER_KEY),
    outputs: unwrapSecrets(rawOutputs, where) as Record<string, unknown>,
    secretOutputs: [...new Set([...marked, ...listed])],
  };
}
