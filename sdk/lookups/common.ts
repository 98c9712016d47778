// What every lookup shares: a session built in the program's own process, and the Output form.
//
// Lookups run where no provider `configure` is ever called (the program, or a plain pipeline script), so
// they read the stack config themselves, from `new pulumi.Config("openstack")`, and hand it to the client
// core per call instead of setting it process-wide. Precedence is design.md's: the `cloud` argument, the
// stack config, the OS_* environment, OS_CLOUD; `region` overrides only the region.
import * as pulumi from "@pulumi/pulumi";
import { connect, readStackConfig, Session, SessionOptions } from "../../provider/openstack";

/** Where a lookup looks. Every lookup's arguments extend this. */
export interface LookupScopeArgs {
  /** Name of the clouds.yaml entry to use. Default: the stack config, then OS_*, then OS_CLOUD. */
  cloud?: string;
  /** Region to use; overrides only the region of the credentials. */
  region?: string;
}

/** Options for tests and tools: the core's retry policy and request timeout, or explicit credentials. */
export type LookupSessionOptions = Pick<SessionOptions, "retry" | "timeoutMs" | "credentials">;

/**
 * A session for one call of the lookup named `lookup` (for messages): credentials from `args.cloud`, else
 * the stack config of the running program (`pulumi.Config("openstack")`, empty in a plain script), else
 * OS_*, else OS_CLOUD. Offline: nothing is sent until the first request. Throws `LookupArgumentError` for a
 * malformed cloud/region and `ConfigurationError` when no source is usable.
 */
export function lookupSession(
  lookup: string,
  args: LookupScopeArgs = {},
  options: LookupSessionOptions = {},
): Session {
  const cloud = optionalString(lookup, args, "cloud");
  const region = optionalString(lookup, args, "region");
  return connect({
    ...options,
    cloud,
    region,
    resolve: { stackConfig: readStackConfig(new pulumi.Config("openstack")) },
  });
}

/** A lookup's arguments with every field a `pulumi.Input` (what its Output form takes). */
export type LookupInputs<A> = { [K in keyof A]: pulumi.Input<A[K]> };

/**
 * The Output form of a lookup: waits for the inputs, then calls the lookup. In a preview with unknown
 * inputs the result is unknown; a secret input makes the result secret. A lookup that returns secret
 * fields marks them itself (`pulumi.secret(...)` inside its result) in its own Output form.
 */
export function outputForm<A extends object, R>(
  lookup: (args: A) => Promise<R>,
): (args: LookupInputs<A>) => pulumi.Output<R> {
  return (args) => pulumi.output(args).apply((plain) => lookup(plain as A)) as pulumi.Output<R>;
}

/** Thrown for a lookup argument that cannot work, before any API call. */
export class LookupArgumentError extends Error {
  constructor(lookup: string, property: string, reason: string) {
    super(`${lookup}: ${property} ${reason}`);
    this.name = "LookupArgumentError";
  }
}

/** `args[property]` as a non-empty string, or undefined when absent; anything else is a `LookupArgumentError`. */
export function optionalString<A extends object>(
  lookup: string,
  args: A | undefined,
  property: keyof A & string,
): string | undefined {
  const value = args?.[property];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new LookupArgumentError(
      lookup,
      property,
      `must be a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `args[property]` as a non-empty string; absent or anything else is a `LookupArgumentError`. */
export function requiredString<A extends object>(
  lookup: string,
  args: A | undefined,
  property: keyof A & string,
): string {
  const value = optionalString(lookup, args, property);
  if (value === undefined) throw new LookupArgumentError(lookup, property, "is required");
  return value;
}

/** `args[property]` when it is one of `allowed` (or absent); anything else is a `LookupArgumentError`. */
export function optionalChoice<A extends object, T extends string>(
  lookup: string,
  args: A | undefined,
  property: keyof A & string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(lookup, args, property);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw new LookupArgumentError(lookup, property, `must be one of ${allowed.join(", ")}, got "${value}"`);
  }
  return value as T | undefined;
}
