import { strict as assert } from "assert";
import {
  clearTokenCache,
  connect,
  isReadOnly,
  OpenStackError,
  readOnce,
  ReadOnlyError,
  setReadOnly,
  setRequestTimeout,
} from "../../../provider/openstack";
import { FakeServer, noauthCredentials, routeKeystone, startServer } from "./fakeServer";

describe("openstack/readOnly and the process-wide request timeout", () => {
  let server: FakeServer;
  beforeEach(async () => {
    clearTokenCache();
    server = await startServer();
  });
  afterEach(async () => {
    setReadOnly(false);
    setRequestTimeout(undefined);
    await server.close();
  });

  const noauth = () =>
    connect({ credentials: noauthCredentials({ compute: `${server.url}/v2.1` }), retry: { retries: 0 } });

  it("refuses every method but GET and HEAD before anything is sent, naming the action", async () => {
    server.route("GET", "/v2.1/servers/S", { body: { server: { id: "S" } } });
    setReadOnly(true);
    assert.equal(isReadOnly(), true);
    const s = noauth();
    assert.deepEqual((await s.request("compute", "GET", "/servers/S")).data, { server: { id: "S" } });
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      await assert.rejects(
        s.request("compute", method, "/servers/S/action", { body: {}, action: "starting server S" }),
        (err: Error) => {
          assert.ok(err instanceof ReadOnlyError);
          // (a match, not equality: other suites register secrets process-wide, which redaction replaces)
          assert.match(
            err.message,
            new RegExp(
              `^starting server S: refused compute ${method} /servers/S/action: this process is read-only`,
            ),
          );
          return true;
        },
      );
    }
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /v2.1/servers/S"],
    );
    setReadOnly(false);
    server.route("POST", "/v2.1/servers/S/action", { status: 202 });
    await s.request("compute", "POST", "/servers/S/action", { body: {} });
    assert.equal(server.count("POST", "/v2.1/servers/S/action"), 1);
  });

  it("still authenticates with Keystone (a token request changes nothing)", async () => {
    const keystone = routeKeystone(server);
    server.route("GET", /\/compute\/v2\.1\/servers$/, { body: { servers: [] } });
    setReadOnly(true);
    const s = connect({
      retry: { retries: 0 },
      resolve: {
        env: {
          OS_AUTH_URL: server.url,
          OS_USERNAME: "u",
          OS_PASSWORD: "read-only-test-pw",
          OS_PROJECT_ID: "p-1",
        },
        configDirs: [],
        stackConfig: {},
      },
    });
    assert.deepEqual((await s.request("compute", "GET", "/servers")).data, { servers: [] });
    assert.equal(keystone.issued(), 1);
  });

  it("readOnce: one read per key while read-only (a failed one is not kept); every call reads otherwise", async () => {
    let reads = 0;
    const read = (fail = false) =>
      readOnce("server S", async () => {
        reads++;
        if (fail) throw new Error("no answer");
        return { id: "S", read: reads };
      });
    assert.deepEqual(await Promise.all([read(), read()]), [
      { id: "S", read: 1 },
      { id: "S", read: 2 },
    ]);
    setReadOnly(true);
    reads = 0;
    await assert.rejects(read(true), /no answer/);
    const [a, b] = await Promise.all([read(), read()]);
    assert.equal(a, b, "one answer shared");
    assert.deepEqual([a, reads], [{ id: "S", read: 2 }, 2]);
    assert.equal(await readOnce("server T", async () => "T"), "T", "another key reads");
    setReadOnly(true); // a new read-only period forgets the answers of the last one
    assert.deepEqual(await read(), { id: "S", read: 3 });
  });

  it("setRequestTimeout applies to requests that set no timeout of their own, and is validated", async () => {
    server.route("GET", "/v2.1/slow", { delayMs: 400, body: {} });
    setRequestTimeout(50);
    const err = await noauth()
      .request("compute", "GET", "/slow")
      .catch((e) => e);
    assert.ok(err instanceof OpenStackError, String(err));
    // The 400 ms answer never arrived: the 50 ms timeout ended the request (no timing assumption needed).
    assert.match(err.message, /timeout of 50ms exceeded/);
    // a request's own timeout wins
    assert.deepEqual((await noauth().request("compute", "GET", "/slow", { timeoutMs: 5000 })).data, {});
    assert.throws(() => setRequestTimeout(0), /positive number of milliseconds, got 0/);
    assert.throws(() => setRequestTimeout(Number.NaN), /positive number/);
  });
});
