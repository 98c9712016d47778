// Attachment routes, volume 3.27+ (cinder/api/v3/attachments.py). Responses of POST-with-connector and PUT
// are built from the API-side object, which Cinder does not refresh after the volume service's work
// (FACTS §5.3, §6.1): they show the status/attach_mode/attached_at from before the connection was made.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { projectPaths } from "../core/service";
import type { World } from "../core/world";
import type { Attachment } from "./model";
import {
  callerOf,
  checkFilters,
  checkKeys,
  dispatchCinderAction,
  pythonRepr,
  checkUuid,
  invalidField,
  isObject,
  listOptions,
  queryOf,
  wrapped,
} from "./requests";
import { attachmentDetail, attachmentSummary } from "./views";

const NEW_ATTACH = { config: { minVersion: "3.27" } };
const ATTACHMENT_FILTERS = ["volume_id", "status", "instance_id", "attach_status"];

const paramId = (request: FastifyRequest) => (request.params as { id: string }).id;

function parseCreate(request: FastifyRequest) {
  const body = wrapped(request.body, "attachment");
  const withMode = request.mv.atLeast("3.54");
  checkKeys(
    body,
    "attachment",
    ["volume_uuid", "instance_uuid", "connector", ...(withMode ? ["mode"] : [])],
    ["volume_uuid"],
  );
  const volumeId = checkUuid("volume_uuid", body.volume_uuid);
  const instanceUuid = "instance_uuid" in body ? checkUuid("instance_uuid", body.instance_uuid) : undefined;
  const connector = body.connector ?? null;
  if (connector !== null && !isObject(connector))
    throw invalidField("connector", connector, "is not of type 'object', 'null'");
  if (body.mode !== undefined && body.mode !== "rw" && body.mode !== "ro")
    throw invalidField("mode", body.mode, `'${body.mode}' is not one of ['rw', 'ro']`);
  // From 3.54 Cinder stores the literal "null" when no mode is given; before, the create call's default.
  return { volumeId, instanceUuid, connector, mode: (body.mode ?? "null") as "rw" | "ro" | "null" };
}

export function registerAttachmentRoutes(scope: FastifyInstance, world: World): void {
  const cinder = world.cinder;

  for (const url of projectPaths("/v3", "/attachments")) {
    scope.post(url, NEW_ATTACH, async (request) => {
      const attachment = cinder.createAttachment(callerOf(request), parseCreate(request));
      // The API object was read right after the reservation; only attach_mode and connection_info were
      // set on it afterwards.
      return { attachment: { ...attachmentDetail(attachment), status: "reserved", attached_at: "" } };
    });

    const list = (detail: boolean) => async (request: FastifyRequest) => {
      const principal = callerOf(request);
      const query = queryOf(request);
      const options = listOptions(query);
      checkFilters(principal, request.mv, query, ATTACHMENT_FILTERS);
      if ("instance_id" in query) {
        query.instance_uuid = query.instance_id;
        delete query.instance_id;
      }
      const attachments = cinder.listAttachments(principal, { ...options, filters: query });
      return { attachments: attachments.map(detail ? attachmentDetail : attachmentSummary) };
    };
    scope.get(url, NEW_ATTACH, list(false));
    scope.get(`${url}/detail`, NEW_ATTACH, list(true));
  }

  for (const url of projectPaths("/v3", "/attachments/:id")) {
    scope.get(url, NEW_ATTACH, async (request) => {
      const attachment = cinder.getAttachment(callerOf(request), paramId(request));
      const view = attachmentDetail(attachment);
      const format = cinder.volumes.get(attachment.volumeId)?.adminMetadata.format;
      if (format !== undefined) view.connection_info = { ...view.connection_info, format };
      return { attachment: view };
    });

    scope.put(url, NEW_ATTACH, async (request) => {
      const principal = callerOf(request);
      const body = wrapped(request.body, "attachment");
      checkKeys(body, "attachment", ["connector"], ["connector"]);
      if (!isObject(body.connector) || Object.keys(body.connector).length === 0)
        throw invalidField(
          "connector",
          body.connector,
          `${pythonRepr(body.connector)} does not have enough properties`,
        );
      // As Cinder's controller does: read the attachment, update it, answer with the object read first.
      const before: Attachment = { ...cinder.getAttachment(principal, paramId(request)) };
      const after = cinder.updateAttachment(principal, before.id, body.connector);
      return { attachment: { ...attachmentDetail(before), connection_info: after.connectionInfo } };
    });

    scope.delete(url, NEW_ATTACH, async (request) => {
      const remaining = cinder.deleteAttachment(callerOf(request), paramId(request));
      return { attachments: remaining.map(attachmentSummary) };
    });
  }

  const actions = {
    "os-complete": {
      minVersion: "3.44",
      handle: (request: FastifyRequest, reply: FastifyReply) => {
        checkKeys(request.body as Record<string, unknown>, "os-complete", ["os-complete"]);
        cinder.completeAttachment(callerOf(request), paramId(request));
        return reply.code(204).send();
      },
    },
  };
  for (const url of projectPaths("/v3", "/attachments/:id/action")) {
    scope.post(url, NEW_ATTACH, async (request, reply) => dispatchCinderAction(request, reply, actions));
  }
}
