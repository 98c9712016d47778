// Our provider as the benchmark runs it: the registry's wrapped implementations (what Pulumi's host calls),
// in this process, with credentials from OS_* pointing at the simulator. Each operation starts cold (no
// cached token nor version documents), as in a fresh `pulumi up` with one resource.
import { clearTokenCache, clearVersionCache, setStackConfig } from "../../provider/openstack";
import { providerFor } from "../../provider/resources";
import type { SimulatorProcess } from "./simulatorProcess";

/** Points the client core at `sim` (OS_* variables, as a user's shell would). */
export function useSimulator(sim: SimulatorProcess, user: "admin" | "demo" = "admin"): void {
  for (const key of Object.keys(process.env)) if (key.startsWith("OS_")) delete process.env[key];
  Object.assign(process.env, sim.env(user));
  setStackConfig(undefined);
  coldStart();
}

/** Forgets cached tokens and version documents. */
export function coldStart(): void {
  clearTokenCache();
  clearVersionCache();
}

/** Whether this checkout has a provider for `kind` (a benchmark of a missing kind is reported, not run). */
export function hasProvider(kind: string): boolean {
  try {
    providerFor(kind);
    return true;
  } catch {
    return false;
  }
}

export async function create(kind: string, inputs: Record<string, unknown>) {
  coldStart();
  const provider = providerFor(kind);
  const { inputs: checked, failures } = await provider.check({}, inputs);
  if (failures?.length) throw new Error(`${kind} check: ${JSON.stringify(failures)}`);
  return provider.create(checked);
}

export async function remove(kind: string, id: string, outs: Record<string, unknown>) {
  coldStart();
  await providerFor(kind).delete(id, outs);
}
