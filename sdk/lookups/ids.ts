// Id arguments of the volume lookups: UUID-shaped, checked before any API call.
import { LookupArgumentError, requiredString } from "./common";

const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

/** `args[property]` as a UUID, or undefined when absent; anything else is a `LookupArgumentError`. */
export function optionalUuid<A extends object>(
  lookup: string,
  args: A,
  property: keyof A & string,
): string | undefined {
  const value = args[property];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !UUID.test(value))
    throw new LookupArgumentError(lookup, property, `must be a UUID, got ${JSON.stringify(value)}`);
  return value;
}

/** `args[property]` as a UUID; absent or anything else is a `LookupArgumentError`. */
export function requiredUuid<A extends object>(lookup: string, args: A, property: keyof A & string): string {
  requiredString(lookup, args, property);
  return optionalUuid(lookup, args, property)!;
}
