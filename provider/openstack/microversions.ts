// Microversions: parsing, comparison, and discovery of a service's supported range from its version
// document (FACTS.md §0.2). Discovery is cached per endpoint.
import { ConfigurationError } from "./errors";
import { HttpResponse } from "./http";

/** The microversions a service endpoint supports; both undefined when it has no microversions. */
export interface VersionRange {
  min?: string;
  max?: string;
}

/** Parses "2.97" into [2, 97]; throws on anything else ("latest" included). */
export function parseMicroversion(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  if (!m)
    throw new ConfigurationError(`"${version}" is not a microversion (expected MAJOR.MINOR, e.g. 2.97)`);
  return [Number(m[1]), Number(m[2])];
}

/** Compares two microversions: negative when a < b, 0 when equal, positive when a > b ("2.9" < "2.10"). */
export function compareMicroversions(a: string, b: string): number {
  const [amaj, amin] = parseMicroversion(a);
  const [bmaj, bmin] = parseMicroversion(b);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

/** The version document URL of an endpoint: everything up to its version segment ("/v2.1/<project>" -> "/v2.1/"). */
export function versionDocumentUrl(endpoint: string): { url: string; segment?: string } {
  const u = new URL(endpoint);
  const parts = u.pathname.split("/").filter(Boolean);
  const index = parts.findIndex((p) => /^v\d+(\.\d+)?$/.test(p));
  if (index < 0) return { url: `${u.origin}${u.pathname.replace(/\/*$/, "/")}` };
  return { url: `${u.origin}/${parts.slice(0, index + 1).join("/")}/`, segment: parts[index] };
}

/** Picks the entry for `segment` ("v2.1", "v3", "v2") from a version document and returns its range. */
export function rangeFromDocument(doc: any, segment: string | undefined): VersionRange | undefined {
  const list: any[] = doc?.version
    ? [doc.version]
    : Array.isArray(doc?.versions)
      ? doc.versions
      : (doc?.versions?.values ?? []);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const pick =
    (segment && list.find((v) => v?.id === segment)) ??
    (segment && list.find((v) => typeof v?.id === "string" && v.id.startsWith(`${segment}.`))) ??
    list.find((v) => String(v?.status).toUpperCase() === "CURRENT") ??
    list[0];
  const max = typeof pick?.version === "string" && pick.version ? pick.version : undefined;
  const min = typeof pick?.min_version === "string" && pick.min_version ? pick.min_version : undefined;
  return { min, max };
}

const discovered = new Map<string, Promise<VersionRange>>();

/**
 * Discovers (once per endpoint) the microversion range of a service endpoint. `get` fetches a URL with the
 * session's auth and must accept 300 (Cinder and Manila answer their roots with Multiple Choices).
 */
export function discoverVersions(
  endpoint: string,
  get: (url: string) => Promise<HttpResponse>,
): Promise<VersionRange> {
  let pending = discovered.get(endpoint);
  if (!pending) {
    pending = (async () => {
      const { url, segment } = versionDocumentUrl(endpoint);
      const range = rangeFromDocument((await get(url)).data, segment);
      if (range || !segment) return range ?? {};
      // Some deployments serve the document only at the unversioned root.
      const root = new URL(url);
      root.pathname = root.pathname.replace(/[^/]+\/$/, "");
      return rangeFromDocument((await get(root.toString())).data, segment) ?? {};
    })();
    discovered.set(endpoint, pending);
    pending.catch(() => discovered.delete(endpoint)); // a failure is not remembered
  }
  return pending;
}

/** Forgets every discovered range (tests). */
export function clearVersionCache(): void {
  discovered.clear();
}
