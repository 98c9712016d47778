// Microversion negotiation per service, as each service's wsgi layer does it (FACTS.md §0.1).
import type { Profile } from "./config";
import { ApiFault } from "./faults";

export type MicroversionedService = "compute" | "volume" | "share";

/** A parsed "X.Y" version; compare with `atLeast`. */
export class Version {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): Version | undefined {
    const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text.trim());
    return m ? new Version(Number(m[1]), Number(m[2])) : undefined;
  }

  static of(text: string): Version {
    const v = Version.parse(text);
    if (!v) throw new Error(`not a version: ${text}`);
    return v;
  }

  compare(other: Version | string): number {
    const o = typeof other === "string" ? Version.of(other) : other;
    return this.major - o.major || this.minor - o.minor;
  }

  atLeast(other: Version | string): boolean {
    return this.compare(other) >= 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export interface VersionRange {
  min: string;
  max: string;
}

/** Reads the requested version from the headers the service honours; undefined when none was sent. */
function requestedText(service: MicroversionedService, headers: Record<string, unknown>): string | undefined {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(",") : (v as string | undefined);
  };
  if (service === "share") return header("x-openstack-manila-api-version");
  const generic = header("openstack-api-version");
  if (generic !== undefined) {
    // "compute 2.97" or "volume 3.44, compute 2.1": take the entry for this service.
    const entries = generic.split(",").map((s) => s.trim());
    if (service === "volume") return cinderEntry(entries);
    const entry = entries.find(
      (s) => s.toLowerCase().startsWith(`${service} `) || s.toLowerCase() === service,
    );
    if (entry !== undefined) return entry.slice(service.length).trim();
  }
  if (service === "compute") return header("x-openstack-nova-api-version");
  return undefined;
}

/**
 * Cinder matches the service name case-sensitively. Recorded on real Cinder 21 (tests/real-openstack):
 * no "volume" entry (e.g. "compute 2.93", "VOLUME 3.70", "") is a 400 with webob's generic text, and
 * "volume" without a version a 500.
 */
function cinderEntry(entries: string[]): string {
  const entry = entries.find((s) => s === "volume" || s.startsWith("volume "));
  if (entry === undefined)
    throw new ApiFault(
      400,
      "The server could not comply with the request since it is either malformed or otherwise incorrect.",
    );
  if (entry === "volume")
    throw new ApiFault(
      500,
      "The server has either erred or is incapable of performing the requested operation.",
    );
  return entry.slice("volume".length).trim();
}

/**
 * The version a request runs at. Throws 400 for a malformed version and 406 for one outside the range.
 * Nova and Cinder accept "latest"; Manila rejects it as malformed. Manila before release 16 sent both
 * messages with their placeholders uninterpolated (bug 2007060; recorded on Manila 15).
 */
export function negotiate(
  service: MicroversionedService,
  range: VersionRange,
  headers: Record<string, unknown>,
  profile: Profile = "newest",
): Version {
  const text = requestedText(service, headers);
  // With no header every service runs at its minimum (Nova 2.1, Cinder 3.0, Manila 2.0).
  if (text === undefined || text === "") return Version.of(range.min);
  if (text.toLowerCase() === "latest" && service !== "share") return Version.of(range.max);
  const uninterpolated = service === "share" && profile === "debian-bookworm";
  const v = Version.parse(text);
  if (!v) {
    const version = uninterpolated ? "%(version)s" : text;
    throw new ApiFault(
      400,
      `API Version String ${version} is of invalid format. Must be of format MajorNum.MinorNum.`,
    );
  }
  if (v.compare(range.min) < 0 || v.compare(range.max) > 0) {
    const [req, min, max] = uninterpolated
      ? ["%(req_ver)s", "%(min_ver)s", "%(max_ver)s"]
      : [text, range.min, range.max];
    const message = `Version ${req} is not supported by the API. Minimum is ${min} and maximum is ${max}.`;
    // Cinder does not echo a version of an older major (recorded: "volume 2.0"; "volume 4.0" is echoed).
    if (service === "volume" && v.major < Version.of(range.min).major) throw new ApiFault(406, message);
    throw new VersionNotAcceptable(message, v);
  }
  return v;
}

/** A 406 after which the services still echo the requested version (recorded on the real services). */
export class VersionNotAcceptable extends ApiFault {
  constructor(
    message: string,
    readonly requested: Version,
  ) {
    super(406, message);
  }
}

/** The headers every response of a microversioned request carries (Nova sends two Vary headers). */
export function echoHeaders(service: MicroversionedService, v: Version): Record<string, string | string[]> {
  switch (service) {
    case "compute":
      return {
        "OpenStack-API-Version": `compute ${v}`,
        "X-OpenStack-Nova-API-Version": `${v}`,
        Vary: ["OpenStack-API-Version", "X-OpenStack-Nova-API-Version"],
      };
    case "volume":
      return { "OpenStack-API-Version": `volume ${v}`, Vary: "OpenStack-API-Version" };
    case "share":
      return { "X-OpenStack-Manila-API-Version": `${v}`, Vary: "X-OpenStack-Manila-API-Version" };
  }
}
