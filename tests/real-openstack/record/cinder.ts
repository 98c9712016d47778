// Cinder v3 attachments on the fake driver: the reserve / update / complete / delete flow, create with a
// connector and with a mode, lists, the delete guard of the OSSA-2023-003 fix, and error cases (FACTS.md §5).
import { randomUUID } from "crypto";
import { RawResponse } from "../support/client";
import { CallOptions, ObserveOptions, PollOptions, Scenario, ScenarioDefinition } from "./recorder";

const MV = "3.70";
/** Options at this service's max microversion. */
function opts(extra: PollOptions): PollOptions;
function opts(extra: ObserveOptions): ObserveOptions;
function opts(extra?: CallOptions): CallOptions;
function opts(extra?: CallOptions): CallOptions {
  return { mv: MV, ...extra };
}
/** cinder-api here treats requests as service requests unless they say otherwise (see the shim). */
const NOT_A_SERVICE = { "X-Service-Roles": "none" };
export const CONNECTOR = {
  initiator: "iqn.1993-08.org.debian:01:realos",
  ip: "127.0.0.1",
  platform: "x86_64",
  host: "realos-host",
  os_type: "linux",
  multipath: false,
  mountpoint: "/dev/vdb",
};
const volumeStatus = (res: RawResponse) => (res.status === 404 ? "404" : (res.body as any)?.volume?.status);
const volumeSummary = (res: RawResponse) => {
  const v = (res.body as any)?.volume;
  return v ? { status: v.status, attachments: v.attachments } : res.status;
};
const attachment = (res: RawResponse) => (res.body as any)?.attachment;

class Volumes {
  readonly root: string;
  private readonly made: string[] = [];
  constructor(private readonly s: Scenario) {
    this.root = `/v3/${s.client.endpoints.projectId}`;
  }

  async create(label: string): Promise<string> {
    const res = await this.s.call(
      "",
      "cinder",
      "POST",
      `${this.root}/volumes`,
      opts({ record: false, body: { volume: { size: 1, name: `realos-${label}` } } }),
    );
    const id = (res.body as any)?.volume?.id;
    if (!id) throw new Error(`volume create: ${res.status} ${res.text}`);
    this.s.name(id, label);
    this.made.push(id);
    await this.wait(id, "available");
    return id;
  }

  wait(id: string, want: string): Promise<void> {
    return this.s.waitFor("cinder", `${this.root}/volumes/${id}`, MV, volumeStatus, want);
  }

  status(step: string, id: string): Promise<RawResponse> {
    return this.s.observe(step, "cinder", `${this.root}/volumes/${id}`, opts({ select: volumeSummary }));
  }

  /** Removes what is left: attachments of our volumes (as a service), then the volumes. */
  async cleanup(): Promise<void> {
    for (const id of this.made.splice(0)) {
      const list = await this.s.call(
        "",
        "cinder",
        "GET",
        `${this.root}/attachments?volume_id=${id}`,
        opts({ record: false }),
      );
      for (const a of (list.body as any)?.attachments ?? []) {
        await this.s.call(
          "",
          "cinder",
          "DELETE",
          `${this.root}/attachments/${a.id}`,
          opts({ record: false, headers: { "X-Service-Roles": "service" } }),
        );
      }
      await this.s.call(
        "",
        "cinder",
        "POST",
        `${this.root}/volumes/${id}/action`,
        opts({
          record: false,
          body: { "os-reset_status": { status: "available", attach_status: "detached" } },
        }),
      );
      await this.s.call("", "cinder", "DELETE", `${this.root}/volumes/${id}`, opts({ record: false }));
    }
  }
}

