// Manila share servers on the dummy driver: views per microversion, list filters, delete, unmanage,
// manage, reset_status and their error cases (FACTS.md §4).
import { randomUUID } from "crypto";
import { RawResponse } from "../support/client";
import { CallOptions, ObserveOptions, PollOptions, Scenario, ScenarioDefinition } from "./recorder";

const MV = "2.73";
/** Options at this service's max microversion. */
function opts(extra: PollOptions): PollOptions;
function opts(extra: ObserveOptions): ObserveOptions;
function opts(extra?: CallOptions): CallOptions;
function opts(extra?: CallOptions): CallOptions {
  return { mv: MV, ...extra };
}
const field =
  (...keys: string[]) =>
  (res: RawResponse): string | undefined => {
    let v: any = res.body;
    for (const k of keys) v = v?.[k];
    return v === undefined || v === null ? undefined : String(v);
  };
const status = (res: RawResponse) =>
  res.status === 404 ? "404" : field(Object.keys((res.body as object) ?? {})[0], "status")(res);

/** Test fixtures made with unrecorded calls: share networks and shares whose share servers we study. */
class Fixtures {
  readonly root: string;
  private readonly networks: string[] = [];
  constructor(private readonly s: Scenario) {
    this.root = `/v2/${s.client.endpoints.projectId}`;
  }

  async shareNetwork(label: string): Promise<{ id: string; subnetId: string; name: string }> {
    const name = `realos-${label}-${randomUUID().slice(0, 8)}`;
    const res = await this.s.call(
      "",
      "manila",
      "POST",
      `${this.root}/share-networks`,
      opts({ record: false, body: { share_network: { name } } }),
    );
    const net = (res.body as any)?.share_network;
    if (!net) throw new Error(`share network create: ${res.status} ${res.text}`);
    this.networks.push(net.id);
    this.s.name(net.id, label);
    this.s.name(name, `${label}-name`);
    const subnetId = net.share_network_subnets[0].id;
    this.s.name(subnetId, `${label}-subnet`);
    return { id: net.id, subnetId, name };
  }

  /** A share on a new share network; returns its share server. */
  async shareWithServer(label: string): Promise<{
    shareId: string;
    serverId: string;
    identifier: string;
    net: { id: string; subnetId: string; name: string };
  }> {
    const net = await this.shareNetwork(`${label}-net`);
    const res = await this.s.call(
      "",
      "manila",
      "POST",
      `${this.root}/shares`,
      opts({
        record: false,
        body: {
          share: {
            share_proto: "NFS",
            size: 1,
            name: `realos-${label}`,
            share_type: this.s.client.endpoints.shareType,
            share_network_id: net.id,
          },
        },
      }),
    );
    if (res.status !== 202 && res.status !== 200) throw new Error(`share create: ${res.status} ${res.text}`);
    const shareId = (res.body as any).share.id;
    this.s.name(shareId, `${label}-share`);
    await this.waitFor(`/shares/${shareId}`, "available");
    const share = await this.s.call(
      "",
      "manila",
      "GET",
      `${this.root}/shares/${shareId}`,
      opts({ record: false }),
    );
    const serverId = (share.body as any).share.share_server_id;
    this.s.name(serverId, `${label}-server`);
    const server = await this.s.call(
      "",
      "manila",
      "GET",
      `${this.root}/share-servers/${serverId}`,
      opts({ record: false }),
    );
    const identifier = (server.body as any).share_server.identifier;
    const backendServerId = (server.body as any).share_server.backend_details?.server_id;
    this.s.name(backendServerId, `${label}-server`);
    this.s.name(identifier, `${label}-identifier`);
    return { shareId, serverId, identifier, net };
  }

  async deleteShare(shareId: string): Promise<void> {
    await this.s.call("", "manila", "DELETE", `${this.root}/shares/${shareId}`, opts({ record: false }));
    await this.waitFor(`/shares/${shareId}`, "404");
  }

  /** Deletes the share networks made here (quota: 10 per project); call once their servers are gone. */
  async cleanup(): Promise<void> {
    for (const id of this.networks.splice(0)) {
      const res = await this.s.call(
        "",
        "manila",
        "DELETE",
        `${this.root}/share-networks/${id}`,
        opts({ record: false }),
      );
      if (res.status !== 202 && res.status !== 204)
        throw new Error(`share network ${id} delete: ${res.status} ${res.text}`);
    }
  }

  waitFor(urlPath: string, want: string): Promise<void> {
    return this.s.waitFor("manila", this.root + urlPath, MV, status, want);
  }
}

