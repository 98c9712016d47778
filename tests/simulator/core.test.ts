// The simulator's shared HTTP frame (auth, microversions, faults, logs), exercised through a test route.
import { strict as assert } from "assert";
import Fastify, { type FastifyInstance } from "fastify";
import { defaultConfig, mergeConfig } from "../../simulator/core/config";
import { projectPaths, registerService } from "../../simulator/core/service";
import { register as registerControl } from "../../simulator/control/routes";
import { installCrossCuttingHooks } from "../../simulator/core/app";
import { World } from "../../simulator/core/world";
import { SEED } from "../../simulator/core/identity";

/** Response bodies in these tests are whatever the simulator sent. */
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

describe("simulator core frame", () => {
  let app: FastifyInstance;
  let world: World;
  let base: string;
  let token: string;
  const admin = SEED.users[0];
  const adminProject = SEED.projects[0];

  before(async () => {
    world = new World(
      mergeConfig(defaultConfig(), { microversions: { compute: { min: "2.1", max: "2.93" } } }),
    );
    app = Fastify();
    installCrossCuttingHooks(app, world);
    registerControl(app, world);
    for (const service of ["compute", "volume", "share"] as const) {
      registerService(app, world, service, (scope) => {
        for (const url of projectPaths("/v9", "/things")) {
          scope.get(url, async (request) => ({
            mv: String(request.mv),
            project: request.principal.projectId,
          }));
        }
        scope.get(
          "/v9/new-things",
          { config: { minVersion: service === "compute" ? "2.90" : "2.1" } },
          async () => ({}),
        );
        scope.get("/v9/future-things", { config: { minVersion: "2.97" } }, async () => ({}));
        scope.post("/v9/things", async (request) => ({ body: request.body ?? null }));
        scope.delete("/v9/things", async (_request, reply) => reply.code(204).send());
        scope.get("/", { config: { public: true } }, async () => ({ versions: [] }));
      });
    }
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as any).port}`;
    world.baseUrl = base;
    const principal = world.identity.principalOf(admin, world.identity.findProject({ id: adminProject.id })!);
    token = world.identity.issue(principal, ["password"]).id;
  });
  after(async () => {
    world.transitions.cancelAll();
    await app.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(base + path, { headers: { "X-Auth-Token": token, ...headers } });

  it("rejects a missing or unknown token with keystonemiddleware's 401", async () => {
    for (const headers of [{}, { "X-Auth-Token": "nope" }] as Record<string, string>[]) {
      const res = await fetch(`${base}/compute/v9/things`, { headers });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Keystone uri=/);
      assert.deepEqual(await json(res), {
        error: {
          code: 401,
          title: "Unauthorized",
          message: "The request you have made requires authentication.",
        },
      });
    }
  });

  it("rejects an expired token", async () => {
    world.config.tokenTtlSeconds = -1;
    const principal = world.identity.principalOf(admin, world.identity.findProject({ id: adminProject.id })!);
    const expired = world.identity.issue(principal, ["password"]).id;
    world.config.tokenTtlSeconds = 3600;
    assert.equal((await get("/compute/v9/things", { "X-Auth-Token": expired })).status, 401);
  });

  it("serves public routes without a token", async () => {
    assert.equal((await fetch(`${base}/share/`)).status, 200);
  });

  it("runs at the minimum version when no header is sent, and echoes it", async () => {
    const res = await get("/compute/v9/things");
    assert.deepEqual(await json(res), { mv: "2.1", project: adminProject.id });
    assert.equal(res.headers.get("openstack-api-version"), "compute 2.1");
    assert.equal(res.headers.get("x-openstack-nova-api-version"), "2.1");
    assert.equal(res.headers.get("vary"), "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
    assert.match(res.headers.get("x-openstack-request-id") ?? "", /^req-[0-9a-f-]{36}$/);
  });

  it("reads each service's own header", async () => {
    const nova = await get("/compute/v9/things", { "X-OpenStack-Nova-API-Version": "2.60" });
    assert.equal((await json(nova)).mv, "2.60");
    const cinder = await get("/volume/v9/things", { "OpenStack-API-Version": "volume 3.44" });
    assert.equal((await json(cinder)).mv, "3.44");
    assert.equal(cinder.headers.get("openstack-api-version"), "volume 3.44");
    const manila = await get("/share/v9/things", { "X-OpenStack-Manila-API-Version": "2.49" });
    assert.equal((await json(manila)).mv, "2.49");
    assert.equal(manila.headers.get("x-openstack-manila-api-version"), "2.49");
    // Manila ignores the generic header.
    const ignored = await get("/share/v9/things", { "OpenStack-API-Version": "share 2.49" });
    assert.equal((await json(ignored)).mv, "2.0");
  });

  it("maps latest to the max for Nova and Cinder, and rejects it for Manila", async () => {
    assert.equal(
      (await json(get("/compute/v9/things", { "OpenStack-API-Version": "compute latest" }))).mv,
      "2.93",
    );
    assert.equal(
      (await json(get("/volume/v9/things", { "OpenStack-API-Version": "volume latest" }))).mv,
      "3.71",
    );
    const manila = await get("/share/v9/things", { "X-OpenStack-Manila-API-Version": "latest" });
    assert.equal(manila.status, 400);
    assert.equal((await json(manila)).badRequest.code, 400);
  });

  it("answers 400 for a malformed version and 406 for one out of range", async () => {
    const bad = await get("/compute/v9/things", { "OpenStack-API-Version": "compute 2.x" });
    assert.equal(bad.status, 400);
    assert.match((await json(bad)).badRequest.message, /invalid format/);
    const high = await get("/compute/v9/things", { "OpenStack-API-Version": "compute 2.97" });
    assert.equal(high.status, 406);
    assert.equal(
      high.headers.get("x-openstack-nova-api-version"),
      "2.97",
      "a 406 echoes the requested version",
    );
    assert.deepEqual(await json(high), {
      computeFault: {
        code: 406,
        message: "Version 2.97 is not supported by the API. Minimum is 2.1 and maximum is 2.93.",
      },
    });
    const cinder = await get("/volume/v9/things", { "OpenStack-API-Version": "compute 2.1" });
    assert.equal(cinder.status, 400);
  });

  it("answers 404 itemNotFound for a method below its minimum version", async () => {
    const res = await get("/compute/v9/new-things", { "OpenStack-API-Version": "compute 2.89" });
    assert.equal(res.status, 404);
    assert.deepEqual(await json(res), {
      itemNotFound: { code: 404, message: "The resource could not be found." },
    });
    assert.equal(
      (await get("/compute/v9/new-things", { "OpenStack-API-Version": "compute 2.90" })).status,
      200,
    );
  });

  it("answers an unknown path, or a method newer than the played release, with webob's HTML 404", async () => {
    for (const [path, headers] of [
      ["/compute/v9/no-such-things", {}],
      ["/compute/v9/future-things", { "OpenStack-API-Version": "compute 2.93" }],
      ["/compute/v9/future-things", { "OpenStack-API-Version": "compute 2.97" }],
    ] as const) {
      const res = await get(path, headers);
      assert.equal(res.status, 404, path);
      assert.equal(res.headers.get("content-type"), "text/html; charset=UTF-8");
      assert.match(await res.text(), /<h1>404 Not Found<\/h1>\n  The resource could not be found\./);
      assert.match(res.headers.get("x-compute-request-id") ?? "", /^req-/, "Nova's middleware adds its ids");
      assert.equal(res.headers.get("openstack-api-version"), null, "routing fails before negotiation");
    }
    const cinder = await get("/volume/v9/no-such-things");
    assert.equal(cinder.headers.get("x-compute-request-id"), null, "Cinder's id of the API layer");
    assert.match(cinder.headers.get("x-openstack-request-id") ?? "", /^req-/);
  });

  it("sends JSON as application/json (Nova's errors with charset=UTF-8), request ids per service", async () => {
    const ok = await get("/share/v9/things");
    assert.equal(ok.headers.get("content-type"), "application/json");
    assert.match(ok.headers.get("x-compute-request-id") ?? "", /^req-/);
    assert.match(ok.headers.get("x-openstack-request-id") ?? "", /^req-/, "Manila 21+ adds the middleware");
    const novaError = await get("/compute/v9/things", { "OpenStack-API-Version": "compute 2.0" });
    assert.equal(novaError.headers.get("content-type"), "application/json; charset=UTF-8");
    const cinderError = await get("/volume/v9/things", { "OpenStack-API-Version": "volume 3.999" });
    assert.equal(cinderError.headers.get("content-type"), "application/json");
  });

  it("takes an empty JSON body as none and answers a malformed one with 400 Malformed request body", async () => {
    const send = (method: string, body?: string) =>
      fetch(`${base}/volume/v9/things`, {
        method,
        headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
        body,
      });
    assert.equal((await send("DELETE")).status, 204);
    assert.deepEqual(await json(send("POST", "")), { body: null });
    const bad = await send("POST", "{bad");
    assert.equal(bad.status, 400);
    assert.deepEqual(await json(bad), { badRequest: { code: 400, message: "Malformed request body" } });
  });

  it("accepts the project id in the path only when it is the caller's", async () => {
    assert.equal((await get(`/volume/v9/${adminProject.id}/things`)).status, 200);
    const other = await get(`/volume/v9/${SEED.projects[1].id}/things`);
    assert.equal(other.status, 400);
    assert.match((await json(other)).badRequest.message, /doesn't match Context's project_id/);
  });

  it("injects status faults a given number of times, with Retry-After", async () => {
    await fetch(`${base}/_sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "status", status: 429, retryAfter: 2, path: "/compute/", count: 2 }),
    });
    const first = await get("/compute/v9/things");
    assert.equal(first.status, 429);
    assert.equal(first.headers.get("retry-after"), "2");
    assert.deepEqual(await json(first), {
      overLimit: { code: 429, message: "Injected fault.", retryAfter: "2" },
    });
    assert.equal((await get("/compute/v9/things")).status, 429);
    assert.equal((await get("/compute/v9/things")).status, 200);
  });

  it("injects connection resets", async () => {
    await fetch(`${base}/_sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "reset", path: "/volume/", count: 1 }),
    });
    await assert.rejects(get("/volume/v9/things"));
    assert.equal((await get("/volume/v9/things")).status, 200);
  });

  it("logs requests and counts them per route", async () => {
    await fetch(`${base}/_sim/requests`, { method: "DELETE" });
    await get("/share/v9/things");
    await get("/share/v9/things");
    const counters = await json(fetch(`${base}/_sim/counters`));
    assert.equal(counters.byRoute["GET /share/v9/things"], 2);
    const log = await json(fetch(`${base}/_sim/requests?service=share`));
    assert.equal(log.requests.length, 2);
    assert.equal(log.requests[0].status, 200);
  });

  it("logs each completed transition with its timing", async () => {
    world.config.transitions["test.flip"] = 30;
    let state = "a";
    world.transitions.after("test.flip", "obj-1", () => (state = "b"));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(state, "b");
    const { transitions } = await json(fetch(`${base}/_sim/transitions`));
    const t = transitions.find((x: any) => x.objectId === "obj-1");
    assert.equal(t.to, "b");
    assert.ok(t.completedAt - t.scheduledAt >= 29, `took ${t.completedAt - t.scheduledAt} ms`);
  });

  it("holds a kind's transitions back until released, then completes them at once, due or not", async () => {
    world.config.transitions["test.held"] = 1;
    world.config.transitions["test.free"] = 1;
    world.config.transitions["test.later"] = 60_000;
    const states: string[] = [];
    world.transitions.hold("test.held");
    world.transitions.hold("test.later");
    world.transitions.after("test.held", "obj-h1", () => {
      states.push("h1");
      world.transitions.after("test.held", "obj-h2", () => void states.push("h2")); // the next step
    });
    world.transitions.after("test.held", "obj-gone", () => false); // no longer applies: not logged
    world.transitions.after("test.free", "obj-f", () => void states.push("f"));
    world.transitions.after("test.later", "obj-l", () => void states.push("l"));
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(states, ["f"]);
    assert.equal(world.transitions.pending, 3);

    world.transitions.step("test.held"); // h1 only: h2, scheduled by h1, is held again when due
    assert.deepEqual(states, ["f", "h1"]);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(states, ["f", "h1"]);
    world.transitions.release(); // every held kind, in the order scheduled; "test.later" long before due
    assert.deepEqual(states, ["f", "h1", "l", "h2"]);
    assert.equal(world.transitions.pending, 0);
    const logged = world.transitions.log.filter((t) => t.kind.startsWith("test.h")).map((t) => t.objectId);
    assert.deepEqual(logged, ["obj-h1", "obj-h2"]);

    // A reset drops holds with the rest.
    world.transitions.hold("test.held");
    world.transitions.after("test.held", "obj-h3", () => void states.push("h3"));
    world.reset();
    assert.equal(world.transitions.pending, 0);
    world.transitions.after("test.held", "obj-h4", () => void states.push("h4"));
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(states, ["f", "h1", "l", "h2", "h4"]);
  });
});

describe("startSimulator", () => {
  it("listens on 127.0.0.1, serves the control API and closes", async () => {
    const { startSimulator, osEnvironment, cloudsYaml } = await import("../../simulator/core/app");
    const { parse } = await import("yaml");
    const sim = await startSimulator();
    try {
      assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(await json(fetch(`${sim.url}/_sim/health`)), {
        ok: true,
        pendingTransitions: 0,
      });
      assert.equal(osEnvironment(sim).OS_AUTH_URL, `${sim.url}/identity/v3`);
      assert.equal(parse(cloudsYaml(sim)).clouds["simulator-demo"].auth.username, "demo");
    } finally {
      await sim.close();
    }
    await assert.rejects(fetch(`${sim.url}/_sim/health`));
  });
});