async function reserveUpdateComplete(s: Scenario, mv: string): Promise<void> {
  const o = (extra: CallOptions = {}): CallOptions => ({ mv, ...extra });
  const v = new Volumes(s);
  const vol = await v.create("volume");
  const instance = randomUUID();
  s.name(instance, "instance");
  const created = await s.call(
    "reserve",
    "cinder",
    "POST",
    `${v.root}/attachments`,
    o({ body: { attachment: { volume_uuid: vol, instance_uuid: instance } } }),
  );
  const id = attachment(created)?.id;
  s.name(id, "attachment");
  await v.status("volume after reserve", vol);
  const url = `${v.root}/attachments/${id}`;
  await s.call("show after reserve", "cinder", "GET", url, o());
  await s.call(
    "update with a connector",
    "cinder",
    "PUT",
    url,
    o({ body: { attachment: { connector: CONNECTOR } } }),
  );
  await s.call("show after update (compare with the PUT response)", "cinder", "GET", url, o());
  await v.status("volume after update", vol);
  await s.call("complete", "cinder", "POST", `${url}/action`, o({ body: { "os-complete": null } }));
  await s.call("show after complete", "cinder", "GET", url, o());
  await s.call("volume after complete (attachments list)", "cinder", "GET", `${v.root}/volumes/${vol}`, o());
  await s.call("list (summary) by volume", "cinder", "GET", `${v.root}/attachments?volume_id=${vol}`, o());
  await s.call(
    "list detail by volume",
    "cinder",
    "GET",
    `${v.root}/attachments/detail?volume_id=${vol}`,
    o(),
  );
  await s.call(
    "complete again (already attached)",
    "cinder",
    "POST",
    `${url}/action`,
    o({ body: { "os-complete": {} } }),
  );
  await s.call(
    "delete (as a service: see cinder-attachment-delete for a plain user)",
    "cinder",
    "DELETE",
    url,
    o(),
  );
  await v.status("volume after delete", vol);
  await s.call("show after delete", "cinder", "GET", url, o());
  await v.cleanup();
}

async function createWithConnector(s: Scenario): Promise<void> {
  const v = new Volumes(s);
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ["no mode at 3.70", "3.70", { connector: CONNECTOR }],
    ["no mode at 3.53", "3.53", { connector: CONNECTOR }],
    ["mode ro", "3.70", { connector: CONNECTOR, mode: "ro" }],
    ["mode rw", "3.70", { connector: CONNECTOR, mode: "rw" }],
    ["mode ro inside the connector only", "3.70", { connector: { ...CONNECTOR, mode: "ro" } }],
    ["mode ro, no connector (reserve only)", "3.70", { mode: "ro" }],
  ];
  let n = 0;
  for (const [what, mv, extra] of cases) {
    const vol = await v.create(`volume-${++n}`);
    const instance = randomUUID();
    s.name(instance, "instance");
    const res = await s.call(`create: ${what}`, "cinder", "POST", `${v.root}/attachments`, {
      mv,
      body: { attachment: { volume_uuid: vol, instance_uuid: instance, ...extra } },
    });
    const id = attachment(res)?.id;
    s.name(id, "attachment");
    if (!id) continue;
    const url = `${v.root}/attachments/${id}`;
    await s.call(`show: ${what}`, "cinder", "GET", url, opts());
    await v.status(`volume: ${what}`, vol);
    if (!("connector" in extra)) {
      await s.call(
        `update with a connector: ${what}`,
        "cinder",
        "PUT",
        url,
        opts({ body: { attachment: { connector: CONNECTOR } } }),
      );
      await s.call(`show after update: ${what}`, "cinder", "GET", url, opts());
    }
    await s.call(
      `complete: ${what}`,
      "cinder",
      "POST",
      `${url}/action`,
      opts({ body: { "os-complete": null } }),
    );
    await s.call(`show after complete: ${what}`, "cinder", "GET", url, opts());
    await v.status(`volume after complete: ${what}`, vol);
  }
  await v.cleanup();
}