async function views(s: Scenario): Promise<void> {
  const fx = new Fixtures(s);
  const { serverId, shareId } = await fx.shareWithServer("a");
  for (const v of ["2.0", "2.48", "2.49", "2.50", "2.51", "2.57", "2.63", "2.69", "2.70", "2.73"]) {
    await s.call(`show at ${v}`, "manila", "GET", `${fx.root}/share-servers/${serverId}`, { mv: v });
  }
  await s.call("list at 2.0", "manila", "GET", `${fx.root}/share-servers`, { mv: "2.0" });
  await s.call("list at 2.73", "manila", "GET", `${fx.root}/share-servers`, opts());
  await s.call("details at 2.73", "manila", "GET", `${fx.root}/share-servers/${serverId}/details`, opts());
  await s.call(
    "the share at 2.73 (share_server_id)",
    "manila",
    "GET",
    `${fx.root}/shares/${shareId}`,
    opts(),
  );
  await fx.deleteShare(shareId);
  await s.call(
    "delete the now unused server",
    "manila",
    "DELETE",
    `${fx.root}/share-servers/${serverId}`,
    opts(),
  );
  await s.poll(
    "wait until gone",
    "manila",
    `${fx.root}/share-servers/${serverId}`,
    opts({ select: status, until: (v) => v === "404" }),
  );
  await fx.cleanup();
}

async function listFilters(s: Scenario): Promise<void> {
  const fx = new Fixtures(s);
  const { serverId, shareId, identifier, net } = await fx.shareWithServer("f");
  const q: Array<[string, string]> = [
    ["host", "ostest@alpha"],
    ["host", "ostest@beta"],
    ["status", "active"],
    ["share_network", net.name],
    ["share_network", net.id],
    ["share_network_id", net.id],
    ["share_network_subnet_id", net.subnetId],
    ["project_id", s.client.endpoints.projectId],
    ["identifier", identifier],
    ["is_auto_deletable", "false"],
    ["id", serverId],
    ["no_such_filter", "x"],
    ["limit", "1"],
    ["offset", "0"],
    ["sort_key", "created_at"],
  ];
  for (const [k, v] of q) {
    const res = await s.call(
      `?${k}=…`,
      "manila",
      "GET",
      `${fx.root}/share-servers?${k}=${encodeURIComponent(v)}`,
      opts(),
    );
    const ids = ((res.body as any)?.share_servers ?? []).map((x: any) => x.id);
    s.note(
      `?${k}: ${ids.includes(serverId) ? "contains" : "does not contain"} <f-server>; ${ids.length} entries`,
    );
  }
  await fx.deleteShare(shareId);
  await s.call(
    "cleanup: delete the server",
    "manila",
    "DELETE",
    `${fx.root}/share-servers/${serverId}`,
    opts({ record: false }),
  );
  await fx.waitFor(`/share-servers/${serverId}`, "404");
  await fx.cleanup();
}

async function inUseAndStatus(s: Scenario): Promise<void> {
  const fx = new Fixtures(s);
  const { serverId, shareId } = await fx.shareWithServer("u");
  const server = `${fx.root}/share-servers/${serverId}`;
  await s.call("delete while a share uses it", "manila", "DELETE", server, opts());
  await s.call(
    "unmanage while a share uses it",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { unmanage: { force: false } } }),
  );
  await s.call(
    "unmanage with force while a share uses it",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { unmanage: { force: true } } }),
  );
  await s.call("show: status unchanged", "manila", "GET", server, opts());
  await s.call(
    "reset_status to creating",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { reset_status: { status: "creating" } } }),
  );
  await s.call("show after reset_status (synchronous?)", "manila", "GET", server, opts());
  await s.call("delete in status creating, share still there", "manila", "DELETE", server, opts());
  await s.call(
    "unmanage in status creating",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { unmanage: null } }),
  );
  await s.call(
    "reset_status to error_deleting (api-ref value, not a status)",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { reset_status: { status: "error_deleting" } } }),
  );
  await s.call(
    "reset_status without status",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { reset_status: {} } }),
  );
  await s.call(
    "reset_status to ACTIVE (case)",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { reset_status: { status: "ACTIVE" } } }),
  );
  await s.call("reset_status below 2.49", "manila", "POST", `${server}/action`, {
    mv: "2.48",
    body: { reset_status: { status: "error" } },
  });
  for (const st of ["unmanage_error", "manage_error", "inactive", "network_change", "error", "active"]) {
    await s.call(
      `reset_status to ${st}`,
      "manila",
      "POST",
      `${server}/action`,
      opts({ body: { reset_status: { status: st } } }),
    );
  }
  await s.call("show: active again", "manila", "GET", server, opts());
  await s.call(
    "unknown action",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { no_such_action: null } }),
  );
  await fx.deleteShare(shareId);
  await s.call(
    "reset_status to error, then delete an unused server in error",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { reset_status: { status: "error" } } }),
  );
  await s.call("delete in error", "manila", "DELETE", server, opts());
  await s.poll("wait until gone", "manila", server, opts({ select: status, until: (v) => v === "404" }));
  for (const [what, method, suffix, body] of [
    ["show", "GET", "", undefined],
    ["details", "GET", "/details", undefined],
    ["delete", "DELETE", "", undefined],
    ["unmanage", "POST", "/action", { unmanage: null }],
    ["reset_status", "POST", "/action", { reset_status: { status: "active" } }],
  ] as const) {
    await s.call(
      `${what} of a deleted server`,
      "manila",
      method,
      `${server}${suffix}`,
      opts(body ? { body } : {}),
    );
  }
  await fx.cleanup();
}

