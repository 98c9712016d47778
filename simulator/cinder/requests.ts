// Parsing of Cinder request bodies and list query strings, with Cinder's own 400 messages
// (cinder/api/validation/validators.py, cinder/api/common.py, cinder/api/api_utils.py).
import type { FastifyReply, FastifyRequest } from "fastify";
import { dispatchAction, type ActionHandler } from "../core/actions";
import { ApiFault, badRequest } from "../core/faults";
import type { Principal } from "../core/identity";
import type { Version } from "../core/microversion";
import { pythonRepr } from "../core/python";
import type { ListOptions } from "./listing";

export { pythonRepr };

type Json = Record<string, any>;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The message Cinder's JSON-schema validator builds for an error at `field` ("Value:" is Python's str()). */
export function invalidField(field: string, value: unknown, why: string): ApiFault {
  const text = typeof value === "string" ? value : pythonRepr(value);
  return badRequest(`Invalid input for field/attribute ${field}. Value: ${text}. ${why}`);
}

/** `{"<key>": {...}}` with no other top-level key (additionalProperties: false). */
export function wrapped(body: unknown, key: string): Json {
  if (!isObject(body) || !(key in body)) throw badRequest(`'${key}' is a required property`);
  const extra = Object.keys(body).filter((k) => k !== key);
  if (extra.length)
    throw badRequest(`Additional properties are not allowed ('${extra.join("', '")}' was unexpected)`);
  if (!isObject(body[key]))
    throw invalidField(key, body[key], `${pythonRepr(body[key])} is not of type 'object'`);
  return body[key];
}

/** Rejects keys outside `allowed` (additionalProperties: false) and requires `required`. */
export function checkKeys(object: Json, where: string, allowed: string[], required: string[] = []): void {
  for (const key of required) {
    if (!(key in object)) throw invalidField(where, object, `'${key}' is a required property`);
  }
  const extra = Object.keys(object).filter((k) => !allowed.includes(k));
  if (extra.length)
    throw invalidField(
      where,
      object,
      `Additional properties are not allowed ('${extra.join("', '")}' was unexpected)`,
    );
}

export function checkUuid(field: string, value: unknown): string {
  if (typeof value !== "string" || !UUID.test(value))
    throw invalidField(field, value, `${pythonRepr(value)} is not a 'uuid'`);
  return value;
}

/** oslo's bool_from_string(strict=True) for booleans given as JSON or strings. */
export function strictBool(field: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).toLowerCase();
  if (["1", "t", "true", "on", "y", "yes"].includes(text)) return true;
  if (["0", "f", "false", "off", "n", "no"].includes(text)) return false;
  throw invalidField(field, value, `${pythonRepr(value)} is not of type 'boolean'`);
}

/** A caller that presents the service role (X-Service-Roles: service, as a service token yields). */
export function callerOf(request: FastifyRequest): Principal {
  const serviceRoles = String(request.headers["x-service-roles"] ?? "")
    .split(",")
    .map((r) => r.trim());
  const p = request.principal;
  return serviceRoles.includes("service") && !p.roles.includes("service")
    ? { ...p, roles: [...p.roles, "service"] }
    : p;
}

/** The query string as Cinder's webob sees it: last value wins for repeated keys. */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.query as Record<string, string | string[]>)) {
    out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  return out;
}

/** Pops sort, paging and all_tenants out of `query` (get_sort_params, get_pagination_params). */
export function listOptions(query: Record<string, string>): ListOptions & { allTenants: boolean } {
  const options: ListOptions & { allTenants: boolean } = { allTenants: "all_tenants" in query };
  delete query.all_tenants;
  if ("sort" in query && ("sort_key" in query || "sort_dir" in query)) {
    throw badRequest(
      "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
    );
  }
  if ("sort" in query) {
    options.sortKeys = [];
    options.sortDirs = [];
    for (const item of query.sort.trim().split(",")) {
      const [key, dir] = item.split(":");
      options.sortKeys.push(key.trim());
      options.sortDirs.push((dir || "desc").trim());
    }
  } else {
    options.sortKeys = [(query.sort_key ?? "created_at").trim()];
    options.sortDirs = [(query.sort_dir ?? "desc").trim()];
  }
  delete query.sort;
  delete query.sort_key;
  delete query.sort_dir;
  if ("limit" in query) {
    if (!/^-?\d+$/.test(query.limit.trim())) throw badRequest("limit param must be an integer");
    options.limit = Number(query.limit);
    if (options.limit < 0) throw badRequest("limit param must be positive");
  }
  if ("offset" in query) {
    if (!/^-?\d+$/.test(query.offset.trim())) throw badRequest("offset must be an integer.");
    options.offset = Number(query.offset);
    if (options.offset < 0) throw badRequest("offset must be >= 0");
  }
  if ("marker" in query) options.marker = query.marker;
  delete query.limit;
  delete query.offset;
  delete query.marker;
  return options;
}

/**
 * Cinder's resource filters for non-admins: from 3.31 an unknown filter is a 400 (all_tenants is ignored);
 * before, unknown filters are silently dropped. Admins may filter on anything.
 */
export function checkFilters(
  principal: Principal,
  mv: Version,
  filters: Record<string, string>,
  allowed: string[],
): void {
  if (principal.isAdmin) return;
  const invalid = Object.keys(filters).filter((k) => !allowed.includes(k));
  if (invalid.length === 0) return;
  if (mv.atLeast("3.31"))
    throw badRequest(`Invalid filters ${invalid.join(",")} are found in query options.`);
  for (const key of invalid) delete filters[key];
}

/** core/actions' dispatch, with the longer message Cinder's wsgi layer gives an unknown action. */
export function dispatchCinderAction(
  request: FastifyRequest,
  reply: FastifyReply,
  actions: Record<string, ActionHandler>,
): unknown {
  try {
    return dispatchAction(request, reply, actions);
  } catch (error) {
    if (error instanceof ApiFault && error.message.startsWith("There is no such action: "))
      throw badRequest(`${error.message}. Verify the request body and Content-Type header and try again.`);
    throw error;
  }
}