async function deleteGuard(s: Scenario): Promise<void> {
  const v = new Volumes(s);
  const plain = (extra: CallOptions = {}) => opts({ ...extra, headers: NOT_A_SERVICE });
  const vol = await v.create("volume");
  const reserved = await s.call(
    "reserve with an instance",
    "cinder",
    "POST",
    `${v.root}/attachments`,
    plain({ body: { attachment: { volume_uuid: vol, instance_uuid: randomUUID() } } }),
  );
  s.name(attachment(reserved).id, "reserved-attachment");
  await s.call(
    "delete the reserved attachment as a plain user",
    "cinder",
    "DELETE",
    `${v.root}/attachments/${attachment(reserved).id}`,
    plain(),
  );
  await v.status("volume", vol);
  const noInstance = await s.call(
    "create with a connector, no instance",
    "cinder",
    "POST",
    `${v.root}/attachments`,
    plain({ body: { attachment: { volume_uuid: vol, connector: CONNECTOR } } }),
  );
  s.name(attachment(noInstance).id, "no-instance-attachment");
  await s.call(
    "complete",
    "cinder",
    "POST",
    `${v.root}/attachments/${attachment(noInstance).id}/action`,
    plain({ body: { "os-complete": null } }),
  );
  await s.call(
    "delete it as a plain user",
    "cinder",
    "DELETE",
    `${v.root}/attachments/${attachment(noInstance).id}`,
    plain(),
  );
  await v.status("volume", vol);
  const full = await s.call(
    "create with a connector and an instance",
    "cinder",
    "POST",
    `${v.root}/attachments`,
    plain({ body: { attachment: { volume_uuid: vol, instance_uuid: randomUUID(), connector: CONNECTOR } } }),
  );
  const fullId = attachment(full).id;
  s.name(fullId, "attachment");
  await s.call(
    "complete",
    "cinder",
    "POST",
    `${v.root}/attachments/${fullId}/action`,
    plain({ body: { "os-complete": null } }),
  );
  await s.call(
    "delete it as a plain user (Cinder asks Nova)",
    "cinder",
    "DELETE",
    `${v.root}/attachments/${fullId}`,
    plain(),
  );
  await s.call("show after the failed delete", "cinder", "GET", `${v.root}/attachments/${fullId}`, plain());
  await v.status("volume after the failed delete", vol);
  await s.call(
    "delete it as a service (X-Service-Roles: service)",
    "cinder",
    "DELETE",
    `${v.root}/attachments/${fullId}`,
    opts({ headers: { "X-Service-Roles": "service" } }),
  );
  await v.status("volume", vol);
  await s.call("delete it again", "cinder", "DELETE", `${v.root}/attachments/${fullId}`, opts());
  await v.cleanup();
}

async function lists(s: Scenario): Promise<void> {
  const v = new Volumes(s);
  const ids: string[] = [];
  const instance = randomUUID();
  s.name(instance, "instance");
  for (let i = 1; i <= 3; i++) {
    const vol = await v.create(`volume-${i}`);
    const res = await s.call(
      "",
      "cinder",
      "POST",
      `${v.root}/attachments`,
      opts({
        record: false,
        body: {
          attachment: {
            volume_uuid: vol,
            instance_uuid: instance,
            ...(i === 3 ? { connector: CONNECTOR } : {}),
          },
        },
      }),
    );
    ids.push(attachment(res).id);
    s.name(attachment(res).id, `attachment-${i}`);
  }
  const q = (query: string) => `${v.root}/attachments?instance_id=${instance}${query}`;
  await s.call("list by instance_id", "cinder", "GET", q(""), opts());
  await s.call(
    "detail by instance_id",
    "cinder",
    "GET",
    `${v.root}/attachments/detail?instance_id=${instance}`,
    opts(),
  );
  await s.call("limit=2", "cinder", "GET", q("&limit=2"), opts());
  await s.call("limit=2&marker=<attachment-2>", "cinder", "GET", q(`&limit=2&marker=${ids[1]}`), opts());
  await s.call("sort=created_at:asc", "cinder", "GET", q("&sort=created_at:asc"), opts());
  await s.call(
    "sort_key=created_at&sort_dir=desc",
    "cinder",
    "GET",
    q("&sort_key=created_at&sort_dir=desc"),
    opts(),
  );
  await s.call("offset=1", "cinder", "GET", q("&offset=1"), opts());
  await s.call("status=attaching", "cinder", "GET", q("&status=attaching"), opts());
  await s.call("attach_status=reserved", "cinder", "GET", q("&attach_status=reserved"), opts());
  await s.call(
    "instance_uuid= (internal name)",
    "cinder",
    "GET",
    `${v.root}/attachments?instance_uuid=${instance}`,
    opts(),
  );
  await s.call("invalid filter foo=bar (admin)", "cinder", "GET", q("&foo=bar"), opts());
  await s.call("invalid filter foo=bar at 3.30 (before resource filters)", "cinder", "GET", q("&foo=bar"), {
    mv: "3.30",
  });
  await s.call("unknown marker", "cinder", "GET", q(`&marker=${randomUUID()}`), opts());
  await s.call("bad sort key", "cinder", "GET", q("&sort=nope:asc"), opts());
  await s.call("limit=-1", "cinder", "GET", q("&limit=-1"), opts());
  await s.call(
    "all_tenants=1",
    "cinder",
    "GET",
    `${v.root}/attachments?all_tenants=1&instance_id=${instance}`,
    opts(),
  );
  await s.call(
    "another project's view (token admin:<other>)",
    "cinder",
    "GET",
    `/v3/${"f".repeat(32)}/attachments?instance_id=${instance}`,
    {
      mv: MV,
      headers: { "X-Auth-Token": `demo:${"f".repeat(32)}` },
    },
  );
  await v.cleanup();
}