async function unmanageManage(s: Scenario): Promise<void> {
  const fx = new Fixtures(s);
  const { serverId, shareId, identifier, net } = await fx.shareWithServer("m");
  await fx.deleteShare(shareId);
  const server = `${fx.root}/share-servers/${serverId}`;
  await s.call("show: unused server after its share was deleted", "manila", "GET", server, opts());
  await s.call(
    "unmanage {force: false}",
    "manila",
    "POST",
    `${server}/action`,
    opts({ body: { unmanage: { force: false } } }),
  );
  await s.poll(
    "wait until gone",
    "manila",
    server,
    opts({ select: status, until: (v) => v === "404", intervalMs: 50 }),
  );
  const host = s.client.endpoints.shareBackendHost;
  const manageBody = {
    share_server: {
      host,
      share_network_id: net.id,
      share_network_subnet_id: net.subnetId,
      identifier,
      driver_options: {},
    },
  };
  const managed = await s.call(
    "manage it back",
    "manila",
    "POST",
    `${fx.root}/share-servers/manage`,
    opts({ body: manageBody }),
  );
  const newId = (managed.body as any)?.share_server?.id;
  s.name(newId, "m-managed-server");
  const managedUrl = `${fx.root}/share-servers/${newId}`;
  await s.poll(
    "wait for active",
    "manila",
    managedUrl,
    opts({ select: status, until: (v) => v === "active" || v === "manage_error", intervalMs: 50 }),
  );
  await s.call("details of the managed server", "manila", "GET", `${managedUrl}/details`, opts());
  await s.call("list: the managed server", "manila", "GET", `${fx.root}/share-servers?id=${newId}`, opts());
  await s.call(
    "manage the same identifier again (already managed)",
    "manila",
    "POST",
    `${fx.root}/share-servers/manage`,
    opts({ body: manageBody }),
  );
  await s.call(
    "reset_status error",
    "manila",
    "POST",
    `${managedUrl}/action`,
    opts({ body: { reset_status: { status: "error" } } }),
  );
  await s.call("show: error", "manila", "GET", managedUrl, opts());
  await s.call(
    "reset_status active",
    "manila",
    "POST",
    `${managedUrl}/action`,
    opts({ body: { reset_status: { status: "active" } } }),
  );
  await s.call(
    "unmanage {unmanage: null}",
    "manila",
    "POST",
    `${managedUrl}/action`,
    opts({ body: { unmanage: null } }),
  );
  await s.call("show right after unmanage", "manila", "GET", managedUrl, opts());
  await s.poll(
    "wait until gone",
    "manila",
    managedUrl,
    opts({ select: status, until: (v) => v === "404", intervalMs: 50 }),
  );
  // manage without share_network_subnet_id (the default subnet is used) and at 2.49 (no subnet field yet)
  const again = await s.call(
    "manage without share_network_subnet_id at 2.73",
    "manila",
    "POST",
    `${fx.root}/share-servers/manage`,
    opts({
      body: { share_server: { host, share_network_id: net.id, identifier } },
    }),
  );
  const againId = (again.body as any)?.share_server?.id;
  s.name(againId, "m-managed-server");
  await s.poll(
    "wait for active",
    "manila",
    `${fx.root}/share-servers/${againId}`,
    opts({ select: status, until: (v) => v === "active" || v === "manage_error", intervalMs: 50 }),
  );
  await s.call("unmanage", "manila", "POST", `${fx.root}/share-servers/${againId}/action`, {
    mv: "2.49",
    body: { unmanage: {} },
  });
  await s.poll(
    "wait until gone",
    "manila",
    `${fx.root}/share-servers/${againId}`,
    opts({ select: status, until: (v) => v === "404", intervalMs: 50 }),
  );
  const at249 = await s.call("manage at 2.49", "manila", "POST", `${fx.root}/share-servers/manage`, {
    mv: "2.49",
    body: { share_server: { host, share_network_id: net.id, identifier, driver_options: {} } },
  });
  const id249 = (at249.body as any)?.share_server?.id;
  s.name(id249, "m-managed-server");
  await s.poll("wait for active (2.49 view)", "manila", `${fx.root}/share-servers/${id249}`, {
    mv: "2.49",
    select: status,
    until: (v) => v === "active" || v === "manage_error",
    intervalMs: 50,
  });
  await s.call(
    "delete a managed, unused server",
    "manila",
    "DELETE",
    `${fx.root}/share-servers/${id249}`,
    opts(),
  );
  await s.poll(
    "wait until gone",
    "manila",
    `${fx.root}/share-servers/${id249}`,
    opts({ select: status, until: (v) => v === "404", intervalMs: 50 }),
  );
  await fx.cleanup();
}

