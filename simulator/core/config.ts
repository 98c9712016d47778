// The simulator's knobs. Everything here can be set from a YAML/JSON file (`--config`), by the
// programmatic API (tests) and, at run time, through PUT /_sim/config.
import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import type { FaultRule } from "./faultInjection";
import type { VersionRange } from "./microversion";
import { checkManilaSettings } from "../manila/settings";
import { checkNovaSettings } from "../nova/settings";

/** Per-service checks of `services.<name>` (services without one accept any mapping). */
const SERVICE_SETTINGS_CHECKS: Record<
  string,
  (value: unknown, fail: (property: string, rule: string) => never) => void
> = {
  manila: checkManilaSettings,
  nova: checkNovaSettings,
};

/**
 * Which release the simulator plays where releases answer differently: "newest" (FACTS.md, the code of the
 * newest releases) or "debian-bookworm" (Nova 26, Cinder 21, Manila 15 as recorded in tests/real-openstack:
 * their microversion ranges, Manila's uninterpolated version messages and missing X-OpenStack-Request-Id,
 * Cinder's 500s where newer releases answer 409, Nova's older swap check, the older version documents).
 */
export type Profile = "newest" | "debian-bookworm";
export const PROFILES: readonly Profile[] = ["newest", "debian-bookworm"];

export interface SimulatorConfig {
  /** TCP port on 127.0.0.1 (0 = any free port). */
  port: number;
  /** The release to play (see Profile); it also sets the default microversion ranges. */
  profile: Profile;
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
    profile: "newest",
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

/**
 * The configuration the overrides ask for: the defaults, the profile's microversion ranges unless the
 * overrides give ranges of their own, then the overrides.
 */
export function buildConfig(overrides: unknown = {}): SimulatorConfig {
  const base = defaultConfig();
  const profile = (overrides as Partial<SimulatorConfig> | undefined)?.profile;
  if (profile === "debian-bookworm") base.microversions = structuredClone(DEBIAN_BOOKWORM_MICROVERSIONS);
  return mergeConfig(base, overrides);
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

/** Reads a YAML (or JSON) config file and checks it (see checkConfig); errors name the file and property. */
export function loadConfigFile(file: string): Partial<SimulatorConfig> {
  const text = fs.readFileSync(file, "utf8");
  const parsed = parseYaml(text) ?? {};
  checkConfig(parsed, file);
  return parsed as Partial<SimulatorConfig>;
}

/**
 * Checks a partial configuration: unknown keys and wrong types are errors that name the property (e.g.
 * "sim.yaml: transitions.server.stop must be a number of milliseconds >= 0"). Fault rules are checked when
 * they are added.
 */
export function checkConfig(value: unknown, source = "config"): void {
  const fail = (property: string, rule: string): never => {
    throw new Error(`${source}: ${property} ${rule}`);
  };
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMapping(value)) fail("the document", "must be a mapping");
  const config = value as Record<string, unknown>;
  const known = [
    "port",
    "profile",
    "auth",
    "region",
    "tokenTtlSeconds",
    "microversions",
    "transitions",
    "faults",
    "seed",
    "services",
  ];
  for (const [key, v] of Object.entries(config)) {
    if (!known.includes(key)) fail(key, `is not a setting (known: ${known.join(", ")})`);
    if (v === undefined) continue;
    switch (key) {
      case "port":
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535)
          fail(key, "must be an integer from 0 to 65535");
        break;
      case "profile":
        if (!PROFILES.includes(v as Profile)) fail(key, `must be one of ${PROFILES.join(", ")}`);
        break;
      case "auth":
        if (v !== "keystone" && v !== "noauth") fail(key, 'must be "keystone" or "noauth"');
        break;
      case "region":
        if (typeof v !== "string" || v === "") fail(key, "must be a non-empty string");
        break;
      case "tokenTtlSeconds":
      case "seed":
        if (typeof v !== "number" || !(v > 0 || (key === "seed" && v === 0)))
          fail(key, "must be a positive number");
        break;
      case "microversions":
        if (!isMapping(v)) fail(key, "must be a mapping");
        for (const [service, range] of Object.entries(v as Record<string, unknown>)) {
          if (!["compute", "volume", "share"].includes(service))
            fail(`${key}.${service}`, "is not a service (compute, volume, share)");
          if (!isMapping(range)) fail(`${key}.${service}`, "must be a mapping with min and/or max");
          for (const [bound, version] of Object.entries(range as Record<string, unknown>)) {
            if (!["min", "max"].includes(bound)) fail(`${key}.${service}.${bound}`, "is not min or max");
            if (typeof version !== "string" || !/^\d+\.\d+$/.test(version))
              fail(`${key}.${service}.${bound}`, 'must be a version string such as "2.93"');
          }
        }
        break;
      case "transitions":
        if (!isMapping(v)) fail(key, "must be a mapping of transition kinds to milliseconds");
        for (const [kind, ms] of Object.entries(v as Record<string, unknown>)) {
          if (typeof ms !== "number" || !(ms >= 0))
            fail(`${key}.${kind}`, "must be a number of milliseconds >= 0");
        }
        break;
      case "faults":
        if (!Array.isArray(v)) fail(key, "must be a list of fault rules");
        break;
      case "services":
        if (!isMapping(v)) fail(key, "must be a mapping");
        for (const [service, settings] of Object.entries(v as Record<string, unknown>)) {
          SERVICE_SETTINGS_CHECKS[service]?.(settings, (property, rule) =>
            fail([key, service, property].filter(Boolean).join("."), rule),
          );
        }
        break;
    }
  }
}
