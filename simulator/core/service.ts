// The HTTP frame every simulated service shares: token validation (keystonemiddleware's job),
// microversion negotiation and echo headers, per-route minimum versions, the project id in the path,
// request ids and the service's own fault bodies. Routes only see a validated request.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from "fastify";
import { randomUUID } from "crypto";
import { STATUS_CODES } from "http";
import { ApiFault, faultBody, KEYSTONE_401_BODY } from "./faults";
import { IdentityStore, type Principal } from "./identity";
import type { Profile } from "./config";
import {
  echoHeaders,
  negotiate,
  Version,
  VersionNotAcceptable,
  type MicroversionedService,
} from "./microversion";
import type { World } from "./world";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (service routes that are not public). */
    principal: Principal;
    /** The negotiated microversion (microversioned, non-public routes). */
    mv: Version;
  }
  interface FastifyContextConfig {
    /** No token needed and no microversion negotiated (version documents). */
    public?: boolean;
    /** The method does not exist below this version: 404 itemNotFound. */
    minVersion?: string;
    /** The method does not exist above this version: 404 itemNotFound. */
    maxVersion?: string;
    /**
     * Which request ids the response carries when not all: "middleware" (served before the API layer, e.g.
     * a redirect) or "none" (a version app outside the request-id middleware, e.g. Nova's GET /).
     */
    requestIds?: "middleware" | "none";
  }
}

export type ServiceName = "identity" | MicroversionedService;

/** Path prefixes of the services on the simulator's single port. */
export const SERVICE_PREFIX: Record<ServiceName, string> = {
  identity: "/identity",
  compute: "/compute",
  volume: "/volume",
  share: "/share",
};

/** Endpoint URLs as the catalog lists them (FACTS §6.8: real clouds vary; these follow devstack). */
export function serviceUrls(baseUrl: string, projectId: string) {
  return {
    identity: `${baseUrl}/identity/v3`,
    compute: `${baseUrl}/compute/v2.1`,
    volume: `${baseUrl}/volume/v3/${projectId}`,
    share: `${baseUrl}/share/v2/${projectId}`,
  };
}

export function serviceOfPath(path: string): ServiceName | "control" | "unknown" {
  if (path.startsWith("/_sim")) return "control";
  for (const [name, prefix] of Object.entries(SERVICE_PREFIX)) {
    if (path === prefix || path.startsWith(prefix + "/")) return name as ServiceName;
  }
  return "unknown";
}

/** webob's answer for a path no route of the service knows (recorded on all three real services). */
const WEBOB_404 =
  "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n" +
  "  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>";

/**
 * The request id headers of a service, as recorded on the real services: those its paste middleware adds
 * (every response, also an unknown path's or a redirect's) and those its API layer adds (routed responses).
 * Manila added the X-OpenStack-Request-Id middleware in release 21.
 */
function requestIdHeaders(service: ServiceName, profile: Profile): { middleware: string[]; api: string[] } {
  switch (service) {
    case "compute":
      return { middleware: ["X-OpenStack-Request-Id", "X-Compute-Request-Id"], api: [] };
    case "volume":
      return { middleware: ["X-OpenStack-Request-Id"], api: ["X-Compute-Request-Id"] };
    case "share":
      return {
        middleware: profile === "debian-bookworm" ? [] : ["X-OpenStack-Request-Id"],
        api: ["X-Compute-Request-Id"],
      };
    case "identity":
      return { middleware: ["X-OpenStack-Request-Id"], api: [] };
  }
}

/**
 * The Content-Type the real services send with a JSON body: "application/json", but Nova's own errors
 * (not keystonemiddleware's 401) say "application/json; charset=UTF-8". A redirect is webob's empty text.
 */
function contentTypeOf(service: ServiceName, status: number): string {
  if (status === 301 || status === 302) return "text/plain; charset=utf8";
  return service === "compute" && status >= 400 && status !== 401
    ? "application/json; charset=UTF-8"
    : "application/json";
}

/** Sends an error the way `service` would: Keystone's shape for identity, fault wrappers otherwise. */
export function sendFault(
  reply: FastifyReply,
  service: ServiceName,
  status: number,
  message: string,
  retryAfter?: number,
): FastifyReply {
  if (retryAfter !== undefined) reply.header("Retry-After", String(retryAfter));
  if (service === "identity") {
    const title = STATUS_CODES[status] ?? "Error";
    if (status === 401)
      reply.header(
        "WWW-Authenticate",
        `Keystone uri="${reply.request.protocol}://${reply.request.host}/identity"`,
      );
    return reply.code(status).send({ error: { code: status, title, message } });
  }
  return reply.code(status).send(faultBody(status, message, service, retryAfter));
}

/**
 * Registers one service under its prefix. `routes` receives an encapsulated Fastify scope whose routes are
 * authenticated and versioned unless their config says `public: true`.
 */
