// What the resource implementations share about their inputs: offline checks (check makes no API call and
// skips values unknown in a preview), outputs that repeat the inputs verbatim, change detection for diff,
// the deadline input, and the error of a create that failed after the object came to exist.
import { isUnknown } from "./common";

/** One check failure, as the engine shows it: the property and why. */
export interface CheckFailure {
  property: string;
  reason: string;
}

const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;
const PROVIDER_KEY = "__provider";

/** Default of every `timeoutSeconds` input. */
export const DEFAULT_TIMEOUT_SECONDS = 600;

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

/**
 * Collects check failures for one resource's inputs. Each method validates one input when it is present
 * and known, and records "<reason>" against the property; unknown values (preview) pass.
 */
export class InputChecks {
  readonly failures: CheckFailure[] = [];

  constructor(
    private readonly inputs: Record<string, unknown>,
    kind: string,
    known: readonly string[],
  ) {
    for (const key of Object.keys(inputs)) {
      if (key !== PROVIDER_KEY && !known.includes(key)) {
        this.fail(key, `${kind} has no input "${key}" (its inputs: ${known.join(", ")})`);
      }
    }
  }

  fail(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }

  /** The value when it is set and known; undefined when absent or unknown. */
  known(name: string): unknown {
    const value = this.inputs[name];
    return value === undefined || value === null || isUnknown(value) ? undefined : value;
  }

  /** True when the input is given, known or not. */
  given(name: string): boolean {
    return this.inputs[name] !== undefined && this.inputs[name] !== null;
  }

  required(name: string, what: string): this {
    if (!this.given(name)) this.fail(name, `is required: ${what}`);
    return this;
  }

  uuid(name: string, what: string): this {
    const value = this.known(name);
    if (value !== undefined && (typeof value !== "string" || !UUID.test(value))) {
      this.fail(name, `must be the UUID of ${what}, got ${show(value)}`);
    }
    return this;
  }

  string(name: string, rule?: { pattern: RegExp; says: string }): this {
    const value = this.known(name);
    if (value === undefined) return this;
    if (typeof value !== "string" || value === "")
      this.fail(name, `must be a non-empty string, got ${show(value)}`);
    else if (rule && !rule.pattern.test(value)) this.fail(name, `${rule.says}, got ${show(value)}`);
    return this;
  }

  boolean(name: string): this {
    const value = this.known(name);
    if (value !== undefined && typeof value !== "boolean")
      this.fail(name, `must be true or false, got ${show(value)}`);
    return this;
  }

  oneOf(name: string, allowed: readonly string[]): this {
    const value = this.known(name);
    if (value !== undefined && !allowed.includes(value as string)) {
      this.fail(name, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(value)}`);
    }
    return this;
  }

  positiveNumber(name: string): this {
    const value = this.known(name);
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value <= 0)) {
      this.fail(name, `must be a positive number of seconds, got ${show(value)}`);
    }
    return this;
  }

  /** A plain object with at least one key. */
  object(name: string): this {
    const value = this.known(name);
    if (value === undefined) return this;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.fail(name, `must be an object, got ${show(value)}`);
    else if (Object.keys(value).length === 0) this.fail(name, "must have at least one property");
    return this;
  }

  /** `timeoutSeconds`, `cloud` and `region`, which every resource has. */
  common(): this {
    return this.positiveNumber("timeoutSeconds").string("cloud").string("region");
  }
}

/** The given inputs among `keys`, exactly as given (no defaults filled in): what outputs repeat. */
export function pickInputs<T extends object>(inputs: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (inputs as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<T>;
}

/** Deep equality of JSON-like values (object key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as any)[k], (b as any)[k]));
}

/** True when a value is unknown, or holds an unknown somewhere inside (a preview's partial object). */
export function hasUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (value !== null && typeof value === "object") return Object.values(value).some(hasUnknown);
  return false;
}

/** The inputs among `keys` whose new value differs from the old output (an unknown counts as a change). */
export function changedInputs(olds: object, news: object, keys: readonly string[]): string[] {
  return keys.filter((key) => {
    const next = (news as Record<string, unknown>)[key];
    return hasUnknown(next) || !sameValue((olds as Record<string, unknown>)[key], next);
  });
}

/** The deadline of one create, update or delete, in ms. */
export function timeoutMs(inputs: { timeoutSeconds?: number }): number {
  return (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
}
