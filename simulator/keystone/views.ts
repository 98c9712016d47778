// Keystone's JSON documents: version discovery (keystone/api/discovery.py), the token body
// (keystone/common/render_token.py) and the service catalog. FACTS §0.2 and §1.
import { createHash } from "crypto";
import { DEFAULT_DOMAIN, type Token } from "../core/identity";
import { serviceUrls } from "../core/service";
import type { World } from "../core/world";

/** Keystone at the commit FACTS was read from reports v3.14 (the api-ref samples' v3.4 is stale). */
export function v3Version(world: World) {
  return {
    id: "v3.14",
    status: "stable",
    updated: "2020-04-07T00:00:00Z",
    links: [{ rel: "self", href: `${world.baseUrl}/identity/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  };
}

/** Stable 32-hex ids, so catalog and role ids do not change between tokens or restarts. */
const stableId = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

export const roleRef = (name: string) => ({ id: stableId(`role:${name}`), name });

/**
 * The catalog a project-scoped token carries. Both the old and the current service types are listed
 * (volumev3 and block-storage, sharev2 and shared-file-system), as devstack registers them. The image entry
 * points at a version document only (simulator/glance): openstackclient needs one to create volumes.
 */
export function catalog(world: World, projectId: string) {
  const urls = serviceUrls(world.baseUrl, projectId);
  const services: [type: string, name: string, url: string][] = [
    ["identity", "keystone", urls.identity],
    ["compute", "nova", urls.compute],
    ["image", "glance", `${world.baseUrl}/image`],
    ["volumev3", "cinderv3", urls.volume],
    ["block-storage", "cinder", urls.volume],
    ["sharev2", "manilav2", urls.share],
    ["shared-file-system", "manila", urls.share],
  ];
  const region = world.config.region;
  return services.map(([type, name, url]) => ({
    endpoints: ["public", "internal", "admin"].map((iface) => ({
      id: stableId(`endpoint:${type}:${iface}`),
      interface: iface,
      region,
      region_id: region,
      url,
    })),
    id: stableId(`service:${type}`),
    type,
    name,
  }));
}

/** ISO 8601 with microseconds and Z, as Keystone writes expires_at and issued_at. */
const keystoneTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export function tokenBody(world: World, token: Token, includeCatalog: boolean) {
  const p = token.principal;
  const body: Record<string, unknown> = {
    methods: token.methods,
    user: {
      domain: { ...DEFAULT_DOMAIN },
      id: p.userId,
      name: p.userName,
      password_expires_at: null,
    },
    audit_ids: [token.auditId, ...(token.parentAuditIds ?? [])],
    expires_at: keystoneTime(token.expiresAt),
    issued_at: keystoneTime(token.issuedAt),
  };
  if (!token.unscoped) {
    body.project = { domain: { ...DEFAULT_DOMAIN }, id: p.projectId, name: p.projectName };
    body.is_domain = false;
    body.roles = p.roles.map(roleRef);
    if (includeCatalog) body.catalog = catalog(world, p.projectId);
  }
  if (token.applicationCredential) {
    body.application_credential = { ...token.applicationCredential, restricted: true };
  }
  return { token: body };
}
