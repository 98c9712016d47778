import { strict as assert } from "assert";
import {
  clearTokenCache,
  connect,
  ConfigurationError,
  isNotFound,
  ScopeMismatchError,
  scopeDifferences,
} from "../../../provider/openstack";
import { FakeServer, noauthCredentials, routeKeystone, startServer } from "./fakeServer";

describe("openstack/session", () => {
  let server: FakeServer;
  beforeEach(async () => {
    clearTokenCache();
    server = await startServer();
  });
  afterEach(() => server.close());

  const keystoneSession = (region: string) =>
    connect({
      retry: { retries: 0 },
      resolve: {
        env: {
          OS_AUTH_URL: server.url,
          OS_USERNAME: "u",
          OS_PASSWORD: "session-test-pw",
          OS_PROJECT_ID: "p-1",
          OS_REGION_NAME: region,
        },
        configDirs: [],
        stackConfig: {},
      },
    });
  const notFound = {
    status: 404,
    body: { itemNotFound: { code: 404, message: "The resource could not be found." } },
  };

  it("records the scope and accepts a 404 as gone only in the same scope", async () => {
    routeKeystone(server, { regions: ["RegionOne", "RegionTwo"] });
    server.route("GET", /\/compute\/v2\.1\/servers\/S\/shares\/H$/, notFound);
    const one = keystoneSession("RegionOne");
    const recorded = await one.scope("compute");
    assert.deepEqual(recorded, {
      endpoint: `${server.url}/RegionOne/public/compute/v2.1`,
      region: "RegionOne",
      projectId: "p-1",
    });

    const err = await one
      .request("compute", "GET", "/servers/S/shares/H", { microversion: "2.97" })
      .catch((e) => e);
    assert.ok(isNotFound(err));
    assert.equal(await one.isGone(err, { recorded, minMicroversion: "2.97" }), true);

    // the same 404 seen from another region proves nothing: a loud error, never "gone"
    const two = keystoneSession("RegionTwo");
    const err2 = await two
      .request("compute", "GET", "/servers/S/shares/H", { microversion: "2.97" })
      .catch((e) => e);
    await assert.rejects(two.isGone(err2, { recorded, what: "share attachment S/H" }), (e: Error) => {
      assert.ok(e instanceof ScopeMismatchError);
      assert.match(
        e.message,
        /^share attachment S\/H was created in region RegionOne \(now RegionTwo\), endpoint .*RegionOne.* \(now .*RegionTwo.*\): the current credentials \(environment \(OS_\*\)\) point elsewhere/,
      );
      return true;
    });
    await assert.rejects(two.assertScope(recorded, "compute", "share attachment S/H"), ScopeMismatchError);
    await one.assertScope(recorded, "compute", "share attachment S/H");
  });

  it("knows no roles without Keystone", async () => {
    const s = connect({ credentials: noauthCredentials({ compute: `${server.url}/v2.1` }) });
    assert.equal(await s.roles(), undefined);
  });

  it("does not take a 404 at too low a microversion for gone", async () => {
    const s = connect({ credentials: noauthCredentials({ compute: `${server.url}/v2.1` }) });
    server.route("GET", "/v2.1/servers/S/shares/H", notFound);
    const low = await s
      .request("compute", "GET", "/servers/S/shares/H", { microversion: "2.93" })
      .catch((e) => e);
    await assert.rejects(
      s.isGone(low, { minMicroversion: "2.97" }),
      /does not prove the object is gone, because the call was made at microversion 2\.93 and the method needs 2\.97/,
    );
    const none = await s.request("compute", "GET", "/servers/S/shares/H").catch((e) => e);
    await assert.rejects(s.isGone(none, { minMicroversion: "2.97" }), /microversion \(none\)/);
    assert.equal(await s.isGone(new Error("other"), {}), false);
    assert.equal(await s.isGone(low), true); // no conditions given: any 404
  });

  it("compares scopes field by field, ignoring what was not recorded", () => {
    const current = { region: "R1", projectId: "P", endpoint: "https://Nova.example/v2.1/" };
    assert.deepEqual(
      scopeDifferences({ region: "R1", projectId: "P", endpoint: "https://nova.example/v2.1" }, current),
      [],
    );
    assert.deepEqual(scopeDifferences({ endpoint: "https://nova.example/v2.1" }, current), []);
    assert.deepEqual(scopeDifferences({ projectId: "Q" }, current), ["project Q (now P)"]);
  });

  it("builds URLs with query parameters, and follows absolute links only on the endpoint's host", async () => {
    const s = connect({ credentials: noauthCredentials({ "shared-file-system": `${server.url}/v2/p` }) });
    server.route("GET", /.*/, { body: {} });
    await s.request("shared-file-system", "GET", "share-servers/detail", {
      query: { host: "h@b#p", limit: 2, marker: undefined },
    });
    assert.equal(server.requests[0].path, "/v2/p/share-servers/detail?host=h%40b%23p&limit=2");
    await s.request("shared-file-system", "GET", `${server.url}/v2/p/share-servers?marker=m`);
    assert.equal(server.requests[1].path, "/v2/p/share-servers?marker=m");
    await assert.rejects(
      s.request("shared-file-system", "GET", "http://127.0.0.2:1/v2/p/share-servers"),
      (e: Error) =>
        e instanceof ConfigurationError &&
        /refusing to send credentials to http:\/\/127\.0\.0\.2:1/.test(e.message),
    );
    assert.equal(server.requests.length, 2);
  });

  it("lists every page of a collection through its next links", async () => {
    const s = connect({ credentials: noauthCredentials({ "block-storage": `${server.url}/v3/p` }) });
    server.route("GET", "/v3/p/attachments", (req) => {
      const marker = new URL(req.path, server.url).searchParams.get("marker");
      if (!marker) {
        return {
          body: {
            attachments: [{ id: "a1" }, { id: "a2" }],
            attachments_links: [{ rel: "next", href: `${server.url}/v3/p/attachments?limit=2&marker=a2` }],
          },
        };
      }
      return { body: { attachments: [{ id: "a3" }] } };
    });
    const all = await s.listAll("block-storage", "/attachments", "attachments", {
      query: { limit: 2 },
      microversion: "3.27",
    });
    assert.deepEqual(
      all.map((a: any) => a.id),
      ["a1", "a2", "a3"],
    );
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ["/v3/p/attachments?limit=2", "/v3/p/attachments?limit=2&marker=a2"],
    );
    assert.equal(server.requests[1].headers["openstack-api-version"], "volume 3.27");

    server.route("GET", "/v3/p/loop", {
      body: { loop: [], loop_links: [{ rel: "next", href: `${server.url}/v3/p/loop` }] },
    });
    await assert.rejects(s.listAll("block-storage", "/loop", "loop"), /the "next" link repeats/);
  });

  it("explains a missing endpoint in no-auth mode", async () => {
    const creds = {
      ...noauthCredentials({ compute: `${server.url}/v2.1` }),
      source: 'clouds.yaml cloud "sim"',
    };
    await assert.rejects(
      connect({ credentials: creds }).endpoint("block-storage"),
      /none authentication has no endpoint for block-storage: set its endpoint override/,
    );
  });

  it("lets a resource's region input override the region of given credentials", async () => {
    routeKeystone(server, { regions: ["RegionOne", "RegionTwo"] });
    const s = connect({
      region: "RegionTwo",
      credentials: {
        authType: "password",
        authUrl: server.url,
        username: "u",
        password: "session-test-pw",
        projectId: "p-1",
        region: "RegionOne",
        interface: "public",
        insecure: false,
        endpointOverrides: {},
        source: "test",
      },
    });
    assert.equal(s.region, "RegionTwo");
    assert.equal(await s.endpoint("compute"), `${server.url}/RegionTwo/public/compute/v2.1`);
  });
});
