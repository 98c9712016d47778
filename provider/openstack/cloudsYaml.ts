// clouds.yaml + secure.yaml: where they are looked for, and how an entry is read (secure.yaml merged over it).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ConfigurationError } from "./errors";

/** Where to look for clouds.yaml / secure.yaml; tests pass their own. */
export interface ConfigFileOptions {
  /** Environment to read OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directories searched in order; default: the working directory, ~/.config/openstack, /etc/openstack. */
  configDirs?: string[];
}

/** The standard search directories (openstacksdk's order). */
export function defaultConfigDirs(): string[] {
  return [process.cwd(), path.join(os.homedir(), ".config", "openstack"), "/etc/openstack"];
}

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((file) => {
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

function candidates(explicit: string | undefined, dirs: string[], base: string): string[] {
  const list = dirs.flatMap((dir) => [path.join(dir, `${base}.yaml`), path.join(dir, `${base}.yml`)]);
  return explicit ? [explicit, ...list] : list;
}

const parsed = new Map<string, { mtimeMs: number; size: number; data: any }>();

// Parsed files are cached and re-read only when they change (a drift run resolves credentials thousands of times).
function readYaml(file: string): any {
  const stat = fs.statSync(file);
  const hit = parsed.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.data;
  let data: any;
  try {
    data = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
  } catch (err) {
    throw new ConfigurationError(`cannot parse ${file}: ${(err as Error).message}`);
  }
  parsed.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, data });
  return data;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

/** One clouds.yaml entry with its secure.yaml part merged in, and where it came from. */
export interface CloudEntry {
  name: string;
  entry: Record<string, any>;
  /** The clouds.yaml file (and secure.yaml, if one contributed). */
  files: string[];
}

/**
 * Reads cloud `name` from the first clouds.yaml found (OS_CLIENT_CONFIG_FILE, then the search
 * directories) and deep-merges the same entry of the first secure.yaml found over it.
 */
export function loadCloud(name: string, options: ConfigFileOptions = {}): CloudEntry {
  const env = options.env ?? process.env;
  const dirs = options.configDirs ?? defaultConfigDirs();
  const cloudsList = candidates(env.OS_CLIENT_CONFIG_FILE, dirs, "clouds");
  const cloudsFile = firstExisting(cloudsList);
  const secureFile = firstExisting(candidates(env.OS_CLIENT_SECURE_FILE, dirs, "secure"));
  const clouds = cloudsFile ? readYaml(cloudsFile)?.clouds : undefined;
  const secure = secureFile ? readYaml(secureFile)?.clouds : undefined;
  const base = isObject(clouds) ? clouds[name] : undefined;
  const extra = isObject(secure) ? secure[name] : undefined;
  if (!isObject(base) && !isObject(extra)) {
    if (!cloudsFile) {
      throw new ConfigurationError(
        `cloud "${name}": no clouds.yaml found (looked for ${cloudsList.join(", ")})`,
      );
    }
    const known = isObject(clouds) ? Object.keys(clouds) : [];
    throw new ConfigurationError(
      `cloud "${name}" is not in ${cloudsFile} (it has: ${known.length ? known.join(", ") : "no clouds"})`,
    );
  }
  return {
    name,
    entry: deepMerge(isObject(base) ? base : {}, isObject(extra) ? extra : {}),
    files: [cloudsFile, isObject(extra) ? secureFile : undefined].filter((f): f is string => !!f),
  };
}
