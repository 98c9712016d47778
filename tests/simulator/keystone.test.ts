// Keystone v3 on the simulator: version documents, token issue/validate/revoke, catalog, errors (FACTS §0.2,
// §0.3, §1), compared with the upstream samples.
import { strict as assert } from "assert";
import { startSimulator, type RunningSimulator } from "../../simulator/core/app";
import { SEED } from "../../simulator/core/identity";
import * as fs from "fs";
import * as path from "path";
import { loadSample, samplesDir, shapeDiff } from "../support/shape";
import { request, projectOf, passwordToken } from "../support/simulatorClient";

const admin = SEED.users[0];
const demo = SEED.users[1];
const appCred = SEED.applicationCredentials[0];
const KEYSTONE_401 = {
  error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." },
};

const passwordAuth = (user: Record<string, unknown>, scope?: unknown) => ({
  auth: { identity: { methods: ["password"], password: { user } }, ...(scope ? { scope } : {}) },
});

describe("simulator Keystone v3", () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ region: "RegionTwo" });
  });
  after(() => sim.close());

  const issue = (body: unknown, query = "") =>
    request(sim, "POST", `/identity/v3/auth/tokens${query}`, { body });

  describe("version documents", () => {
    it("GET /identity answers 300 with Location and the versions.values list (v3.14, not the stale v3.4)", async () => {
      const res = await request(sim, "GET", "/identity");
      assert.equal(res.status, 300);
      assert.equal(res.headers.get("location"), `${sim.url}/identity/v3/`);
      assert.deepEqual(shapeDiff(loadSample("keystone/identity-versions-response.json"), res.body), []);
      assert.deepEqual(
        res.body.versions.values.map((v: any) => [v.id, v.status, v.updated]),
        [["v3.14", "stable", "2020-04-07T00:00:00Z"]],
      );
      assert.equal((await request(sim, "GET", "/identity/")).status, 300);
    });

    it("GET /identity/v3 answers the v3 document", async () => {
      const res = await request(sim, "GET", "/identity/v3");
      assert.equal(res.status, 200);
      assert.deepEqual(shapeDiff(loadSample("keystone/identity-version-response.json"), res.body), []);
      assert.equal(res.body.version.id, "v3.14");
      assert.equal(res.body.version.links[0].href, `${sim.url}/identity/v3/`);
    });
  });

  describe("POST /v3/auth/tokens", () => {
    it("issues a project-scoped token by user id + project id, shaped like the sample", async () => {
      const sample = loadSample("keystone/project-id-password.json") as any;
      sample.auth.identity.password.user = { id: admin.id, password: admin.password };
      sample.auth.scope.project.id = admin.projectId;
      const res = await issue(sample);
      assert.equal(res.status, 201);
      assert.match(res.headers.get("x-subject-token") ?? "", /^gAAAA/);
      // password_expires_at is null unless a password expiry policy is configured (Keystone's default).
      const nullable = ["$.token.user.password_expires_at"];
      assert.deepEqual(
        shapeDiff(loadSample("keystone/project-scoped-password.json"), res.body, nullable),
        [],
      );
      assert.equal(res.body.token.user.password_expires_at, null);
      const t = res.body.token;
      assert.deepEqual(t.methods, ["password"]);
      assert.deepEqual(t.project, {
        domain: { id: "default", name: "Default" },
        id: admin.projectId,
        name: "admin",
      });
      assert.deepEqual(
        t.roles.map((r: any) => r.name),
        ["admin", "member", "reader"],
      );
      assert.match(t.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const ttl = Date.parse(t.expires_at) - Date.parse(t.issued_at);
      assert.ok(Math.abs(ttl - 3600_000) < 5, `ttl ${ttl}`);
    });

    it("issues a token by user name + domain and project name + domain (sample request)", async () => {
      const sample = loadSample("keystone/project-name-password.json") as any;
      sample.auth.identity.password.user = {
        name: "demo",
        domain: { name: "Default" },
        password: demo.password,
      };
      sample.auth.scope.project.name = "demo";
      const res = await issue(sample);
      assert.equal(res.status, 201);
      assert.equal(res.body.token.project.id, demo.projectId);
      assert.equal(res.body.token.user.id, demo.id);
    });

    it("lists every service in the catalog, with public/internal/admin endpoints in the configured region", async () => {
      const res = await issue(
        passwordAuth({ id: demo.id, password: demo.password }, { project: { id: demo.projectId } }),
      );
      const catalog = res.body.token.catalog;
      assert.deepEqual(catalog.map((s: any) => s.type).sort(), [
        "block-storage",
        "compute",
        "identity",
        "image",
        "shared-file-system",
        "sharev2",
        "volumev3",
      ]);
      for (const service of catalog) {
        assert.deepEqual(service.endpoints.map((e: any) => e.interface).sort(), [
          "admin",
          "internal",
          "public",
        ]);
        for (const e of service.endpoints)
          assert.deepEqual([e.region, e.region_id], ["RegionTwo", "RegionTwo"]);
      }
      const volume = catalog.find((s: any) => s.type === "volumev3").endpoints[0].url;
      assert.equal(volume, `${sim.url}/volume/v3/${demo.projectId}`);
      assert.equal(catalog.find((s: any) => s.type === "block-storage").endpoints[0].url, volume);
      assert.equal(
        catalog.find((s: any) => s.type === "compute").endpoints[0].url,
        `${sim.url}/compute/v2.1`,
      );
      assert.equal(
        catalog.find((s: any) => s.type === "shared-file-system").endpoints[0].url,
        `${sim.url}/share/v2/${demo.projectId}`,
      );
    });

    it("points the image entry at a Glance version document (clients build an image client on every call)", async () => {
      const res = await request(sim, "GET", "/image");
      assert.equal(res.status, 300);
      assert.deepEqual(res.body.versions[0].links, [{ rel: "self", href: `${sim.url}/image/v2/` }]);
    });

    it("leaves the catalog out with ?nocatalog", async () => {
      const res = await issue(
        passwordAuth({ id: demo.id, password: demo.password }, { project: { id: demo.projectId } }),
        "?nocatalog",
      );
      assert.equal(res.status, 201);
      assert.equal("catalog" in res.body.token, false);
      assert.ok(res.body.token.project);
    });

    it("issues an unscoped token without scope (sample request): no project, roles or catalog", async () => {
      const sample = loadSample("keystone/auth-password-unscoped-request-with-domain.json") as any;
      sample.auth.identity.password.user.password = admin.password;
      const res = await issue(sample);
      // The sample response's headers (auth-password-user-name-unscoped-response-HTTP.txt).
      const http = fs.readFileSync(
        path.join(samplesDir(), "keystone/auth-password-user-name-unscoped-response-HTTP.txt"),
        "utf8",
      );
      assert.match(http, /^HTTP\/1\.1 201 Created/);
      assert.equal(res.status, 201);
      for (const header of ["X-Subject-Token", "Vary", "x-openstack-request-id", "Content-Type"]) {
        assert.ok(http.includes(`${header}:`), header);
        assert.ok(res.headers.get(header), `missing ${header}`);
      }
      assert.equal(res.headers.get("vary"), "X-Auth-Token");
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(Object.keys(res.body.token).sort(), [
        "audit_ids",
        "expires_at",
        "issued_at",
        "methods",
        "user",
      ]);
      assert.equal(res.body.token.user.name, "admin");
    });

    it("authenticates an application credential by id, and by name + user; scoped to its project", async () => {
      for (const credential of [
        { id: appCred.id, secret: appCred.secret },
        { name: appCred.name, user: { name: "demo", domain: { id: "default" } }, secret: appCred.secret },
      ]) {
        const res = await issue({
          auth: { identity: { methods: ["application_credential"], application_credential: credential } },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(res.body.token.methods, ["application_credential"]);
        assert.equal(res.body.token.project.id, demo.projectId);
        assert.deepEqual(res.body.token.application_credential, {
          id: appCred.id,
          name: appCred.name,
          restricted: true,
        });
        assert.ok(res.body.token.catalog.length > 0);
      }
    });

    it("refuses an application credential with a wrong secret or a scope (401)", async () => {
      const wrong = await issue({
        auth: {
          identity: {
            methods: ["application_credential"],
            application_credential: { id: appCred.id, secret: "no" },
          },
        },
      });
      assert.deepEqual([wrong.status, wrong.body], [401, KEYSTONE_401]);
      const scoped = await issue({
        auth: {
          identity: {
            methods: ["application_credential"],
            application_credential: { id: appCred.id, secret: appCred.secret },
          },
          scope: { project: { id: demo.projectId } },
        },
      });
      assert.equal(scoped.status, 401);
      assert.equal(scoped.body.error.message, "Application credentials cannot request a scope.");
    });

    it("re-scopes with the token method, keeping expiry and the audit chain", async () => {
      const unscoped = await issue(passwordAuth({ id: demo.id, password: demo.password }));
      const res = await issue({
        auth: {
          identity: { methods: ["token"], token: { id: unscoped.headers.get("x-subject-token") } },
          scope: { project: { name: "demo", domain: { id: "default" } } },
        },
      });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body.token.methods, ["token", "password"]);
      assert.equal(res.body.token.expires_at, unscoped.body.token.expires_at);
      assert.deepEqual(res.body.token.audit_ids.slice(1), unscoped.body.token.audit_ids);
      assert.equal(res.body.token.project.id, demo.projectId);
      const gone = await issue({ auth: { identity: { methods: ["token"], token: { id: "nope" } } } });
      assert.deepEqual([gone.status, gone.body.error.message], [404, "Could not find token: nope."]);
    });

    it("answers 401 with Keystone's body and WWW-Authenticate for bad credentials or scopes", async () => {
      const cases = [
        passwordAuth({ id: demo.id, password: "wrong" }),
        passwordAuth({ id: "no-such-user", password: "x" }),
        passwordAuth({ name: "demo", domain: { name: "Other" }, password: demo.password }),
        passwordAuth({ id: demo.id, password: demo.password }, { project: { id: "no-such-project" } }),
        // demo has no role on the admin project.
        passwordAuth({ id: demo.id, password: demo.password }, { project: { id: admin.projectId } }),
        passwordAuth({ id: demo.id, password: demo.password }, { domain: { id: "default" } }),
      ];
      for (const body of cases) {
        const res = await issue(body);
        assert.equal(res.status, 401, JSON.stringify(body));
        assert.deepEqual(res.body, KEYSTONE_401);
        assert.match(res.headers.get("www-authenticate") ?? "", /^Keystone uri=/);
      }
      const method = await issue({ auth: { identity: { methods: ["totp"], totp: {} } } });
      assert.deepEqual(
        [method.status, method.body.error.message],
        [401, "Attempted to authenticate with an unsupported method."],
      );
    });

    it("answers 400 with Keystone's body for malformed requests", async () => {
      const cases: [unknown, RegExp][] = [
        [{}, /^Expecting to find auth in request body/],
        [{ auth: {} }, /^Expecting to find identity in auth/],
        [{ auth: { identity: { methods: [] } } }, /^Expecting to find methods in identity/],
        [passwordAuth({ name: "demo", password: "x" }), /^Expecting to find domain in user/],
        [
          passwordAuth({ id: demo.id, password: demo.password }, { project: { name: "demo" } }),
          /^Expecting to find domain in project/,
        ],
        [
          passwordAuth(
            { id: demo.id, password: demo.password },
            { project: { id: "x" }, domain: { id: "y" } },
          ),
          /^Expecting to find system, project, domain, OS-TRUST:trust or unscoped in scope/,
        ],
      ];
      for (const [body, message] of cases) {
        const res = await issue(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 400);
        assert.equal(res.body.error.title, "Bad Request");
        assert.match(res.body.error.message, message);
      }
      const res = await fetch(`${sim.url}/identity/v3/auth/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as any).error.title, "Bad Request");
    });
  });

  describe("GET /v3/auth/catalog", () => {
    it("answers the catalog of the token's project, shaped like the sample", async () => {
      const res = await request(sim, "GET", "/identity/v3/auth/catalog", {
        token: await passwordToken(sim, "demo"),
      });
      assert.equal(res.status, 200);
      // Keystone's code sends only links.self (the api-ref sample also shows previous/next as null), and builds
      // this catalog with the same function as the token's, whose sample has region_id (this one predates it).
      const allow = ["$.links.previous", "$.links.next", "$.catalog[].endpoints[].region_id"];
      assert.deepEqual(
        shapeDiff(loadSample("keystone/get-service-catalog-response.json"), res.body, allow),
        [],
      );
      assert.equal(res.body.links.self, `${sim.url}/identity/v3/auth/catalog`);
      assert.ok(res.body.catalog.some((s: any) => s.type === "volumev3"));
    });

    it("refuses an unscoped token (403)", async () => {
      const unscoped = await issue(passwordAuth({ id: demo.id, password: demo.password }));
      const res = await request(sim, "GET", "/identity/v3/auth/catalog", {
        token: unscoped.headers.get("x-subject-token")!,
      });
      assert.deepEqual(res.body, {
        error: {
          code: 403,
          title: "Forbidden",
          message: "A project-scoped token is required to produce a service catalog.",
        },
      });
    });
  });

  describe("GET/DELETE /v3/auth/tokens", () => {
    it("validates a token (200 with X-Subject-Token), and 404s an unknown one", async () => {
      const mine = await passwordToken(sim, "demo");
      const other = await passwordToken(sim, "admin");
      const res = await request(sim, "GET", "/identity/v3/auth/tokens", {
        token: mine,
        headers: { "X-Subject-Token": other },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-subject-token"), other);
      assert.equal(res.body.token.user.name, "admin");
      assert.ok(Array.isArray(res.body.token.catalog));
      const unknown = await request(sim, "GET", "/identity/v3/auth/tokens", {
        token: mine,
        headers: { "X-Subject-Token": "gAAAAnope" },
      });
      assert.deepEqual(unknown.body, {
        error: { code: 404, title: "Not Found", message: "Could not find token: gAAAAnope." },
      });
      const noAuth = await request(sim, "GET", "/identity/v3/auth/tokens", {
        headers: { "X-Subject-Token": other },
      });
      assert.deepEqual([noAuth.status, noAuth.body], [401, KEYSTONE_401]);
    });

    it("revokes a token: 204, then it is refused everywhere", async () => {
      const victim = await passwordToken(sim, "demo");
      const caller = await passwordToken(sim, "demo");
      const del = await request(sim, "DELETE", "/identity/v3/auth/tokens", {
        token: caller,
        headers: { "X-Subject-Token": victim },
      });
      assert.equal(del.status, 204);
      const cinder = await request(sim, "GET", `/volume/v3/${projectOf("demo")}/volumes`, { token: victim });
      assert.deepEqual([cinder.status, cinder.body], [401, KEYSTONE_401]);
      const again = await request(sim, "DELETE", "/identity/v3/auth/tokens", {
        token: caller,
        headers: { "X-Subject-Token": victim },
      });
      assert.equal(again.status, 404);
    });
  });

  describe("token expiry", () => {
    it("expires tokens after tokenTtlSeconds, and all at once through the control API", async () => {
      sim.world.config.tokenTtlSeconds = 0.05;
      const u = SEED.users.find((x) => x.name === "demo")!;
      const issued = await request(sim, "POST", "/identity/v3/auth/tokens", {
        body: {
          auth: {
            identity: { methods: ["password"], password: { user: { id: u.id, password: u.password } } },
            scope: { project: { id: u.projectId } },
          },
        },
      });
      sim.world.config.tokenTtlSeconds = 3600;
      const shortLived = issued.headers.get("x-subject-token")!;
      // The lifetime is read from the token itself: on a loaded machine a request right after issue can take
      // longer than 50 ms, so "still valid" is not asserted by timing.
      const { issued_at, expires_at } = issued.body.token;
      assert.equal(Date.parse(expires_at) - Date.parse(issued_at), 50);
      const path = `/volume/v3/${projectOf("demo")}/volumes`;
      await new Promise((r) => setTimeout(r, 80));
      assert.equal((await request(sim, "GET", path, { token: shortLived })).status, 401);

      const token = await passwordToken(sim, "demo");
      assert.equal((await request(sim, "POST", "/_sim/tokens/expire")).status, 204);
      assert.equal((await request(sim, "GET", path, { token })).status, 401);
    });
  });
});

describe("simulator in no-auth mode", () => {
  it("trusts X-Auth-Token user:project at Cinder, as a noauth deployment does", async () => {
    const sim = await startSimulator({ auth: "noauth" });
    try {
      const project = "0123456789abcdef0123456789abcdef";
      const res = await request(sim, "GET", `/volume/v3/${project}/volumes`, { token: `demo:${project}` });
      assert.deepEqual([res.status, res.body], [200, { volumes: [] }]);
      const created = await request(sim, "POST", `/volume/v3/${project}/volumes`, {
        token: `demo:${project}`,
        body: { volume: { size: 1 } },
      });
      assert.equal(created.status, 202);
      assert.equal(created.body.volume["os-vol-tenant-attr:tenant_id"], project);
      assert.equal((await request(sim, "GET", `/volume/v3/${project}/volumes`)).status, 401);
    } finally {
      await sim.close();
    }
  });
});
