// Manila's settings under `config.services.manila` (README "Simulator"), with their checks.

/** A manila-share service (`host@backend`). */
export interface Backend {
  host: string;
  /** The service is up (false: manage answers 400 "Service ... is down."). Default true. */
  up?: boolean;
  /** driver_handles_share_servers. A DHSS=False backend leaves a managed server in manage_starting (FACTS §6.9). Default true. */
  dhss?: boolean;
  /** The driver implements unmanage_server; without it unmanage needs `force` (else unmanage_error). Default true. */
  supportsUnmanage?: boolean;
}

/** A share server that exists on a backend without Manila managing it (what `manage` adopts). */
export interface BackendShareServer {
  host: string;
  identifier: string;
  backendDetails?: Record<string, string>;
  /** What the driver's manage_server does: "active" (default), "error" (manage_error) or "stick" (manage_starting forever). */
  onManage?: "active" | "error" | "stick";
}

/** Settings under `config.services.manila`. */
export interface ManilaSettings {
  backends: Backend[];
  availabilityZones: string[];
  /** Unmanaged servers present on the backends at start-up and after a reset. */
  backendShareServers: BackendShareServer[];
  /** Policy rules denied to non-admin callers, as a customised policy file would (e.g. "share:get" → 403). */
  policyDenied: string[];
}

export const DEFAULT_MANILA_SETTINGS: ManilaSettings = {
  backends: [{ host: "simhost@alpha", up: true, dhss: true, supportsUnmanage: true }],
  availabilityZones: ["nova"],
  backendShareServers: [],
  policyDenied: [],
};

/** Checks `services.manila` from a config file; `fail` names the property. */
export function checkManilaSettings(value: unknown, fail: (property: string, rule: string) => never): void {
  const isMapping = (v: unknown): v is Record<string, any> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMapping(value)) fail("", "must be a mapping");
  const v = value as Record<string, any>;
  for (const [key, setting] of Object.entries(v)) {
    const list = (item: (x: unknown, at: string) => void) => {
      if (!Array.isArray(setting)) fail(key, "must be a list");
      (setting as unknown[]).forEach((x, i) => item(x, `${key}[${i}]`));
    };
    const str = (x: unknown, at: string) => {
      if (typeof x !== "string" || x === "") fail(at, "must be a non-empty string");
    };
    switch (key) {
      case "backends":
        list((b, at) => {
          if (!isMapping(b)) fail(at, "must be a mapping with host (and up, dhss, supportsUnmanage)");
          str((b as any).host, `${at}.host`);
          for (const flag of ["up", "dhss", "supportsUnmanage"]) {
            if ((b as any)[flag] !== undefined && typeof (b as any)[flag] !== "boolean")
              fail(`${at}.${flag}`, "must be true or false");
          }
        });
        break;
      case "backendShareServers":
        list((b, at) => {
          if (!isMapping(b)) fail(at, "must be a mapping with host and identifier");
          str((b as any).host, `${at}.host`);
          str((b as any).identifier, `${at}.identifier`);
          if (
            (b as any).onManage !== undefined &&
            !["active", "error", "stick"].includes((b as any).onManage)
          ) {
            fail(`${at}.onManage`, "must be active, error or stick");
          }
          if ((b as any).backendDetails !== undefined && !isMapping((b as any).backendDetails)) {
            fail(`${at}.backendDetails`, "must be a mapping of strings");
          }
        });
        break;
      case "availabilityZones":
      case "policyDenied":
        list(str);
        break;
      default:
        fail(key, `is not a Manila setting (known: ${Object.keys(DEFAULT_MANILA_SETTINGS).join(", ")})`);
    }
  }
}
