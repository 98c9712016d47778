// The simulator's knobs. Everything here can be set from a YAML/JSON file (`--config`), by the
// programmatic API (tests) and, at run time, through PUT /_sim/config.
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import type { FaultRule } from "./faultInjection";
import type { VersionRange } from "./microversion";

export interface SimulatorConfig {
  /** TCP port on 127.0.0.1 (0 = any free port). */
  port: number;
  /** "keystone": real token auth. "noauth": trust `X-Auth-Token: <user>:<project>` like a noauth deployment. */
  auth: "keystone" | "noauth";
  region: string;
  tokenTtlSeconds: number;
  /** Microversion range of each service. Lower `max` to play an older cloud (e.g. compute 2.93). */
  microversions: { compute: VersionRange; volume: VersionRange; share: VersionRange };
  /**
   * Milliseconds each asynchronous transition takes, by kind (e.g. "server.stop", "share.attach").
   * `default` applies to kinds not listed. Each service documents its kinds.
   */
  transitions: Record<string, number>;
  /** Faults active from start-up (see FaultRule). */
  faults: FaultRule[];
  /** Seed of the PRNG used by random faults. */
  seed: number;
  /** Service-specific settings, owned by each service module (e.g. `manila.backendShareServers`). */
  services: Record<string, Record<string, unknown>>;
}

/** The newest microversions of the services FACTS.md was read from. */
export const NEWEST_MICROVERSIONS = {
  compute: { min: "2.1", max: "2.104" },
  volume: { min: "3.0", max: "3.71" },
  share: { min: "2.0", max: "2.99" },
};

/** What Debian bookworm's real services report (Nova 26, Cinder 21, Manila 15). */
export const DEBIAN_BOOKWORM_MICROVERSIONS = {
  compute: { min: "2.1", max: "2.93" },
  volume: { min: "3.0", max: "3.70" },
  share: { min: "2.0", max: "2.73" },
};

export function defaultConfig(): SimulatorConfig {
  return {
    port: 0,
    auth: "keystone",
    region: "RegionOne",
    tokenTtlSeconds: 3600,
    microversions: structuredClone(NEWEST_MICROVERSIONS),
    transitions: { default: 50 },
    faults: [],
    seed: 1,
    services: {},
  };
}

/** Deep-merges `patch` over `base` (objects merge, arrays and scalars replace). */
export function mergeConfig<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (typeof base !== "object" || base === null || Array.isArray(base)) return patch as T;
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = mergeConfig(out[k], v);
  return out as T;
}

export function loadConfigFile(file: string): Partial<SimulatorConfig> {
  const text = fs.readFileSync(file, "utf8");
  const parsed = parseYaml(text) ?? {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${file}: expected a mapping`);
  return parsed as Partial<SimulatorConfig>;
}
