// Helpers shared by Manila's route files.
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from "fastify";
import { projectPaths, type Handler } from "../../core/service";
import type { World } from "../../core/world";
import type { ViewContext } from "../views";

type Method = "get" | "post" | "put" | "delete";

/** Registers `path` under /v2 with and without the project id (Manila routes both; FACTS §0.1). */
export function route(
  scope: FastifyInstance,
  method: Method,
  path: string,
  options: RouteShorthandOptions,
  handler: Handler,
): void {
  for (const url of projectPaths("/v2", path)) scope[method](url, options, handler);
}

export function viewContext(request: FastifyRequest, world: World): ViewContext {
  return { mv: request.mv, principal: request.principal, baseUrl: world.baseUrl, model: world.manila };
}

/** The query string as plain strings (a repeated key keeps its last value, as webob's GET does). */
export function query(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
  }
  return out;
}

export const params = (request: FastifyRequest) => request.params as Record<string, string>;

/** `is_valid_body(body, key)`: the key is present and holds an object. */
export function entity(body: unknown, key: string): Record<string, any> | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const v = (body as Record<string, unknown>)[key];
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}