export function registerService(
  app: FastifyInstance,
  world: World,
  service: ServiceName,
  routes: (scope: FastifyInstance) => void,
): void {
  app.register(
    async (scope) => {
      scope.setErrorHandler((error: any, request, reply) => {
        if (error instanceof ApiFault)
          return sendFault(reply, service, error.status, error.message, error.retryAfter);
        // Fastify's own errors: malformed JSON, unsupported media type, body too large, schema validation.
        const status =
          typeof error.statusCode === "number" && error.statusCode < 500 ? error.statusCode : 500;
        const message =
          status === 500
            ? `Unexpected API Error. Please report this at http://bugs.launchpad.net/ and attach the log if possible. <class '${error.name}'>`
            : error.message;
        if (status === 500) request.log.error(error);
        return sendFault(reply, service, status, message);
      });

      const ids = () => requestIdHeaders(service, world.config.profile);
      // An unknown path, or a method the played release does not have yet (its minimum microversion is above
      // the service's maximum: the route does not exist there, e.g. os-server-shares on Nova 26).
      const unknownPath = (reply: FastifyReply) =>
        reply.code(404).header("content-type", "text/html; charset=UTF-8").send(WEBOB_404);
      scope.setNotFoundHandler(async (_request, reply) => unknownPath(reply));
      if (service !== "identity") {
        // webob's JSON: an empty body is no body (e.g. a DELETE that sends Content-Type), a malformed one a 400
        // "Malformed request body" (both recorded on the real services).
        scope.removeContentTypeParser("application/json");
        scope.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
          if (body === "") return done(null, undefined);
          try {
            done(null, JSON.parse(body as string));
          } catch {
            done(new ApiFault(400, "Malformed request body"), undefined);
          }
        });
      }

      scope.addHook("onRequest", async (request, reply) => {
        const id = `req-${randomUUID()}`;
        const layers = request.routeOptions.config.requestIds ?? (request.is404 ? "middleware" : "api");
        const names = { none: [], middleware: ids().middleware, api: [...ids().middleware, ...ids().api] };
        for (const name of names[layers]) reply.header(name, id);
        if (request.routeOptions.config.public) return;
        const token = request.headers["x-auth-token"] as string | undefined;
        const principal =
          world.config.auth === "noauth"
            ? IdentityStore.noauthPrincipal(token)
            : world.identity.validate(token)?.principal;
        if (!principal) {
          // keystonemiddleware's answer, whatever the service (FACTS §0.3).
          reply.header("WWW-Authenticate", `Keystone uri='${world.baseUrl}/identity'`);
          return reply.code(401).send(KEYSTONE_401_BODY);
        }
        request.principal = { ...principal, requestId: id };
        if (service === "identity" || request.is404) return;
        const { minVersion, maxVersion } = request.routeOptions.config;
        if (minVersion && Version.of(world.config.microversions[service].max).compare(minVersion) < 0) {
          return unknownPath(reply);
        }
        try {
          request.mv = negotiate(
            service,
            world.config.microversions[service],
            request.headers,
            world.config.profile,
          );
        } catch (error) {
          if (error instanceof VersionNotAcceptable) request.mv = error.requested; // echoed by onSend
          throw error;
        }
        if (
          (minVersion && !request.mv.atLeast(minVersion)) ||
          (maxVersion && request.mv.compare(maxVersion) > 0)
        ) {
          throw new ApiFault(404, "The resource could not be found.");
        }
      });

      scope.addHook("preHandler", async (request) => {
        const projectId = (request.params as Record<string, string> | undefined)?.project_id;
        if (projectId !== undefined && request.principal && projectId !== request.principal.projectId) {
          throw new ApiFault(
            400,
            `Malformed request URL: URL's project_id '${projectId}' doesn't match Context's project_id '${request.principal.projectId}'`,
          );
        }
      });

      scope.addHook("onSend", async (request, reply, payload) => {
        if (request.mv && service !== "identity") {
          for (const [name, value] of Object.entries(echoHeaders(service, request.mv)))
            reply.header(name, value);
        }
        const type = reply.getHeader("content-type");
        const redirect = reply.statusCode === 301 || reply.statusCode === 302;
        if (
          service !== "identity" &&
          (redirect || (typeof type === "string" && type.startsWith("application/json")))
        )
          reply.header("content-type", contentTypeOf(service, reply.statusCode));
        return payload;
      });

      routes(scope);
    },
    { prefix: SERVICE_PREFIX[service] },
  );
}

/**
 * Both URL forms of a path under a version segment, with and without the project id
 * (e.g. "/v2.1/servers" and "/v2.1/:project_id/servers"): the services route both (the project id became
 * optional at compute 2.18, volume 3.67, share 2.60). Register a route once per returned path.
 */
export function projectPaths(versionSegment: string, path: string): string[] {
  return [`${versionSegment}${path}`, `${versionSegment}/:project_id${path}`];
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Registers a route under both URL forms of `projectPaths`. */
export function routeProjectPaths(
  scope: FastifyInstance,
  method: "get" | "post" | "put" | "delete",
  versionSegment: string,
  path: string,
  options: RouteShorthandOptions,
  handler: Handler,
): void {
  for (const url of projectPaths(versionSegment, path)) scope[method](url, options, handler);
}

/** The query string as plain strings (a repeated key keeps its last value, as webob's GET does). */
export function queryStrings(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
  }
  return out;
}
