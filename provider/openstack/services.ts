// The OpenStack services this package talks to: their catalog types, endpoint-override keys and
// microversion headers (FACTS.md §0.1, §0.4).

/** A service by its official service type. */
export type ServiceType = "compute" | "block-storage" | "shared-file-system";

/** Every service the core knows, in a stable order. */
export const SERVICE_TYPES: readonly ServiceType[] = ["compute", "block-storage", "shared-file-system"];

interface ServiceInfo {
  /** Catalog types accepted for the service, most preferred first. */
  catalogTypes: string[];
  /** Extra names accepted as endpoint-override keys (the catalog types are accepted too). */
  overrideNames: string[];
  /** The API name used in messages ("this cloud's compute API tops at ..."). */
  apiName: string;
  /** Request headers that carry a microversion. */
  microversionHeaders(version: string): Record<string, string>;
  /** Reads the microversion a response reports, if any. */
  responseMicroversion(headers: Record<string, string>): string | undefined;
}

function fromOpenStackApiVersion(headers: Record<string, string>, service: string): string | undefined {
  // "OpenStack-API-Version: compute 2.97" (possibly several comma-separated entries).
  const value = headers["openstack-api-version"];
  if (!value) return undefined;
  for (const entry of value.split(",")) {
    const [name, version] = entry.trim().split(/\s+/);
    if (name === service && version) return version;
  }
  return undefined;
}

const SERVICES: Record<ServiceType, ServiceInfo> = {
  compute: {
    catalogTypes: ["compute"],
    overrideNames: [],
    apiName: "compute",
    // Nova reads both the standard header and its legacy one; send both (FACTS §0.1).
    microversionHeaders: (v) => ({
      "OpenStack-API-Version": `compute ${v}`,
      "X-OpenStack-Nova-API-Version": v,
    }),
    responseMicroversion: (h) =>
      fromOpenStackApiVersion(h, "compute") ?? h["x-openstack-nova-api-version"] ?? undefined,
  },
  "block-storage": {
    catalogTypes: ["volumev3", "block-storage", "block-store", "volume"],
    overrideNames: ["blockstorage"],
    apiName: "block-storage (Cinder)",
    microversionHeaders: (v) => ({ "OpenStack-API-Version": `volume ${v}` }),
    responseMicroversion: (h) => fromOpenStackApiVersion(h, "volume"),
  },
  "shared-file-system": {
    catalogTypes: ["sharev2", "shared-file-system", "share"],
    overrideNames: ["sharedfilesystem", "sharedfilesystems"],
    apiName: "shared-file-system (Manila)",
    // Manila reads only its own header and rejects "latest" (FACTS §0.1).
    microversionHeaders: (v) => ({ "X-OpenStack-Manila-API-Version": v }),
    responseMicroversion: (h) => h["x-openstack-manila-api-version"] ?? undefined,
  },
};

/** Facts about one service: catalog types, override names, microversion headers. */
export function serviceInfo(service: ServiceType): ServiceInfo {
  return SERVICES[service];
}

/**
 * Maps an endpoint-override key ("compute", "volumev3", "block_storage", "sharev2", ...) to its service,
 * or undefined for a service this package does not use. Case, "-" and "_" do not matter.
 */
export function serviceForOverrideKey(key: string): ServiceType | undefined {
  const norm = key.toLowerCase().replace(/_/g, "-");
  for (const service of SERVICE_TYPES) {
    const info = SERVICES[service];
    if (norm === service || info.catalogTypes.includes(norm) || info.overrideNames.includes(norm)) {
      return service;
    }
  }
  return undefined;
}
