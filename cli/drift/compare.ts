// Which recorded outputs differ from the live ones. Compared: every output that is not an input (inputs are
// repeated verbatim by design and cannot drift), except what the kind calls volatile. Admin-only outputs
// that one side has and the other lacks are "not visible" (the reading or the recording credential could
// not see them), never drift. Secret values are compared when the export holds them readably and are never
// copied into a finding.
import { OutputDescription } from "../../provider/resources";
import { holdsEncrypted, RecordedResource } from "./stackExport";

/** One output whose live value differs from the recorded one (null: absent). No values for a secret. */
export interface PropertyChange {
  property: string;
  recorded?: unknown;
  live?: unknown;
  /** True for a secret output: the values are not shown. */
  secret?: true;
}

/** An admin-only output that only one side has: `visibleIn` says which. */
export interface NotVisible {
  property: string;
  visibleIn: "recorded" | "live";
}

/** An output that could not be compared, and why. */
export interface NotCompared {
  property: string;
  reason: string;
}

export interface Comparison {
  changes: PropertyChange[];
  notVisible: NotVisible[];
  notCompared: NotCompared[];
}

const PROVIDER_KEY = "__provider";

const isAbsent = (value: unknown) => value === undefined || value === null;

/** Deep equality of JSON values; object key order does not count, array order does. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isAbsent(a) || isAbsent(b)) return isAbsent(a) && isAbsent(b);
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
    );
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  return [...keys].every((key) => sameValue(ra[key], rb[key]));
}

export function compareOutputs(
  resource: RecordedResource,
  live: Record<string, unknown>,
  description: OutputDescription,
): Comparison {
  const skipped = new Set([PROVIDER_KEY, ...resource.inputNames, ...(description.volatile ?? [])]);
  const adminOnly = new Set(description.adminOnly ?? []);
  const secret = new Set([...resource.secretOutputs, ...(description.secret ?? [])]);
  const result: Comparison = { changes: [], notVisible: [], notCompared: [] };
  const keys = [...new Set([...Object.keys(resource.outputs), ...Object.keys(live)])].filter(
    (key) => !skipped.has(key),
  );
  for (const property of keys.sort()) {
    const recorded = resource.outputs[property];
    const now = live[property];
    if (holdsEncrypted(recorded)) {
      result.notCompared.push({
        property,
        reason: "secret, encrypted in the export (`pulumi stack export --show-secrets` makes it comparable)",
      });
      continue;
    }
    if (sameValue(recorded, now)) continue;
    if (adminOnly.has(property) && isAbsent(recorded) !== isAbsent(now)) {
      result.notVisible.push({ property, visibleIn: isAbsent(now) ? "recorded" : "live" });
      continue;
    }
    result.changes.push(
      secret.has(property)
        ? { property, secret: true }
        : { property, recorded: recorded ?? null, live: now ?? null },
    );
  }
  return result;
}
