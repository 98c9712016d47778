// Helpers shared by Nova's route files.
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from "fastify";
import { projectPaths, type Handler } from "../../core/service";
import type { World } from "../../core/world";
import type { ViewContext } from "../views";

type Method = "get" | "post" | "put" | "delete";

/** Registers `path` under /v2.1 with and without the project id (optional from 2.18; FACTS §0.1). */
export function route(
  scope: FastifyInstance,
  method: Method,
  path: string,
  options: RouteShorthandOptions,
  handler: Handler,
): void {
  for (const url of projectPaths("/v2.1", path)) scope[method](url, options, handler);
}

export function viewContext(request: FastifyRequest, world: World): ViewContext {
  return { mv: request.mv, principal: request.principal, baseUrl: world.baseUrl, model: world.nova };
}

/** The query string as plain strings (a repeated key keeps its last value). */
export function query(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
  }
  return out;
}

export const params = (request: FastifyRequest) => request.params as Record<string, string>;
