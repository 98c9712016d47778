// Builds and starts the simulator: one Fastify server on 127.0.0.1 hosting every service under its prefix
// (see SERVICE_PREFIX), plus the control API under /_sim.
import Fastify, { type FastifyInstance } from "fastify";
import { register as registerCinder } from "../cinder";
import { register as registerControl } from "../control/routes";
import { register as registerGlance } from "../glance";
import { register as registerKeystone } from "../keystone";
import { register as registerManila } from "../manila";
import { register as registerNova } from "../nova";
import { buildConfig, type SimulatorConfig } from "./config";
import { SEED } from "./identity";
import { preciseNow } from "./transitions";
import { sendFault, serviceOfPath, type ServiceName } from "./service";
import { World } from "./world";

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface RunningSimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  world: World;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startSimulator(
  overrides: DeepPartial<SimulatorConfig> = {},
): Promise<RunningSimulator> {
  const config = buildConfig(overrides);
  const world = new World(config);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  installCrossCuttingHooks(app, world);
  registerControl(app, world);
  registerKeystone(app, world);
  registerNova(app, world);
  registerCinder(app, world);
  registerManila(app, world);
  registerGlance(app, world);

  await app.listen({ host: "127.0.0.1", port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  world.baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: world.baseUrl,
    port,
    world,
    app,
    close: async () => {
      world.transitions.cancelAll();
      await app.close();
    },
  };
}

/** Fault injection before routing, and the request log after the response. */
export function installCrossCuttingHooks(app: FastifyInstance, world: World): void {
  app.addHook("onRequest", async (request, reply) => {
    (request as any).startedAt = preciseNow();
    const path = request.url.split("?")[0];
    const service = serviceOfPath(path);
    if (service === "control" || service === "unknown") return;
    const rule = world.faults.match(request.method, path);
    if (!rule) return;
    (request as any).injected = rule.id;
    if (rule.action === "delay") {
      await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 0));
    } else if (rule.action === "reset") {
      world.requestLog.add(record(request, service, 0, rule.id));
      request.raw.socket.destroy();
      return reply.hijack();
    } else {
      return sendFault(reply, service, rule.status!, rule.message ?? "Injected fault.", rule.retryAfter);
    }
  });

  app.addHook("onResponse", async (request, reply) => {
    const path = request.url.split("?")[0];
    const service = serviceOfPath(path);
    if (service === "control") return;
    world.requestLog.add(record(request, service, reply.statusCode, (request as any).injected));
  });
}

function record(request: any, service: ServiceName | "unknown", status: number, injected?: string) {
  const path = request.url.split("?")[0];
  return {
    at: request.startedAt ?? preciseNow(),
    method: request.method,
    path,
    route: request.routeOptions?.url ?? path,
    service,
    status,
    durationMs: preciseNow() - (request.startedAt ?? preciseNow()),
    injected,
  };
}

/** OS_* variables that point a client at the simulator as `user` ("admin" or "demo"). */
export function osEnvironment(sim: { url: string; world: World }, user: "admin" | "demo" = "admin") {
  return osEnvironmentAt(sim.url, sim.world.config.region, user);
}

/** The same for a simulator known only by its URL and region (e.g. one in another process). */
export function osEnvironmentAt(url: string, region: string, user: "admin" | "demo" = "admin") {
  const u = SEED.users.find((x) => x.name === user)!;
  const project = SEED.projects.find((p) => p.id === u.projectId)!;
  return {
    OS_AUTH_URL: `${url}/identity/v3`,
    OS_AUTH_TYPE: "password",
    OS_USERNAME: u.name,
    OS_PASSWORD: u.password,
    OS_PROJECT_NAME: project.name,
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
    OS_REGION_NAME: region,
    OS_INTERFACE: "public",
    OS_IDENTITY_API_VERSION: "3",
  };
}

/** A clouds.yaml document with entries `simulator` (admin) and `simulator-demo`. */
export function cloudsYaml(sim: { url: string; world: World }): string {
  const entry = (user: "admin" | "demo") => {
    const env = osEnvironment(sim, user);
    return [
      `    auth:`,
      `      auth_url: ${env.OS_AUTH_URL}`,
      `      username: ${env.OS_USERNAME}`,
      `      password: ${env.OS_PASSWORD}`,
      `      project_name: ${env.OS_PROJECT_NAME}`,
      `      user_domain_name: Default`,
      `      project_domain_name: Default`,
      `    region_name: ${env.OS_REGION_NAME}`,
      `    interface: public`,
      `    identity_api_version: 3`,
    ].join("\n");
  };
  return `clouds:\n  simulator:\n${entry("admin")}\n  simulator-demo:\n${entry("demo")}\n`;
}