async function errors(s: Scenario): Promise<void> {
  const v = new Volumes(s);
  const vol = await v.create("volume");
  const att = `${v.root}/attachments`;
  const bodies: Array<[string, unknown]> = [
    ["unknown key", { attachment: { volume_uuid: vol, no_such_key: 1 } }],
    ["missing volume_uuid", { attachment: { instance_uuid: randomUUID() } }],
    ["volume_uuid not a uuid", { attachment: { volume_uuid: "nope" } }],
    ["instance_uuid not a uuid", { attachment: { volume_uuid: vol, instance_uuid: "nope" } }],
    ["mode xx", { attachment: { volume_uuid: vol, mode: "xx" } }],
    ["no attachment key", { volume_uuid: vol }],
  ];
  for (const [what, body] of bodies) {
    const res = await s.call(`create: ${what}`, "cinder", "POST", att, opts({ body }));
    if (attachment(res)?.id) {
      s.name(attachment(res).id, "accepted-attachment");
      await s.call("", "cinder", "DELETE", `${att}/${attachment(res).id}`, opts({ record: false }));
    }
  }
  await s.call("create: mode at 3.53", "cinder", "POST", att, {
    mv: "3.53",
    body: { attachment: { volume_uuid: vol, mode: "ro" } },
  });
  await s.call(
    "create: unknown volume",
    "cinder",
    "POST",
    att,
    opts({ body: { attachment: { volume_uuid: randomUUID() } } }),
  );
  const instance = randomUUID();
  s.name(instance, "instance");
  const first = await s.call(
    "reserve",
    "cinder",
    "POST",
    att,
    opts({ body: { attachment: { volume_uuid: vol, instance_uuid: instance } } }),
  );
  const firstId = attachment(first).id;
  s.name(firstId, "attachment");
  await s.call(
    "reserve again, another instance",
    "cinder",
    "POST",
    att,
    opts({ body: { attachment: { volume_uuid: vol, instance_uuid: randomUUID() } } }),
  );
  const same = await s.call(
    "reserve again, the same instance (allowed for live migration)",
    "cinder",
    "POST",
    att,
    opts({ body: { attachment: { volume_uuid: vol, instance_uuid: instance } } }),
  );
  if (attachment(same)?.id) s.name(attachment(same).id, "second-attachment");
  await v.status("volume with two reservations", vol);
  const url = `${att}/${firstId}`;
  await s.call("update: no connector", "cinder", "PUT", url, opts({ body: { attachment: {} } }));
  await s.call(
    "update: empty connector",
    "cinder",
    "PUT",
    url,
    opts({ body: { attachment: { connector: {} } } }),
  );
  await s.call(
    "update: another key",
    "cinder",
    "PUT",
    url,
    opts({ body: { attachment: { connector: CONNECTOR, mode: "ro" } } }),
  );
  await s.call(
    "update: unknown attachment",
    "cinder",
    "PUT",
    `${att}/${randomUUID()}`,
    opts({ body: { attachment: { connector: CONNECTOR } } }),
  );
  await s.call(
    "update the first reservation",
    "cinder",
    "PUT",
    url,
    opts({ body: { attachment: { connector: CONNECTOR } } }),
  );
  if (attachment(same)?.id) {
    await s.call(
      "update the second reservation too (duplicate connectors?)",
      "cinder",
      "PUT",
      `${att}/${attachment(same).id}`,
      opts({ body: { attachment: { connector: CONNECTOR } } }),
    );
  }
  await s.call(
    "complete: unknown attachment",
    "cinder",
    "POST",
    `${att}/${randomUUID()}/action`,
    opts({ body: { "os-complete": null } }),
  );
  await s.call("unknown action", "cinder", "POST", `${url}/action`, opts({ body: { "os-nope": null } }));
  await s.call(
    "volume: os-reset_status to error",
    "cinder",
    "POST",
    `${v.root}/volumes/${vol}/action`,
    opts({ body: { "os-reset_status": { status: "error" } } }),
  );
  await s.call(
    "update on a volume in error",
    "cinder",
    "PUT",
    url,
    opts({ body: { attachment: { connector: CONNECTOR } } }),
  );
  await s.call(
    "create on a volume in error",
    "cinder",
    "POST",
    att,
    opts({ body: { attachment: { volume_uuid: vol, instance_uuid: instance } } }),
  );
  await s.call(
    "complete on a volume in error",
    "cinder",
    "POST",
    `${url}/action`,
    opts({ body: { "os-complete": null } }),
  );
  await v.status("volume", vol);
  await s.call(
    "volume: os-reset_status to in-use",
    "cinder",
    "POST",
    `${v.root}/volumes/${vol}/action`,
    opts({ body: { "os-reset_status": { status: "in-use" } } }),
  );
  await s.call(
    "create on an in-use volume (another instance)",
    "cinder",
    "POST",
    att,
    opts({ body: { attachment: { volume_uuid: vol, instance_uuid: randomUUID() } } }),
  );
  await s.call(
    "delete a volume that has attachments",
    "cinder",
    "DELETE",
    `${v.root}/volumes/${vol}`,
    opts(),
  );
  await s.call("show: unknown attachment", "cinder", "GET", `${att}/${randomUUID()}`, opts());
  await s.call("delete: unknown attachment", "cinder", "DELETE", `${att}/${randomUUID()}`, opts());
  await v.cleanup();
}

