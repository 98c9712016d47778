// Checking one recorded resource: read it live through the registry (this package's own provider code),
// then compare. Every outcome, failures included, becomes a report; nothing here throws.
import { AsyncLocalStorage } from "async_hooks";
import { Logger, redact } from "../../provider/openstack";
import { outputDescriptionFor, providerFor } from "../../provider/resources";
import { Comparison, compareOutputs } from "./compare";
import { holdsEncrypted, RecordedResource } from "./stackExport";

export type Status = "in-sync" | "changed" | "gone" | "error";

/** What the drift command says about one resource. */
export interface ResourceReport extends Comparison {
  urn: string;
  name: string;
  kind: string;
  id: string;
  status: Status;
  /** Warnings the read logged (e.g. a pending power restore it did not do, being read-only). */
  notes: string[];
  /** Why the resource could not be checked (status "error"). */
  error?: string;
  seconds: number;
}

/** Defaults for resources that have no `cloud`/`region` input of their own (`--cloud`, `--region`). */
export interface CheckDefaults {
  cloud?: string;
  region?: string;
}

// The warnings of the read running in this async context go to that resource's notes.
const notesOfCurrentRead = new AsyncLocalStorage<string[]>();

/** A logger for the client core: warnings go to the notes of the read that logged them. */
export function notesLogger(elsewhere: (message: string) => void): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (message) => {
      const notes = notesOfCurrentRead.getStore();
      if (notes) notes.push(message);
      else elsewhere(message);
    },
  };
}

/**
 * What a read gets: the recorded outputs without encrypted values, and the defaults as inputs where the
 * resource has none (`inputNames` then includes them: the read repeats them like any input).
 */
function readArguments(resource: RecordedResource, defaults: CheckDefaults) {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource.outputs)) {
    if (!holdsEncrypted(value)) props[key] = value;
  }
  const inputNames = [...resource.inputNames];
  for (const key of ["cloud", "region"] as const) {
    if (defaults[key] !== undefined && props[key] === undefined) {
      props[key] = defaults[key];
      inputNames.push(key);
    }
  }
  return { props, recorded: { ...resource, inputNames } };
}

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return redact(message) || "(no message)";
}

export async function checkResource(
  resource: RecordedResource,
  defaults: CheckDefaults = {},
): Promise<ResourceReport> {
  const started = Date.now();
  const notes: string[] = [];
  const report = (fields: Partial<ResourceReport> & { status: Status }): ResourceReport => ({
    urn: resource.urn,
    name: resource.name,
    kind: resource.kind,
    id: resource.id,
    changes: [],
    notVisible: [],
    notCompared: [],
    notes,
    seconds: (Date.now() - started) / 1000,
    ...fields,
  });
  try {
    const provider = providerFor(resource.kind);
    const { props, recorded } = readArguments(resource, defaults);
    const result = await notesOfCurrentRead.run(notes, () => provider.read(resource.id, props));
    if (!result.id) return report({ status: "gone" });
    const comparison = compareOutputs(recorded, result.props ?? {}, outputDescriptionFor(resource.kind));
    return report({ status: comparison.changes.length > 0 ? "changed" : "in-sync", ...comparison });
  } catch (err) {
    return report({ status: "error", error: messageOf(err) });
  }
}