async function manageErrors(s: Scenario): Promise<void> {
  const fx = new Fixtures(s);
  const net = await fx.shareNetwork("e-net");
  const { serverId, shareId, identifier } = await fx.shareWithServer("e");
  const host = s.client.endpoints.shareBackendHost;
  const manage = `${fx.root}/share-servers/manage`;
  const fresh = () => `realos-${randomUUID()}`;
  const base = { host, share_network_id: net.id, identifier: "<fresh>" };
  const cases: Array<[string, unknown]> = [
    ["no body", undefined],
    ["no share_server key", { server: base }],
    ["missing host", { share_server: { ...base, host: undefined } }],
    ["empty identifier", { share_server: { ...base, identifier: "" } }],
    ["missing share_network_id", { share_server: { ...base, share_network_id: undefined } }],
    ["host with a pool", { share_server: { ...base, host: `${host}#fake_pool_for_ALPHA` } }],
    ["unknown host", { share_server: { ...base, host: "ostest@nope" } }],
    ["unknown share network", { share_server: { ...base, share_network_id: randomUUID() } }],
    ["unknown subnet", { share_server: { ...base, share_network_subnet_id: randomUUID() } }],
    ["driver_options not an object", { share_server: { ...base, driver_options: "x" } }],
    ["identifier of an existing server", { share_server: { ...base, identifier } }],
    ["unknown key", { share_server: { ...base, no_such_key: 1 } }],
  ];
  for (const [what, template] of cases) {
    // each case its own identifier, so that one accepted by mistake cannot make the next one a duplicate
    const body =
      template === undefined ? undefined : JSON.parse(JSON.stringify(template).replace("<fresh>", fresh()));
    const res = await s.call(
      `manage: ${what}`,
      "manila",
      "POST",
      manage,
      opts(body === undefined ? {} : { body }),
    );
    const id = (res.body as any)?.share_server?.id;
    if (id) {
      s.name(id, "e-accepted-server");
      const end = await s.poll(
        `manage: ${what}: outcome`,
        "manila",
        `${fx.root}/share-servers/${id}`,
        opts({ select: status, until: (v) => v !== "manage_starting", intervalMs: 50 }),
      );
      s.note(`manage: ${what}: accepted (202), server ended ${status(end)}`);
      await s.call(
        "cleanup",
        "manila",
        "POST",
        `${fx.root}/share-servers/${id}/action`,
        opts({ record: false, body: { unmanage: { force: true } } }),
      );
      await fx.waitFor(`/share-servers/${id}`, "404");
    }
  }
  const badIdentifier = fresh();
  s.name(badIdentifier, "e-bad-identifier");
  const unknown = await s.call(
    "manage an identifier the backend does not know",
    "manila",
    "POST",
    manage,
    opts({ body: { share_server: { ...base, identifier: badIdentifier } } }),
  );
  const badId = (unknown.body as any).share_server.id;
  s.name(badId, "e-bad-server");
  await s.poll(
    "wait for manage_error",
    "manila",
    `${fx.root}/share-servers/${badId}`,
    opts({ select: status, until: (v) => v !== "manage_starting", intervalMs: 50 }),
  );
  const del = await s.call(
    "delete a manage_error server",
    "manila",
    "DELETE",
    `${fx.root}/share-servers/${badId}`,
    opts(),
  );
  if (del.status === 202) {
    await s.poll(
      "after delete",
      "manila",
      `${fx.root}/share-servers/${badId}`,
      opts({ select: status, until: (v) => v === "404" || v === "error", intervalMs: 50 }),
    );
  }
  await s.call(
    "unmanage {force: false} a manage_error server on alpha (whose driver can unmanage)",
    "manila",
    "POST",
    `${fx.root}/share-servers/${badId}/action`,
    opts({ body: { unmanage: { force: false } } }),
  );
  await s.poll(
    "after unmanage",
    "manila",
    `${fx.root}/share-servers/${badId}`,
    opts({ select: status, until: (v) => v === "404" || v === "unmanage_error", intervalMs: 50 }),
  );
  await fx.deleteShare(shareId);
  await s.call(
    "cleanup",
    "manila",
    "DELETE",
    `${fx.root}/share-servers/${serverId}`,
    opts({ record: false }),
  );
  await fx.waitFor(`/share-servers/${serverId}`, "404");
  await fx.cleanup();
}

