import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clearTokenCache, connect, ConfigurationError, OpenStackError } from "../../../provider/openstack";
import { FakeServer, routeKeystone, startServer, tokenBody } from "./fakeServer";

const empty = fs.mkdtempSync(path.join(os.tmpdir(), "os-ks-"));
const FAST = { retries: 2, baseDelayMs: 1, maxDelayMs: 2 };

function session(env: Record<string, string>, extra: { region?: string; cloud?: string } = {}) {
  return connect({ ...extra, retry: FAST, resolve: { env, configDirs: [empty], stackConfig: {} } });
}

describe("openstack/keystone", () => {
  let server: FakeServer;
  beforeEach(async () => {
    clearTokenCache();
    server = await startServer();
  });
  afterEach(() => server.close());

  function passwordEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      OS_AUTH_URL: `${server.url}/v3`,
      OS_USERNAME: "alice",
      OS_PASSWORD: "pw-alice-1",
      OS_PROJECT_NAME: "demo",
      ...extra,
    };
  }

  it("sends password auth by names with domains, and scopes to the project", async () => {
    routeKeystone(server);
    const s = session(
      passwordEnv({
        OS_USER_DOMAIN_NAME: "Users",
        OS_PROJECT_DOMAIN_ID: "pdom",
        OS_REGION_NAME: "RegionOne",
      }),
    );
    assert.equal(await s.projectId(), "p-1");
    assert.deepEqual(await s.roles(), ["member", "reader"]);
    const auth = server.requests[0];
    assert.equal(auth.path, "/v3/auth/tokens");
    assert.deepEqual(auth.json, {
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: "alice", domain: { name: "Users" }, password: "pw-alice-1" } },
        },
        scope: { project: { name: "demo", domain: { id: "pdom" } } },
      },
    });
  });

  it("sends password auth by ids, and defaults the domain of names to 'default'", async () => {
    routeKeystone(server);
    await session({
      OS_AUTH_URL: server.url,
      OS_USER_ID: "u-9",
      OS_PASSWORD: "pw-9-long",
      OS_PROJECT_ID: "p-9",
    }).projectId();
    assert.deepEqual(server.requests[0].json.auth.identity.password.user, {
      id: "u-9",
      password: "pw-9-long",
    });
    assert.deepEqual(server.requests[0].json.auth.scope, { project: { id: "p-9" } });
    assert.equal(server.requests[0].path, "/v3/auth/tokens"); // "/v3" appended to a bare auth URL

    clearTokenCache();
    await session(passwordEnv({ OS_DOMAIN_NAME: "Shared" })).projectId();
    const user = server.requests[1].json.auth.identity.password.user;
    assert.deepEqual(user.domain, { name: "Shared" }); // OS_DOMAIN_NAME is the default for both
    assert.deepEqual(server.requests[1].json.auth.scope.project.domain, { name: "Shared" });

    clearTokenCache();
    await session(passwordEnv()).projectId();
    assert.deepEqual(server.requests[2].json.auth.identity.password.user.domain, { id: "default" });

    clearTokenCache();
    await session({
      OS_AUTH_URL: server.url,
      OS_USER_ID: "u",
      OS_PASSWORD: "pw-dom-scope",
      OS_DOMAIN_ID: "d7",
    }).projectId();
    assert.deepEqual(server.requests[3].json.auth.scope, { domain: { id: "d7" } });
  });

  it("sends application credentials by id, and by name with a user", async () => {
    routeKeystone(server);
    await session({
      OS_AUTH_URL: server.url,
      OS_AUTH_TYPE: "v3applicationcredential",
      OS_APPLICATION_CREDENTIAL_ID: "ac-1",
      OS_APPLICATION_CREDENTIAL_SECRET: "ac-secret-1",
    }).projectId();
    assert.deepEqual(server.requests[0].json, {
      auth: {
        identity: {
          methods: ["application_credential"],
          application_credential: { id: "ac-1", secret: "ac-secret-1" },
        },
      },
    });
    clearTokenCache();
    await session({
      OS_AUTH_URL: server.url,
      OS_APPLICATION_CREDENTIAL_NAME: "ci",
      OS_APPLICATION_CREDENTIAL_SECRET: "ac-secret-2",
      OS_USERNAME: "bob",
      OS_USER_DOMAIN_ID: "ud",
    }).projectId();
    assert.deepEqual(server.requests[1].json.auth.identity.application_credential, {
      name: "ci",
      secret: "ac-secret-2",
      user: { name: "bob", domain: { id: "ud" } },
    });
  });

  it("exchanges a token (token auth) for a scoped one", async () => {
    routeKeystone(server);
    const s = session({ OS_AUTH_URL: server.url, OS_TOKEN: "given-token-1", OS_PROJECT_ID: "p-1" });
    server.route("GET", "/RegionOne/public/compute/v2.1/servers", { body: { servers: [] } });
    await s.request("compute", "GET", "/servers");
    assert.deepEqual(server.requests[0].json, {
      auth: {
        identity: { methods: ["token"], token: { id: "given-token-1" } },
        scope: { project: { id: "p-1" } },
      },
    });
    assert.equal(server.requests[1].headers["x-auth-token"], "tok-1"); // the scoped token, not the given one
  });

  it("picks endpoints by service-type alias, region and interface", async () => {
    routeKeystone(server, {
      regions: ["RegionOne", "RegionTwo"],
      extraCatalog: [
        // a second block-storage entry under a less preferred alias: volumev3 must win
        {
          type: "volume",
          endpoints: [{ interface: "public", region: "RegionTwo", url: `${server.url}/old-volume` }],
        },
      ],
    });
    const two = session(passwordEnv({ OS_REGION_NAME: "RegionTwo" }));
    assert.equal(await two.endpoint("compute"), `${server.url}/RegionTwo/public/compute/v2.1`);
    assert.equal(await two.endpoint("block-storage"), `${server.url}/RegionTwo/public/volume/v3/p-1`);
    assert.equal(await two.endpoint("shared-file-system"), `${server.url}/RegionTwo/public/share/v2/p-1`);

    const internal = session(passwordEnv({ OS_REGION_NAME: "RegionOne", OS_INTERFACE: "internal" }));
    assert.equal(await internal.endpoint("compute"), `${server.url}/RegionOne/internal/compute/v2.1`);

    // the resource's region input overrides the region only
    const overridden = session(passwordEnv({ OS_REGION_NAME: "RegionOne" }), { region: "RegionTwo" });
    assert.equal(await overridden.endpoint("compute"), `${server.url}/RegionTwo/public/compute/v2.1`);
    assert.deepEqual(await overridden.scope("compute"), {
      endpoint: `${server.url}/RegionTwo/public/compute/v2.1`,
      region: "RegionTwo",
      projectId: "p-1",
    });

    // no region and two on offer: a clear error, no guess
    await assert.rejects(
      session(passwordEnv()).endpoint("compute"),
      /several public compute endpoints \(regions RegionOne, RegionTwo\): set the region/,
    );
    await assert.rejects(
      session(passwordEnv({ OS_REGION_NAME: "Mars" })).endpoint("compute"),
      (e: Error) =>
        e instanceof ConfigurationError &&
        /no public endpoint for compute .* in region Mars; the catalog offers: compute public in RegionOne/.test(
          e.message,
        ),
    );
  });

  it("accepts the block-storage and shared-file-system catalog types, and fills %(project_id)s", async () => {
    server.route("POST", "/v3/auth/tokens", () => {
      const body = tokenBody(server.url);
      body.token.catalog = [
        {
          type: "block-storage",
          name: "cinder",
          endpoints: [
            { interface: "public", region: "R", region_id: "R", url: `${server.url}/bs/v3/%(project_id)s` },
          ],
        },
        {
          type: "shared-file-system",
          name: "manila",
          endpoints: [
            { interface: "public", region: "R", region_id: "R", url: `${server.url}/sfs/v2/$(tenant_id)s/` },
          ],
        },
      ];
      return { status: 201, headers: { "x-subject-token": "tok-x" }, body };
    });
    const s = session(passwordEnv());
    assert.equal(await s.endpoint("block-storage"), `${server.url}/bs/v3/p-1`);
    assert.equal(await s.endpoint("shared-file-system"), `${server.url}/sfs/v2/p-1`);
  });

  it("shares ONE token request among 20 concurrent callers, and reuses the token afterwards", async () => {
    let issued = 0;
    server.route("POST", "/v3/auth/tokens", () => {
      issued++;
      return {
        status: 201,
        delayMs: 30,
        headers: { "x-subject-token": `tok-${issued}` },
        body: tokenBody(server.url),
      };
    });
    server.route("GET", "/RegionOne/public/compute/v2.1/servers", { body: { servers: [] } });
    // separate sessions with the same credentials share the process-wide cache
    await Promise.all(
      Array.from({ length: 20 }, () => session(passwordEnv()).request("compute", "GET", "/servers")),
    );
    assert.equal(issued, 1);
    assert.equal(server.count("GET", "/RegionOne/public/compute/v2.1/servers"), 20);
    await session(passwordEnv()).request("compute", "GET", "/servers");
    assert.equal(issued, 1);
    // other credentials get their own token
    await session(passwordEnv({ OS_PASSWORD: "another-password" })).request("compute", "GET", "/servers");
    assert.equal(issued, 2);
  });

  it("renews the token once on a 401 and retries the call", async () => {
    const ks = routeKeystone(server);
    let calls = 0;
    server.route("GET", "/RegionOne/public/compute/v2.1/servers", (req) => {
      calls++;
      if (req.headers["x-auth-token"] === "tok-1") {
        return {
          status: 401,
          body: {
            error: {
              code: 401,
              title: "Unauthorized",
              message: "The request you have made requires authentication.",
            },
          },
        };
      }
      return { body: { servers: [{ id: "s" }] } };
    });
    const res = await session(passwordEnv()).request("compute", "GET", "/servers");
    assert.deepEqual(res.data, { servers: [{ id: "s" }] });
    assert.equal(ks.issued(), 2);
    assert.equal(calls, 2);
  });

  it("gives up after one renewal when the service keeps answering 401", async () => {
    const ks = routeKeystone(server);
    server.route("GET", "/RegionOne/public/compute/v2.1/servers", {
      status: 401,
      body: {
        error: {
          code: 401,
          title: "Unauthorized",
          message: "The request you have made requires authentication.",
        },
      },
    });
    await assert.rejects(
      session(passwordEnv()).request("compute", "GET", "/servers"),
      (e: Error) => e instanceof OpenStackError && e.status === 401 && e.faultName === "Unauthorized",
    );
    assert.equal(ks.issued(), 2);
  });

  it("renews a token before it expires", async () => {
    let issued = 0;
    server.route("POST", "/v3/auth/tokens", () => {
      issued++;
      // the first token expires in 2 s out of an hour-long life: inside the renewal margin
      const body = tokenBody(server.url, { expiresInMs: issued === 1 ? 2000 : 3600_000 });
      body.token.issued_at = new Date(Date.now() - 3600_000).toISOString();
      return { status: 201, headers: { "x-subject-token": `tok-${issued}` }, body };
    });
    server.route("GET", "/RegionOne/public/compute/v2.1/servers", { body: {} });
    await session(passwordEnv()).request("compute", "GET", "/servers");
    await session(passwordEnv()).request("compute", "GET", "/servers");
    await session(passwordEnv()).request("compute", "GET", "/servers");
    assert.equal(issued, 2);
    assert.equal(server.requests.at(-1)!.headers["x-auth-token"], "tok-2");
  });

  it("reports bad credentials with Keystone's message and what was being done", async () => {
    server.route("POST", "/v3/auth/tokens", {
      status: 401,
      headers: { "x-openstack-request-id": "req-ks-1" },
      body: {
        error: {
          code: 401,
          title: "Unauthorized",
          message: "The request you have made requires authentication.",
        },
      },
    });
    await assert.rejects(
      session(passwordEnv()).projectId(),
      (e: Error) =>
        e instanceof OpenStackError &&
        e.message.startsWith(
          "authenticating to Keystone as user alice in project demo (credentials from environment (OS_*)): identity POST /v3/auth/tokens returned 401 Unauthorized: The request you have made requires authentication.",
        ) &&
        e.message.includes("request id req-ks-1") &&
        !e.message.includes("pw-alice-1"),
    );
    assert.equal(server.count("POST", "/v3/auth/tokens"), 1); // a 401 is final
  });

  it("rejects a Keystone v2.0 auth URL", async () => {
    await assert.rejects(
      session({ OS_AUTH_URL: `${server.url}/v2.0`, OS_TOKEN: "tok-abc" }).projectId(),
      /Keystone v2\.0, which is not supported/,
    );
  });
});