const flow = (mv: string): ScenarioDefinition => ({
  id: `cinder-attachment-reserve-update-complete-${mv}`,
  description: `Nova's flow at ${mv}: reserve (instance, no connector), update with a connector, complete, list, delete; each response against a re-GET, and the volume after each step`,
  run: (s) => reserveUpdateComplete(s, mv),
});

export const cinderScenarios: ScenarioDefinition[] = [
  flow("3.70"),
  flow("3.44"),
  {
    id: "cinder-attachment-create-with-connector",
    description:
      "POST with a connector in one step: without mode (3.70, and 3.53 before mode existed), with mode ro, with mode rw, with mode inside the connector only, and mode ro on a reservation; each response against a re-GET",
    run: createWithConnector,
  },
  {
    id: "cinder-attachment-delete",
    description:
      "DELETE as a plain (non-service) user, sent with X-Service-Roles: none: reserved attachment, attachment with connection info but no instance, and with both (the OSSA-2023-003 check asks Nova; without Keystone Cinder cannot); then as a service",
    run: deleteGuard,
  },
  {
    id: "cinder-attachment-list",
    description:
      "GET /attachments and /attachments/detail with limit, marker, offset, sort and filters, over three attachments (one per volume). noauth makes every Cinder caller an admin, so the non-admin invalid-filter 400 cannot be reached here",
    run: lists,
  },
  {
    id: "cinder-attachment-errors",
    description:
      "Attachment calls that Cinder refuses: bad bodies, unknown objects, wrong volume states, duplicate connectors",
    run: errors,
  },
];