async function unmanageForce(s: Scenario): Promise<void> {
  const fx = new Fixtures(s);
  const net = await fx.shareNetwork("force-net");
  const forms: Array<[string, unknown]> = [
    ['{"force": false}', { unmanage: { force: false } }],
    ['{"force": "false"} (string)', { unmanage: { force: "false" } }],
    ['{"force": true}', { unmanage: { force: true } }],
    ['{"force": "no"} (string)', { unmanage: { force: "no" } }],
    ['{"force": 0}', { unmanage: { force: 0 } }],
    ["null", { unmanage: null }],
    ["{}", { unmanage: {} }],
  ];
  for (const [what, body] of forms) {
    const res = await s.call(
      `manage on beta (unknown identifier), for unmanage ${what}`,
      "manila",
      "POST",
      `${fx.root}/share-servers/manage`,
      opts({
        body: {
          share_server: {
            host: "ostest@beta",
            share_network_id: net.id,
            identifier: `realos-${randomUUID()}`,
          },
        },
      }),
    );
    const id = (res.body as any).share_server.id;
    s.name(id, "beta-server");
    s.name((res.body as any).share_server.identifier, "beta-identifier");
    const url = `${fx.root}/share-servers/${id}`;
    await s.poll(
      "wait for manage_error",
      "manila",
      url,
      opts({ select: status, until: (v) => v !== "manage_starting", intervalMs: 50 }),
    );
    await s.call(`unmanage ${what}`, "manila", "POST", `${url}/action`, opts({ body }));
    const end = await s.poll(
      `after unmanage ${what}`,
      "manila",
      url,
      opts({ select: status, until: (v) => v === "404" || v === "unmanage_error", intervalMs: 50 }),
    );
    s.note(
      `unmanage ${what}: ${status(end) === "404" ? "server removed: treated as force" : `server ${status(end)}: not treated as force`}`,
    );
    if (status(end) !== "404") {
      await s.call(
        "cleanup",
        "manila",
        "POST",
        `${url}/action`,
        opts({ record: false, body: { unmanage: { force: true } } }),
      );
      await fx.waitFor(`/share-servers/${id}`, "404");
    }
  }
  await fx.cleanup();
}

export const manilaScenarios: ScenarioDefinition[] = [
  {
    id: "manila-share-server-views",
    description:
      "A share server created by a share on DHSS=True: list, show and details at each microversion that changed the view",
    run: views,
  },
  {
    id: "manila-share-server-list-filters",
    description:
      "GET /share-servers with each filter key; unknown keys and pagination-like keys (FACTS §4.3). The notes say whether <f-server> was in each answer",
    run: listFilters,
  },
  {
    id: "manila-share-server-in-use-and-status",
    description:
      "A server with a share: delete (409), unmanage (400); delete and unmanage in a status other than active/error; reset_status with good and bad values; every call on a deleted server",
    run: inUseAndStatus,
  },
  {
    id: "manila-share-server-unmanage-manage",
    description:
      "Unmanage an unused server, manage it back by its identifier (the dummy driver keeps unmanaged servers), reset_status, unmanage again; manage without subnet and at 2.49; delete a managed server",
    run: unmanageManage,
  },
  {
    id: "manila-share-server-manage-errors",
    description:
      "POST /share-servers/manage with bad bodies (synchronous errors) and with an identifier the backend does not know (manage_error); delete and unmanage of a manage_error server",
    run: manageErrors,
  },
  {
    id: "manila-share-server-unmanage-force",
    description:
      "How unmanage reads 'force' (FACTS §6.3). Backend beta's driver cannot unmanage share servers, so without force the " +
      "server ends in unmanage_error and with force it is removed. Servers there are manage_error servers (unknown identifiers).",
    run: unmanageForce,
  },
];
