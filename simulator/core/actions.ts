// `POST .../{id}/action` dispatch as Nova's and Manila's wsgi layers do it: the body's single key names the
// action; an unknown name is a 400, a name that exists but not at the request's microversion a 404.
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiFault } from "./faults";

export interface ActionHandler {
  /** The action does not exist below / above these versions (inclusive). */
  minVersion?: string;
  maxVersion?: string;
  /** Receives the value under the action's key. */
  handle: (request: FastifyRequest, reply: FastifyReply, argument: unknown) => unknown;
}

/** Runs the handler named by the body's key; several handlers may share a name across version ranges. */
export function dispatchAction(
  request: FastifyRequest,
  reply: FastifyReply,
  actions: Record<string, ActionHandler | ActionHandler[]>,
): unknown {
  const body = request.body;
  const name =
    typeof body === "object" && body !== null && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
  if (name === undefined) throw new ApiFault(400, "Malformed request body");
  const candidates = actions[name];
  if (!candidates) throw new ApiFault(400, `There is no such action: ${name}`);
  const handler = ([] as ActionHandler[])
    .concat(candidates)
    .find(
      (h) =>
        (!h.minVersion || request.mv.atLeast(h.minVersion)) &&
        (!h.maxVersion || request.mv.compare(h.maxVersion) <= 0),
    );
  if (!handler) throw new ApiFault(404, "The resource could not be found.");
  return handler.handle(request, reply, (body as Record<string, unknown>)[name]);
}
