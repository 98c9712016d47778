// Helpers shared by Nova's route files.
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from "fastify";
import { queryStrings, routeProjectPaths, type Handler } from "../../core/service";
import type { World } from "../../core/world";
import type { ViewContext } from "../views";

/** Registers `path` under /v2.1 with and without the project id (optional from 2.18; FACTS §0.1). */
export const route = (
  scope: FastifyInstance,
  method: "get" | "post" | "put" | "delete",
  path: string,
  options: RouteShorthandOptions,
  handler: Handler,
) => routeProjectPaths(scope, method, "/v2.1", path, options, handler);

export function viewContext(request: FastifyRequest, world: World): ViewContext {
  return { mv: request.mv, principal: request.principal, baseUrl: world.baseUrl, model: world.nova };
}

export const query = queryStrings;

export const params = (request: FastifyRequest) => request.params as Record<string, string>;
