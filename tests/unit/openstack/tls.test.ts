import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as selfsigned from "selfsigned";
import { clearTokenCache, connect, Credentials, OpenStackError } from "../../../provider/openstack";
import { FakeServer, routeKeystone, startServer } from "./fakeServer";

describe("openstack/tls", function () {
  this.timeout(30_000); // key generation
  let server: FakeServer;
  let caFile: string;
  let otherCaFile: string;

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "os-tls-"));
    const caExtensions = [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true },
    ];
    const ca = await selfsigned.generate([{ name: "commonName", value: "Test Root CA" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: caExtensions,
    } as any);
    const other = await selfsigned.generate([{ name: "commonName", value: "Other CA" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: caExtensions,
    } as any);
    const leaf = await selfsigned.generate([{ name: "commonName", value: "127.0.0.1" }], {
      keyType: "ec",
      algorithm: "sha256",
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
      ],
    } as any);
    caFile = path.join(dir, "ca.pem");
    otherCaFile = path.join(dir, "other.pem");
    fs.writeFileSync(caFile, ca.cert);
    fs.writeFileSync(otherCaFile, other.cert);
    server = await startServer({ key: leaf.private, cert: leaf.cert });
    routeKeystone(server);
    server.route("GET", "/RegionOne/public/compute/v2.1/servers", { body: { servers: [] } });
  });
  after(() => server.close());
  beforeEach(() => clearTokenCache());

  const creds = (tls: Partial<Credentials>): Credentials => ({
    authType: "password",
    authUrl: `${server.url}/v3`,
    username: "alice",
    password: "tls-test-password",
    projectId: "p-1",
    interface: "public",
    insecure: false,
    endpointOverrides: {},
    source: "test",
    ...tls,
  });
  const call = (tls: Partial<Credentials>) =>
    connect({ credentials: creds(tls), retry: { retries: 0 } }).request("compute", "GET", "/servers");

  it("rejects the server's certificate by default, with advice", async () => {
    await assert.rejects(call({}), (e: Error) => {
      assert.ok(e instanceof OpenStackError && e.status === undefined);
      assert.match(
        e.message,
        /authenticating to Keystone .* failed \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
      );
      assert.match(e.message, /set the CA bundle \(cacert \/ OS_CACERT \/ openstack:cacertFile\)/);
      return true;
    });
  });

  it("rejects it with another CA bundle", async () => {
    await assert.rejects(call({ cacertFile: otherCaFile }), /failed \(/);
  });

  it("accepts it with the right CA bundle, for Keystone and the services", async () => {
    const res = await call({ cacertFile: caFile });
    assert.deepEqual(res.data, { servers: [] });
  });

  it("accepts anything only when insecure is explicitly set", async () => {
    const res = await call({ insecure: true });
    assert.equal(res.status, 200);
  });

  it("says clearly when the CA bundle cannot be read", async () => {
    await assert.rejects(
      call({ cacertFile: "/nonexistent/ca.pem" }),
      /cannot read the CA bundle \(cacert\) \/nonexistent\/ca\.pem/,
    );
  });
});
