// The control API (/_sim/...): knobs, fault injection, logs and reset for tests, benchmarks and the demo.
// It needs no token: the simulator only ever binds 127.0.0.1. Service-specific controls (out-of-band state
// changes, backend objects) live with each service under /_sim/<service>/...
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { mergeConfig } from "../core/config";
import { ApiFault } from "../core/faults";
import type { FaultRule } from "../core/faultInjection";
import type { World } from "../core/world";

export function register(app: FastifyInstance, world: World): void {
  app.register(
    async (scope) => {
      scope.setErrorHandler(controlErrorHandler);

      scope.get("/health", async () => ({ ok: true, pendingTransitions: world.transitions.pending }));

      /** Request log; `?since=<epoch ms>` keeps the newer entries, `?service=compute` one service. */
      scope.get("/requests", async (request) => {
        const q = request.query as { since?: string; service?: string };
        const since = q.since ? Number(q.since) : 0;
        return {
          requests: world.requestLog.records.filter(
            (r) => r.at >= since && (!q.service || r.service === q.service),
          ),
        };
      });
      scope.get("/counters", async () => ({
        total: world.requestLog.records.length,
        byRoute: Object.fromEntries(world.requestLog.counters),
      }));
      scope.delete("/requests", async (_request, reply) => {
        world.requestLog.clear();
        return reply.code(204).send();
      });

      /** When each asynchronous transition completed (`?since=<epoch ms>`). */
      scope.get("/transitions", async (request) => {
        const since = Number((request.query as { since?: string }).since ?? 0);
        return { transitions: world.transitions.log.filter((t) => t.completedAt >= since) };
      });

      scope.get("/config", async () => world.config);
      /** Deep-merges the body into the running config (e.g. {"transitions": {"server.stop": 2000}}). */
      scope.patch("/config", async (request) => {
        world.config = mergeConfig(world.config, request.body);
        return world.config;
      });

      scope.get("/faults", async () => ({ faults: world.faults.list(), hits: world.faults.hits }));
      scope.post("/faults", async (request, reply) => {
        const body = request.body as FaultRule | { faults: FaultRule[]; seed?: number };
        if ("faults" in body) {
          if (body.seed !== undefined) world.faults.reseed(body.seed);
          return reply.code(201).send({ faults: body.faults.map((f) => world.faults.add(f)) });
        }
        return reply.code(201).send(world.faults.add(body));
      });
      scope.delete("/faults", async (_request, reply) => {
        world.faults.remove();
        return reply.code(204).send();
      });
      scope.delete("/faults/:id", async (request, reply) => {
        world.faults.remove((request.params as { id: string }).id);
        return reply.code(204).send();
      });

      /** Makes every issued token invalid at once (clients must re-authenticate). */
      scope.post("/tokens/expire", async (_request, reply) => {
        world.identity.expireAll();
        return reply.code(204).send();
      });

      /** Forgets every resource, transition, fault and log entry (identities stay). */
      scope.post("/reset", async (_request, reply) => {
        world.reset();
        return reply.code(204).send();
      });
    },
    { prefix: "/_sim" },
  );
}

/** Control errors are `{"error": "<message>"}`; a model's ApiFault keeps its status. */
function controlErrorHandler(error: any, _request: FastifyRequest, reply: FastifyReply) {
  const status = error instanceof ApiFault ? error.status : error.statusCode;
  return reply.code(status && status < 600 ? status : 400).send({ error: error.message });
}

/** Registers a service's own control routes under /_sim/<service>/ with the control API's error shape. */
export function registerServiceControl(
  app: FastifyInstance,
  service: string,
  routes: (scope: FastifyInstance) => void,
): void {
  app.register(
    async (scope) => {
      scope.setErrorHandler(controlErrorHandler);
      routes(scope);
    },
    { prefix: `/_sim/${service}` },
  );
}
