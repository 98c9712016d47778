// Nova's control endpoints (/_sim/nova/...): what the real API cannot do, for tests and demos.
import type { FastifyInstance } from "fastify";
import { badRequest, notFound } from "../core/faults";
import type { World } from "../core/world";

const SHARES_SUPPORT = ["supported", "not-supported", "not-configured"];

export function register(scope: FastifyInstance, world: World): void {
  const model = world.nova;

  /**
   * Puts a server in any state: vmState (e.g. "error", "shelved_offloaded", "suspended"), taskState (e.g.
   * "powering-off" to hold a busy window; null to clear), powerState, launchedAt (null: never launched),
   * locked; and sets its knobs: sharesSupport ("supported" | "not-supported" | "not-configured") and
   * volumeAttachOutcome ("attached" | "fail").
   */
  scope.patch("/servers/:id", async (request) => {
    const id = (request.params as { id: string }).id;
    const server = model.servers.get(id);
    if (!server) throw notFound(`server ${id} not found`);
    const b = (request.body ?? {}) as Record<string, any>;
    if (b.sharesSupport !== undefined && !SHARES_SUPPORT.includes(b.sharesSupport)) {
      throw badRequest(`sharesSupport must be one of ${SHARES_SUPPORT.join(", ")}`);
    }
    if (b.volumeAttachOutcome !== undefined && !["attached", "fail"].includes(b.volumeAttachOutcome)) {
      throw badRequest("volumeAttachOutcome must be attached or fail");
    }
    const changes: Record<string, unknown> = {};
    for (const key of ["vmState", "taskState", "powerState"]) if (key in b) changes[key] = b[key];
    if ("launchedAt" in b) changes.launchedAt = b.launchedAt === null ? null : new Date(b.launchedAt);
    if ("locked" in b) changes.lockedBy = b.locked ? "owner" : null;
    if ("sharesSupport" in b) server.sim.sharesSupport = b.sharesSupport;
    if ("volumeAttachOutcome" in b) server.sim.volumeAttachOutcome = b.volumeAttachOutcome;
    model.touch(server, changes);
    return server;
  });

  /** Share mappings as stored (uuid, status, tag, export location, protocol), for one server or all. */
  scope.get("/share-mappings", async (request) => {
    const serverId = (request.query as { serverId?: string }).serverId;
    return {
      shareMappings: [...model.shares.mappings.values()].filter((m) => !serverId || m.serverId === serverId),
    };
  });

  /** Block device mappings as stored (attachment ids, owners omitted). */
  scope.get("/bdms", async (request) => {
    const serverId = (request.query as { serverId?: string }).serverId;
    return {
      bdms: [...model.volumes.bdms.values()]
        .filter((b) => !serverId || b.serverId === serverId)
        .map(({ owner: _owner, ...rest }) => rest),
    };
  });
}
