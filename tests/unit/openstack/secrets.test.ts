import { strict as assert } from "assert";
import { inspect } from "util";
import {
  clearTokenCache,
  connect,
  log,
  redact,
  registerSecret,
  resolveCredentials,
  setLogger,
  setStackConfig,
} from "../../../provider/openstack";
import { FakeServer, startServer, tokenBody } from "./fakeServer";

// Secrets used below; none may appear in any error message, inspected error or log line.
const PASSWORD = "S3cret-Passw0rd!";
const TOKEN = "gAAAAABsubjecttoken0123456789";
const APP_SECRET = "app-cred-secret-xyz";
const GIVEN_TOKEN = "given-token-abcdef";

describe("openstack secrets", () => {
  let server: FakeServer;
  const lines: string[] = [];
  beforeEach(async () => {
    clearTokenCache();
    lines.length = 0;
    setLogger({ debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m) });
    server = await startServer();
  });
  afterEach(async () => {
    setLogger(undefined);
    await server.close();
  });

  function assertClean(texts: string[]) {
    for (const text of texts) {
      for (const secret of [PASSWORD, TOKEN, APP_SECRET, GIVEN_TOKEN]) {
        assert.ok(!text.includes(secret), `secret leaked into: ${text}`);
      }
    }
  }

  async function failure(p: Promise<unknown>): Promise<Error> {
    return p.then(
      () => assert.fail("expected a failure"),
      (e: Error) => e,
    );
  }

  it("keeps secrets out of errors and logs even when a service echoes them back", async () => {
    server.route("POST", "/v3/auth/tokens", {
      status: 201,
      headers: { "x-subject-token": TOKEN },
      body: tokenBody(server.url),
    });
    // a broken service that echoes the request's headers and body in its error
    server.route("POST", "/RegionOne/public/compute/v2.1/servers", (req) => ({
      status: 500,
      body: {
        computeFault: { code: 500, message: `echo token=${req.headers["x-auth-token"]} body=${req.body}` },
      },
    }));
    server.route("GET", "/RegionOne/public/compute/v2.1/servers/x", (req) => ({
      status: 400,
      headers: { "content-type": "text/html" },
      body: `<html><body>bad token ${req.headers["x-auth-token"]}</body></html>`,
    }));
    const s = connect({
      retry: { retries: 1, baseDelayMs: 1 },
      resolve: {
        env: { OS_AUTH_URL: server.url, OS_USERNAME: "alice", OS_PASSWORD: PASSWORD, OS_PROJECT_ID: "p-1" },
        configDirs: [],
        stackConfig: {},
      },
    });
    const e1 = await failure(
      s.request("compute", "POST", "/servers", {
        body: { password: PASSWORD, action: `with ${PASSWORD}` },
        action: `creating with ${PASSWORD}`,
      }),
    );
    const e2 = await failure(s.request("compute", "GET", "/servers/x"));
    assert.match(e1.message, /echo token=\*\*\* body=.*\*\*\*/);
    assert.match(e2.message, /bad token \*\*\*/);
    log.info(`a resource logging the token ${TOKEN} by mistake`);
    assertClean([e1.message, e2.message, inspect(e1), inspect(e2), e1.stack ?? "", ...lines]);
    assert.ok(
      lines.some((l) => l.includes("compute POST /RegionOne/public/compute/v2.1/servers -> 500")),
      "requests are logged",
    );
    assert.ok(lines.includes("a resource logging the token *** by mistake"));
  });

  it("keeps the password out of a Keystone failure and of the session object", async () => {
    server.route("POST", "/v3/auth/tokens", (req) => ({
      status: 401,
      body: {
        error: {
          code: 401,
          title: "Unauthorized",
          message: `wrong password ${req.json.auth.identity.password.user.password}`,
        },
      },
    }));
    const s = connect({
      resolve: {
        env: { OS_AUTH_URL: server.url, OS_USERNAME: "alice", OS_PASSWORD: PASSWORD },
        configDirs: [],
        stackConfig: {},
      },
    });
    const e = await failure(s.projectId());
    assertClean([e.message, inspect(e), inspect(s), JSON.stringify(s), ...lines]);
  });

  it("keeps application-credential secrets and given tokens out of errors from a dead endpoint", async () => {
    const dead = await startServer();
    await dead.close();
    for (const env of [
      {
        OS_AUTH_URL: dead.url,
        OS_APPLICATION_CREDENTIAL_ID: "ac",
        OS_APPLICATION_CREDENTIAL_SECRET: APP_SECRET,
      },
      { OS_AUTH_URL: dead.url, OS_TOKEN: GIVEN_TOKEN },
    ]) {
      const s = connect({ retry: { retries: 0 }, resolve: { env, configDirs: [], stackConfig: {} } });
      const e = await failure(s.projectId());
      assert.match(e.message, /ECONNREFUSED/);
      assertClean([e.message, inspect(e), ...lines]);
    }
  });

  it("redacts secrets from the stack config and admin tokens", () => {
    setStackConfig({
      "openstack:authUrl": "https://k/v3",
      "openstack:password": PASSWORD,
      "openstack:userName": "u",
    });
    try {
      assert.equal(redact(`x${PASSWORD}y`), "x***y");
      const c = resolveCredentials({}, { configDirs: [], env: {} });
      assert.equal(c.password, PASSWORD);
    } finally {
      setStackConfig(undefined);
    }
    resolveCredentials(
      {},
      {
        configDirs: [],
        stackConfig: { token: GIVEN_TOKEN, endpointOverrides: { compute: "http://127.0.0.1:1/v2.1" } },
        env: {},
      },
    );
    assert.equal(redact(`Bearer ${GIVEN_TOKEN}`), "Bearer ***");
  });

  it("registers the secrets of credentials passed to connect() directly", async () => {
    const secret = "direct-credentials-pw-42";
    server.route("POST", "/v3/auth/tokens", (req) => ({
      status: 401,
      body: {
        error: {
          code: 401,
          title: "Unauthorized",
          message: `bad ${req.json.auth.identity.password.user.password}`,
        },
      },
    }));
    const s = connect({
      credentials: {
        authType: "password",
        authUrl: server.url,
        username: "u",
        password: secret,
        interface: "public",
        insecure: false,
        endpointOverrides: {},
        source: "test",
      },
    });
    const e = await failure(s.projectId());
    assert.match(e.message, /bad \*\*\*/);
    assert.ok(!e.message.includes(secret));
  });

  it("redacts short secrets only where they stand alone", () => {
    registerSecret("abc");
    assert.equal(redact("password abc, not in abcdef or xabc"), "password ***, not in abcdef or xabc");
    registerSecret("longer-secret");
    assert.equal(redact("prefixlonger-secretsuffix"), "prefix***suffix");
  });

  it("redacts among thousands of secrets, the longest where several start at one place", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `conn-info-secret-${i}-${(i * 7919) % 10007}`);
    many.forEach(registerSecret);
    registerSecret("chap-pw-1");
    registerSecret("chap-pw-12345");
    assert.equal(
      redact(`a ${many[17]} b ${many[4999]}, c ${many[0]}${many[1]} chap-pw-12345 chap-pw-1 chap-pw-12`),
      "a *** b ***, c ****** *** *** ***2",
    );
    assert.equal(redact("an unrelated line, 42"), "an unrelated line, 42");
  });
});
