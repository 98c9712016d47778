// Manila's control endpoints (/_sim/manila/...): what the real API cannot do, for tests and demos.
// Bodies and answers use the model's own field names (camelCase), not Manila's.
import { randomUUID } from "crypto";
import type { FastifyInstance } from "fastify";
import { badRequest, notFound } from "../core/faults";
import type { World } from "../core/world";
import type { ExportLocation, Share } from "./model";
import type { BackendShareServer } from "./settings";

export function register(scope: FastifyInstance, world: World): void {
  const model = world.manila;
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;
  const body = (request: { body: unknown }) => (request.body ?? {}) as Record<string, any>;

  /** Unmanaged servers on the backends (what manage can adopt). */
  scope.get("/backend-share-servers", async () => ({ backendShareServers: model.backendShareServers }));
  scope.post("/backend-share-servers", async (request, reply) => {
    const b = body(request) as BackendShareServer;
    if (!b.host || !b.identifier) throw badRequest("host and identifier are required");
    if (b.onManage && !["active", "error", "stick"].includes(b.onManage)) {
      throw badRequest("onManage must be active, error or stick");
    }
    const entry: BackendShareServer = {
      host: b.host,
      identifier: b.identifier,
      backendDetails: b.backendDetails ?? {},
      onManage: b.onManage ?? "active",
    };
    model.backendShareServers.push(entry);
    return reply.code(201).send(entry);
  });
  scope.delete("/backend-share-servers", async (_request, reply) => {
    model.backendShareServers = [];
    return reply.code(204).send();
  });

  /**
   * A share server as the share manager creates one for a share on a DHSS=True network (creating →
   * active, or error with `outcome: "error"`), without a share. Body: shareNetworkId, optional
   * shareNetworkSubnetId (default: the network's default subnet), host, outcome.
   */
  scope.post("/share-servers", async (request, reply) => {
    const b = body(request);
    const network = model.shareNetworks.get(b.shareNetworkId);
    if (!network) throw notFound(`share network ${b.shareNetworkId} not found`);
    const subnet = b.shareNetworkSubnetId
      ? model.subnetsOf(network.id).find((s) => s.id === b.shareNetworkSubnetId)
      : model.defaultSubnet(network.id);
    if (!subnet) throw badRequest("no such subnet on that share network");
    const host = b.host ?? model.settings().backends[0]?.host;
    if (!host) throw badRequest("no backend configured");
    return reply
      .code(201)
      .send(model.setUpShareServer(host, subnet, b.outcome === "error" ? "error" : "active"));
  });
  /** Sets fields the API cannot: status (any value), taskState, encryptionKeyRef, isAutoDeletable. */
  scope.patch("/share-servers/:id", async (request) => {
    const server = model.shareServers.get(id(request));
    if (!server) throw notFound(`share server ${id(request)} not found`);
    return patch(server, body(request), ["status", "taskState", "encryptionKeyRef", "isAutoDeletable"]);
  });

  /**
   * Sets a share's status (any value), its export locations (`exportLocations: [{path, preferred?,
   * isAdminOnly?}]`, [] for none), and what its next access rules do: `accessOutcome` "active" | "error"
   * (the state a new rule reaches), `denyOutcome` "deleted" | "error" | "refuse" (a deny removes the rule,
   * leaves it in error, or is refused with 400 at the API).
   */
  scope.patch("/shares/:id", async (request) => {
    const share = model.shares.get(id(request));
    if (!share) throw notFound(`share ${id(request)} not found`);
    const b = body(request);
    if (b.exportLocations !== undefined) {
      if (!Array.isArray(b.exportLocations)) throw badRequest("exportLocations must be a list");
      share.exportLocations = b.exportLocations.map((e: Partial<ExportLocation>): ExportLocation => ({
        id: randomUUID(),
        path: String(e.path),
        preferred: e.preferred === true,
        isAdminOnly: e.isAdminOnly === true,
        createdAt: new Date(),
        updatedAt: null,
      }));
    }
    if (b.accessOutcome !== undefined) share.sim.accessOutcome = oneOf(b.accessOutcome, ["active", "error"]);
    if (b.denyOutcome !== undefined)
      share.sim.denyOutcome = oneOf(b.denyOutcome, ["deleted", "error", "refuse"]);
    return patch<Share>(share, b, ["status"]);
  });

  /** Sets a share network's status ("active", "error", "network_change"). */
  scope.patch("/share-networks/:id", async (request) => {
    const network = model.shareNetworks.get(id(request));
    if (!network) throw notFound(`share network ${id(request)} not found`);
    return patch(network, body(request), ["status"]);
  });

  /** Access rules with their locks, as stored (GET ?shareId=). */
  scope.get("/access-rules", async (request) => {
    const shareId = (request.query as { shareId?: string }).shareId;
    return { accessRules: [...model.accessRules.values()].filter((r) => !shareId || r.shareId === shareId) };
  });
}

function oneOf<T extends string>(value: unknown, allowed: T[]): T {
  if (!allowed.includes(value as T)) throw badRequest(`expected one of ${allowed.join(", ")}`);
  return value as T;
}

/** Copies the listed fields present in `changes` onto `target` and stamps updatedAt. */
function patch<T extends { updatedAt: Date | null }>(
  target: T,
  changes: Record<string, any>,
  fields: string[],
): T {
  for (const f of fields) if (f in changes) (target as Record<string, unknown>)[f] = changes[f];
  target.updatedAt = new Date();
  return target;
}
