import { strict as assert } from "assert";
import {
  clearTokenCache,
  clearVersionCache,
  compareMicroversions,
  connect,
  UnsupportedMicroversionError,
} from "../../../provider/openstack";
import { rangeFromDocument, versionDocumentUrl } from "../../../provider/openstack/microversions";
import { FakeServer, noauthCredentials, routeKeystone, startServer } from "./fakeServer";

const FAST = { retries: 1, baseDelayMs: 1, maxDelayMs: 1 };

function noauth(server: FakeServer) {
  return noauthCredentials(
    {
      compute: `${server.url}/compute/v2.1`,
      "block-storage": `${server.url}/volume/v3/proj-1`,
      "shared-file-system": `${server.url}/share/v2/proj-1`,
    },
    "proj-1",
  );
}

// Version documents shaped as FACTS.md §0.2 describes them.
function routeVersions(
  server: FakeServer,
  ranges: { compute: [string, string]; volume: [string, string]; share: [string, string] },
) {
  server.route("GET", "/compute/v2.1/", {
    body: {
      version: { id: "v2.1", status: "CURRENT", version: ranges.compute[1], min_version: ranges.compute[0] },
    },
  });
  server.route("GET", "/volume/v3/", {
    body: {
      versions: [{ id: "v3.0", status: "CURRENT", version: ranges.volume[1], min_version: ranges.volume[0] }],
    },
  });
  server.route("GET", "/share/v2/", {
    body: {
      versions: [{ id: "v2.0", status: "CURRENT", version: ranges.share[1], min_version: ranges.share[0] }],
    },
  });
}

