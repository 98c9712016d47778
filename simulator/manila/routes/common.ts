// Helpers shared by Manila's route files.
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from "fastify";
import { queryStrings, routeProjectPaths, type Handler } from "../../core/service";
import type { World } from "../../core/world";
import type { ViewContext } from "../views";

/** Registers `path` under /v2 with and without the project id (optional from 2.60; FACTS §0.1). */
export const route = (
  scope: FastifyInstance,
  method: "get" | "post" | "put" | "delete",
  path: string,
  options: RouteShorthandOptions,
  handler: Handler,
) => routeProjectPaths(scope, method, "/v2", path, options, handler);

export function viewContext(request: FastifyRequest, world: World): ViewContext {
  return { mv: request.mv, principal: request.principal, baseUrl: world.baseUrl, model: world.manila };
}

export const query = queryStrings;

export const params = (request: FastifyRequest) => request.params as Record<string, string>;

/** `is_valid_body(body, key)`: the key is present and holds an object. */
export function entity(body: unknown, key: string): Record<string, any> | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const v = (body as Record<string, unknown>)[key];
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}
