// ShareServer and the share-server lookups against REAL Manila 15 (dummy driver, DHSS=True, noauth: every
// caller is an admin): adopt, resetStatus, unmanage, manage back, manage of a server Manila already has, a
// failed manage (unknown identifier) cleaned up, unmanage refused while a share uses the server, delete,
// getShareServers/getShareServer. Runs only under `npm run test:openstack`.
import * as assert from "assert";
import { randomUUID } from "crypto";
import { clearTokenCache, clearVersionCache, setStackConfig } from "../../provider/openstack";
import { shareServer as impl, ShareServerOutputs } from "../../provider/resources/shareServer";
import { getShareServer, getShareServers } from "../../sdk/lookups/shareServers";
import { withEnvironment } from "../support/environment";
import { apiRoot, microversionHeader, RawClient } from "./support/client";
import { loadEndpoints } from "./support/endpoints";

describe("ShareServer on real Manila", () => {
  const endpoints = loadEndpoints();
  const client = new RawClient(endpoints);
  const root = apiRoot("manila", endpoints);
  const headers = {
    "X-Auth-Token": `admin:${endpoints.projectId}`,
    "Content-Type": "application/json",
    ...microversionHeader("manila", "2.73"),
  };
  const networks: string[] = [];
  const manila = async (method: string, path: string, body?: unknown) =>
    client.send("manila", { method, path: root + path, headers, body });

  async function until(path: string, done: (status: number, body: any) => boolean): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await manila("GET", path);
      if (done(res.status, res.body)) return;
      if (Date.now() > deadline) throw new Error(`${path}: still ${res.status} ${res.text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function shareNetwork(): Promise<string> {
    const res = await manila("POST", "/share-networks", {
      share_network: { name: `ss-${randomUUID().slice(0, 8)}` },
    });
    assert.strictEqual(res.status, 200, res.text);
    networks.push((res.body as any).share_network.id);
    return (res.body as any).share_network.id;
  }

  /** A share on `network`: Manila sets up (or reuses) a share server for it. */
  async function share(network: string): Promise<{ shareId: string; serverId: string }> {
    const res = await manila("POST", "/shares", {
      share: { share_proto: "NFS", size: 1, share_type: endpoints.shareType, share_network_id: network },
    });
    assert.ok(res.status === 200 || res.status === 202, res.text);
    const shareId = (res.body as any).share.id;
    await until(`/shares/${shareId}`, (_s, b) => b?.share?.status === "available");
    const shown = await manila("GET", `/shares/${shareId}`);
    return { shareId, serverId: (shown.body as any).share.share_server_id };
  }

  async function deleteShare(shareId: string): Promise<void> {
    await manila("DELETE", `/shares/${shareId}`);
    await until(`/shares/${shareId}`, (status) => status === 404);
  }

  before(() => {
    clearTokenCache();
    clearVersionCache();
    setStackConfig({
      endpointOverrides: { sharev2: `${endpoints.manila}${root}` },
      tenantId: endpoints.projectId,
      userName: "admin",
    });
  });
  after(async () => {
    setStackConfig(undefined);
    for (const id of networks) await manila("DELETE", `/share-networks/${id}`);
  });

  it("adopts, resets status once, unmanages, manages back, refuses a second manage, lists and shows", async () => {
    const network = await shareNetwork();
    const { shareId, serverId } = await share(network);
    await deleteShare(shareId);

    const adopted = await impl.create({ shareServerId: serverId, resetStatus: "error" });
    const outs = adopted.outs as ShareServerOutputs;
    assert.strictEqual(outs.status, "error");
    assert.strictEqual(outs.currentHost, endpoints.shareBackendHost);
    assert.strictEqual(outs.currentShareNetworkId, network);
    assert.ok(outs.backendDetails.server_id, JSON.stringify(outs.backendDetails));
    const identifier = outs.currentIdentifier!;

    const reset = (await impl.update!(serverId, outs, { shareServerId: serverId, resetStatus: "active" }))
      .outs!;
    assert.strictEqual(reset.status, "active");

    await impl.delete(serverId, { ...reset, onDelete: "unmanage" });
    assert.deepStrictEqual(await impl.read(serverId, reset), {});

    const managed = await impl.create({
      host: endpoints.shareBackendHost,
      identifier,
      shareNetworkId: network,
    });
    const m = managed.outs as ShareServerOutputs;
    assert.strictEqual(m.status, "active");
    assert.strictEqual(m.currentIdentifier, identifier);
    assert.strictEqual(m.isAutoDeletable, false);
    assert.ok(Object.keys(m.backendDetails).length > 0);

    await assert.rejects(
      impl.create({ host: endpoints.shareBackendHost, identifier, shareNetworkId: network }),
      new RegExp(`Manila already has it as share server ${managed.id} \\(status active`),
    );

    // Lookups read OS_* (a pipeline), not the provider's stack config.
    const noAuth = {
      OS_AUTH_TYPE: "none",
      OS_SHAREV2_ENDPOINT_OVERRIDE: `${endpoints.manila}${root}`,
      OS_PROJECT_ID: endpoints.projectId,
      OS_USERNAME: "admin",
    };
    const [listed, shown] = await withEnvironment(
      noAuth,
      async () =>
        [
          await getShareServers({ host: endpoints.shareBackendHost, shareNetworkId: network }),
          await getShareServer({ shareServerId: managed.id }),
        ] as const,
    );
    assert.deepStrictEqual(
      listed.map((s) => s.id),
      [managed.id],
    );
    assert.deepStrictEqual(shown.backendDetails, m.backendDetails);

    // Still in use by a share: unmanage names it; once the share is gone, delete works.
    const again = await share(network);
    assert.strictEqual(again.serverId, managed.id, "the share manager reuses the managed server");
    await assert.rejects(
      impl.delete(managed.id, m),
      new RegExp(`these shares still use it: .*${again.shareId}`),
    );
    await deleteShare(again.shareId);
    await impl.delete(managed.id, { ...m, onDelete: "delete" });
    assert.strictEqual((await manila("GET", `/share-servers/${managed.id}`)).status, 404);
  });

  it("a manage that ends in manage_error says so and leaves nothing behind", async () => {
    const network = await shareNetwork();
    const identifier = `no-such-server-${randomUUID().slice(0, 8)}`;
    await assert.rejects(
      impl.create({
        host: endpoints.shareBackendHost,
        identifier,
        shareNetworkId: network,
        timeoutSeconds: 60,
      }),
      /manage_error\. Manila's API gives no reason .* was unmanaged, so nothing is left in Manila/,
    );
    const left = await manila("GET", `/share-servers?identifier=${identifier}`);
    assert.deepStrictEqual((left.body as any).share_servers, []);
  });
});
