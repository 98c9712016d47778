// Scope: where an object lives (region, project, service endpoint). Recorded at create, compared on every
// later call, so that a 404 caused by pointing elsewhere is never mistaken for "gone".

/** Where an object was created. Resources store it in their outputs at create. */
export interface Scope {
  region?: string;
  projectId?: string;
  /** The service endpoint URL used (no trailing slash). */
  endpoint: string;
}

function normaliseEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url.replace(/\/+$/, "");
  }
}

/**
 * The differences between a recorded scope and the current one, as phrases ("region RegionOne vs RegionTwo");
 * empty when they match. A field the recorded scope lacks is not compared.
 */
export function scopeDifferences(recorded: Partial<Scope>, current: Scope): string[] {
  const out: string[] = [];
  if (recorded.region !== undefined && recorded.region !== current.region) {
    out.push(`region ${recorded.region} (now ${current.region ?? "unset"})`);
  }
  if (recorded.projectId !== undefined && recorded.projectId !== current.projectId) {
    out.push(`project ${recorded.projectId} (now ${current.projectId ?? "unknown"})`);
  }
  if (
    recorded.endpoint !== undefined &&
    normaliseEndpoint(recorded.endpoint) !== normaliseEndpoint(current.endpoint)
  ) {
    out.push(`endpoint ${recorded.endpoint} (now ${current.endpoint})`);
  }
  return out;
}