describe("openstack/microversions", () => {
  let server: FakeServer;
  beforeEach(async () => {
    clearTokenCache();
    clearVersionCache();
    server = await startServer();
  });
  afterEach(() => server.close());

  it("compares microversions numerically", () => {
    assert.ok(compareMicroversions("2.9", "2.10") < 0);
    assert.ok(compareMicroversions("3.0", "2.99") > 0);
    assert.equal(compareMicroversions("2.97", "2.97"), 0);
    assert.throws(() => compareMicroversions("latest", "2.1"), /"latest" is not a microversion/);
  });

  it("finds the version document of an endpoint", () => {
    assert.deepEqual(versionDocumentUrl("http://h/compute/v2.1"), {
      url: "http://h/compute/v2.1/",
      segment: "v2.1",
    });
    assert.deepEqual(versionDocumentUrl("http://h:8776/v3/abc"), { url: "http://h:8776/v3/", segment: "v3" });
    assert.deepEqual(versionDocumentUrl("http://h:8786/v2/abc/"), {
      url: "http://h:8786/v2/",
      segment: "v2",
    });
    assert.deepEqual(versionDocumentUrl("http://h:8774"), { url: "http://h:8774/" });
  });

  it("picks the right entry of each service's version document (shapes of FACTS.md §0.2)", () => {
    const novaRoot = {
      versions: [
        { id: "v2.0", status: "DEPRECATED", version: "", min_version: "" },
        { id: "v2.1", status: "CURRENT", version: "2.104", min_version: "2.1" },
      ],
    };
    assert.deepEqual(rangeFromDocument(novaRoot, "v2.1"), { min: "2.1", max: "2.104" });
    assert.deepEqual(rangeFromDocument(novaRoot, "v2.0"), { min: undefined, max: undefined }); // legacy v2: none
    assert.deepEqual(rangeFromDocument(novaRoot, undefined), { min: "2.1", max: "2.104" }); // the CURRENT one
    const novaVersion = { version: { id: "v2.1", status: "CURRENT", version: "2.104", min_version: "2.1" } };
    assert.deepEqual(rangeFromDocument(novaVersion, "v2.1"), { min: "2.1", max: "2.104" });
    const cinder = { versions: [{ id: "v3.0", status: "CURRENT", version: "3.71", min_version: "3.0" }] };
    assert.deepEqual(rangeFromDocument(cinder, "v3"), { min: "3.0", max: "3.71" });
    const manila = {
      versions: [
        { id: "v1.0", status: "DEPRECATED", version: "", min_version: "" },
        { id: "v2.0", status: "CURRENT", version: "2.99", min_version: "2.0" },
      ],
    };
    assert.deepEqual(rangeFromDocument(manila, "v2"), { min: "2.0", max: "2.99" });
    const keystone = { versions: { values: [{ id: "v3.14", status: "stable" }] } };
    assert.deepEqual(rangeFromDocument(keystone, "v3"), { min: undefined, max: undefined });
    assert.equal(rangeFromDocument({}, "v3"), undefined);
  });

  it("sends each service's own microversion header, exactly", async () => {
    const s = connect({ credentials: noauth(server), retry: FAST });
    server.route("GET", /.*/, { body: {} });
    await s.request("compute", "GET", "/servers", { microversion: "2.97" });
    await s.request("block-storage", "GET", "/attachments", { microversion: "3.44" });
    await s.request("shared-file-system", "GET", "/share-servers", {
      microversion: "2.57",
      experimental: true,
    });
    await s.request("shared-file-system", "GET", "/shares");
    const [nova, cinder, manila, plain] = server.requests;
    assert.equal(nova.headers["openstack-api-version"], "compute 2.97");
    assert.equal(nova.headers["x-openstack-nova-api-version"], "2.97");
    assert.equal(cinder.headers["openstack-api-version"], "volume 3.44");
    assert.equal(cinder.headers["x-openstack-nova-api-version"], undefined);
    assert.equal(manila.headers["x-openstack-manila-api-version"], "2.57");
    assert.equal(manila.headers["x-openstack-manila-api-experimental"], "True");
    assert.equal(manila.headers["openstack-api-version"], undefined);
    assert.equal(plain.headers["x-openstack-manila-api-version"], undefined);
    // no-auth: X-Auth-Token is <user>:<project>
    assert.equal(nova.headers["x-auth-token"], "admin:proj-1");
    assert.equal(nova.path, "/compute/v2.1/servers");
    assert.equal(cinder.path, "/volume/v3/proj-1/attachments");
  });

  it("discovers each service's range once per endpoint and negotiates min(want, max)", async () => {
    routeVersions(server, { compute: ["2.1", "2.93"], volume: ["3.0", "3.70"], share: ["2.0", "2.73"] });
    const s = connect({ credentials: noauth(server), retry: FAST });
    assert.deepEqual(await s.versions("compute"), { min: "2.1", max: "2.93" });
    assert.deepEqual(await s.versions("block-storage"), { min: "3.0", max: "3.70" });
    assert.deepEqual(await s.versions("shared-file-system"), { min: "2.0", max: "2.73" });
    assert.equal(await s.microversion("compute", "2.97"), "2.93");
    assert.equal(await s.microversion("compute", "2.60"), "2.60");
    assert.equal(await s.microversion("shared-file-system", "2.80"), "2.73");
    assert.equal(await s.microversion("block-storage", "3.27"), "3.27");
    // concurrent callers and other sessions on the same endpoint: still one discovery per service
    await Promise.all(
      [1, 2, 3].map(() => connect({ credentials: noauth(server) }).microversion("compute", "2.1")),
    );
    assert.equal(server.count("GET", "/compute/v2.1/"), 1);
    assert.equal(server.count("GET", "/volume/v3/"), 1);
    assert.equal(server.count("GET", "/share/v2/"), 1);
  });

  it("accepts a 300 Multiple Choices version document at the unversioned root", async () => {
    server.route("GET", "/share/v2/", { body: { weird: true } });
    server.route("GET", "/share/", {
      status: 300,
      body: { versions: [{ id: "v2.0", status: "CURRENT", version: "2.99", min_version: "2.0" }] },
    });
    const s = connect({ credentials: noauth(server), retry: FAST });
    assert.deepEqual(await s.versions("shared-file-system"), { min: "2.0", max: "2.99" });
  });

  it("fails before any mutation when the cloud is too old for a feature", async () => {
    routeVersions(server, { compute: ["2.1", "2.93"], volume: ["3.0", "3.70"], share: ["2.0", "2.73"] });
    const s = connect({ credentials: noauth(server), retry: FAST });
    await assert.rejects(
      s.requireMicroversion("compute", "2.97", "share attachments"),
      (e: Error) =>
        e instanceof UnsupportedMicroversionError &&
        e.message.startsWith(
          "this cloud's compute API tops at 2.93; microversion 2.97 is needed for share attachments",
        ) &&
        e.maximum === "2.93" &&
        e.required === "2.97",
    );
    await assert.rejects(
      s.requireMicroversion("shared-file-system", "2.75", "x"),
      /shared-file-system \(Manila\) API tops at 2\.73/,
    );
    assert.equal(await s.requireMicroversion("block-storage", "3.27", "attachments"), "3.27");
    assert.equal(server.requests.filter((r) => r.method !== "GET").length, 0);
  });

  it("treats a service without microversions as too old for any", async () => {
    server.route("GET", "/compute/v2.1/", {
      body: { version: { id: "v2.1", status: "CURRENT", version: "", min_version: "" } },
    });
    const s = connect({ credentials: noauth(server), retry: FAST });
    await assert.rejects(
      s.requireMicroversion("compute", "2.97", "share attachments"),
      /compute API has no microversions/,
    );
  });

  it("discovers through Keystone auth and the catalog endpoint", async () => {
    routeKeystone(server);
    server.route("GET", "/RegionOne/public/compute/v2.1/", {
      body: { version: { id: "v2.1", status: "CURRENT", version: "2.104", min_version: "2.1" } },
    });
    const s = connect({
      retry: FAST,
      resolve: {
        env: { OS_AUTH_URL: server.url, OS_USERNAME: "u", OS_PASSWORD: "pw-discover", OS_PROJECT_ID: "p" },
        configDirs: [],
        stackConfig: {},
      },
    });
    assert.equal(await s.requireMicroversion("compute", "2.97", "share attachments"), "2.97");
    assert.equal(server.requests[1].headers["x-auth-token"], "tok-1");
  });
});
