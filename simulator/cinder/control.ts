// Cinder's control endpoints (/_sim/cinder/...): what the real API cannot do. Prefer the real admin API
// where one exists (os-reset_status, os-force_delete); these cover the rest. Bodies use the model's names.
import type { FastifyInstance } from "fastify";
import { badRequest, notFound } from "../core/faults";
import type { World } from "../core/world";
import type { Attachment, BackendOperation, Volume } from "./model";

const OPERATIONS: BackendOperation[] = ["create_volume", "initialize_connection"];

/** The model's view of a volume, without its CHAP secret. */
const volumeState = ({ export: _secret, ...volume }: Volume) => volume;
/** An attachment without its connection_info (which carries the CHAP secret). */
const attachmentState = ({ connectionInfo, ...attachment }: Attachment) => ({
  ...attachment,
  connected: Object.keys(connectionInfo).length > 0,
});

export function register(scope: FastifyInstance, world: World): void {
  const cinder = world.cinder;

  /** Every volume and attachment, internal fields included (attachStatus, migrationStatus...). */
  scope.get("/state", async () => ({
    volumes: [...cinder.volumes.values()].map(volumeState),
    attachments: [...cinder.attachments.values()].map(attachmentState),
  }));

  /**
   * Makes the backend fail the next `count` (default 1) calls of `operation`: "create_volume" (the volume
   * ends in `error`) or "initialize_connection" (attachment create/update answer 500).
   */
  scope.post("/backend-failures", async (request, reply) => {
    const { operation, count } = (request.body ?? {}) as { operation?: BackendOperation; count?: number };
    if (!operation || !OPERATIONS.includes(operation))
      throw badRequest(`operation must be one of ${OPERATIONS.join(", ")}`);
    if (count !== undefined && (!Number.isInteger(count) || count < 1))
      throw badRequest("count must be a positive integer");
    cinder.injectBackendFailure(operation, count ?? 1);
    return reply.code(204).send();
  });

  /**
   * Sets fields of a volume directly: status (any, including the ones os-reset_status refuses),
   * attachStatus, migrationStatus, bootable, adminMetadata (e.g. {"readonly": "True"}).
   */
  scope.patch("/volumes/:id", async (request) => {
    const volume = cinder.volumes.get((request.params as { id: string }).id);
    if (!volume) throw notFound("no such volume");
    const patch = (request.body ?? {}) as Partial<
      Pick<Volume, "status" | "attachStatus" | "migrationStatus" | "bootable" | "adminMetadata">
    >;
    const allowed = ["status", "attachStatus", "migrationStatus", "bootable", "adminMetadata"];
    const unknown = Object.keys(patch).filter((k) => !allowed.includes(k));
    if (unknown.length) throw badRequest(`unknown fields: ${unknown.join(", ")}`);
    Object.assign(volume, patch, { updatedAt: new Date() });
    return volumeState(volume);
  });
}
