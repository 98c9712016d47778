// What every resource provider shares: the shape a resource engineer implements, and the wrapper that
// adapts it to Pulumi's dynamic-provider host.
// Types only from @pulumi/pulumi: the provider core never loads Pulumi's runtime.
import type {
  CheckResult,
  ConfigureRequest,
  CreateResult,
  DiffResult,
  ReadResult,
  ResourceProvider,
  UpdateResult,
} from "@pulumi/pulumi/dynamic";
import { Logger, setLogger, setStackConfig } from "../openstack";

export type { ConfigureRequest };

/** The value the engine sends, in a preview, for an input that is not known yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/**
 * What a kind says about its outputs, for readers of recorded state other than the engine (the drift
 * command compares live outputs with recorded ones). Inputs are never compared: outputs repeat them verbatim.
 */
export interface OutputDescription {
  /**
   * Outputs the cloud shows only to admins (e.g. Nova's share mapping `uuid`). When one side (recorded or
   * live) has a value and the other has none, the reading credential could not see it: "not visible", not drift.
   */
  adminOnly?: readonly string[];
  /** Secret outputs (also marked `additionalSecretOutputs` by the SDK class): never printed. */
  secret?: readonly string[];
  /** Outputs that change without any change to the object (e.g. an `updatedAt` timestamp): not compared. */
  volatile?: readonly string[];
}

/**
 * What a resource engineer implements for one resource kind. Like Pulumi's `ResourceProvider`, with two
 * differences the host needs: `configure` is synchronous (the host may run CRUD calls before an async
 * configure resolves), and every method but `configure` and `update` is required.
 */
export interface ResourceImplementation<Inputs = any, Outputs = any> {
  configure?(req: ConfigureRequest): void;
  check(olds: Inputs, news: Inputs): Promise<CheckResult<Inputs>>;
  diff(id: string, olds: Outputs, news: Inputs): Promise<DiffResult>;
  create(inputs: Inputs): Promise<CreateResult<Outputs>>;
  read(id: string, props?: Outputs): Promise<ReadResult<Outputs>>;
  /** Only needed when `diff` can report changes that do not replace. */
  update?(id: string, olds: Outputs, news: Inputs): Promise<UpdateResult<Outputs>>;
  delete(id: string, props: Outputs): Promise<void>;
  /** Which outputs are admin-only, secret or volatile. Default: none of them. */
  outputs?: OutputDescription;
}

/**
 * A create (or update) that failed after the object came to exist: the host reports it as
 * ErrorResourceInitFailed and the engine records the object with these outputs instead of orphaning it
 * (pulumi-dynamic-providers.md, trap 11).
 */
export class InitFailedError extends Error {
  readonly reasons: string[];

  /** `cause`: the error (or message) that ended the operation; `reasons` default to its message. */
  constructor(
    cause: unknown,
    readonly id: string,
    readonly properties: object,
    reasons?: string[],
  ) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(message);
    this.name = "InitFailedError";
    this.reasons = reasons ?? [message];
  }
}

/** The provider the serialized shim calls: every method present, `configure` synchronous. */
export type HostedProvider = Required<Omit<ResourceProvider, "configure">> & {
  configure(req: ConfigureRequest): void;
};

/**
 * Adapts an implementation to the host: hands the stack config to the client core (`setStackConfig`, so
 * implementations need no `configure` of their own), points the core's log at Pulumi's log, and drops
 * `undefined` from everything that becomes a protobuf Struct (it fails with "Unexpected struct type",
 * #11942), including the outputs of an init-failed create or update.
 */
export function wrapProvider(kind: string, impl: ResourceImplementation): HostedProvider {
  return {
    configure(req) {
      // The host unwrapped the secrets already; credentials are resolved lazily, at the first request.
      setStackConfig(req.config);
      setLogger(pulumiLogger());
      impl.configure?.(req);
    },
    async check(olds, news) {
      const result = await impl.check(olds, news);
      return { ...result, inputs: dropUndefined(result.inputs ?? news) };
    },
    diff: (id, olds, news) => impl.diff(id, olds, news),
    create: (inputs) =>
      withCleanErrorProperties(inputs, async () => {
        const result = await impl.create(inputs);
        return { id: result.id, outs: dropUndefined(result.outs) };
      }),
    async read(id, props) {
      const result = await impl.read(id, props);
      return dropUndefined(result);
    },
    update: (id, olds, news) =>
      withCleanErrorProperties(news, async () => {
        if (!impl.update) {
          throw new Error(
            `${kind} ${id}: cannot be updated in place (its diff should have asked for a replacement)`,
          );
        }
        const result = await impl.update(id, olds, news);
        return { outs: dropUndefined(result.outs) };
      }),
    delete: (id, props) => impl.delete(id, props),
  };
}

/**
 * The core's log lines as Pulumi log messages. Only Pulumi calls `configure` (its dynamic-provider host, or
 * its mocks in program tests), so only there is Pulumi's runtime loaded, and lazily: it is already loaded in
 * that process, and other users of the registry (the drift command) never load it.
 *
 * What becomes of the lines: the host has no connection to the engine (it would use one only if
 * PULUMI_NODEJS_ENGINE were set, and the engine does not set it for providers), so `@pulumi/pulumi/log`
 * writes info to stdout and warnings to stderr, prefixed "info: [runtime]" / "warning: [runtime]", and drops
 * debug. The engine reads a dynamic provider's stdout and stderr line by line as they come and shows each
 * line in the update's output (pulumi/pulumi#18249), so progress of long waits appears while they run.
 * Should a later host connect to the engine, the same calls become structured log messages with severity.
 */
function pulumiLogger(): Logger {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  const pulumiLog: typeof import("@pulumi/pulumi/log") = require("@pulumi/pulumi/log");
  return {
    debug: (message) => void pulumiLog.debug(message),
    info: (message) => void pulumiLog.info(message),
    warn: (message) => void pulumiLog.warn(message),
  };
}

/** A copy without `undefined`: object keys holding it are removed, array elements become null. */
export function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map((item) => (item === undefined ? null : dropUndefined(item))) as T;
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return Object.fromEntries(entries.map(([key, item]) => [key, dropUndefined(item)])) as T;
  }
  return value;
}

// The host packs an error's `properties` (init-failed create/update) into a Struct as well. Unlike a
// successful result's outputs, it does not add `__provider` to them: without it, the engine would record an
// object whose later refresh or delete the host cannot load a provider for ("code must be a string").
async function withCleanErrorProperties<T>(
  inputs: { __provider?: unknown },
  operation: () => Promise<T>,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error !== null && typeof error === "object" && "properties" in error) {
      error.properties = dropUndefined({ ...(error.properties as object), __provider: inputs?.__provider });
    }
    throw error;
  }
}
