// os-instance-actions on the simulator (nova/api/openstack/compute/instance_actions.py): what each operation
// records under the request id its answer carried, the events and their results (a rolled-back 2.101 attach
// above all), the fields per microversion and policy (the controller's keys and response schemas: the
// api-ref samples of this API are not among the team's shared samples), paging and filters, and the errors.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import type { RunningSimulator } from "../../simulator/core/app";
import { COMPUTE_HOST } from "../../simulator/nova/model";
import { startTestSimulator, type ApiResponse, type SimulatorClient } from "../support/simulatorClient";

const IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b";
type User = "admin" | "demo";

/** instance_actions.py ACTION_KEYS, and ACTION_KEYS_V258 (2.58+). */
const ACTION_KEYS = [
  "action",
  "instance_uuid",
  "message",
  "project_id",
  "request_id",
  "start_time",
  "user_id",
];
const ACTION_KEYS_V258 = [...ACTION_KEYS, "updated_at"].sort();
/** What the event views hold per caller and microversion (_format_event and the response schemas). */
const EVENT_KEYS = ["event", "finish_time", "result", "start_time"];
/** str() of a naive datetime, as Nova's JSON shows it. */
const NAIVE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

describe("simulator: Nova instance actions", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  const S = "/compute/v2.1/servers";
  const api = (method: string, path: string, mv: string, body?: unknown, user: User = "demo") =>
    client.call(user, method, path, { mv, body });
  const actionsPath = (serverId: string, requestId = "") =>
    `${S}/${serverId}/os-instance-actions${requestId ? `/${requestId}` : ""}`;
  const list = (serverId: string, mv = "2.58", user: User = "demo", query = "") =>
    api("GET", actionsPath(serverId) + query, mv, undefined, user);
  const show = (serverId: string, requestId: string, mv = "2.101", user: User = "demo") =>
    api("GET", actionsPath(serverId, requestId), mv, undefined, user);
  const requestIdOf = (res: ApiResponse) => res.headers.get("x-openstack-request-id")!;

  before(async () => {
    ({ sim, client } = await startTestSimulator());
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.world.reset();
    sim.world.config.transitions = { default: 5 };
    sim.world.config.services.nova = {};
  });
  const slow = (kind: string) => (sim.world.config.transitions[kind] = 300);

  async function server(user: User = "demo"): Promise<string> {
    const res = await api(
      "POST",
      S,
      "2.1",
      { server: { name: "vm", flavorRef: "1", imageRef: IMAGE } },
      user,
    );
    const id = res.body.server.id;
    await client.until(
      async () => sim.world.nova.servers.get(id)?.vmState,
      (s) => s === "active",
    );
    return id;
  }
  async function volume(user: User = "demo"): Promise<string> {
    const res = await api(
      "POST",
      `/volume/v3/${client.projectOf(user)}/volumes`,
      "3.0",
      { volume: { size: 1 } },
      user,
    );
    const id = res.body.volume.id;
    await client.until(
      async () => sim.world.cinder.volumes.get(id)?.status,
      (s) => s === "available",
    );
    return id;
  }
  /** Waits until the action's events have all finished; returns the action as `user` sees it. */
  async function finished(serverId: string, requestId: string, user: User = "demo", mv = "2.101") {
    const res = await client.until(
      () => show(serverId, requestId, mv, user),
      (r) => r.status === 200 && r.body.instanceAction.events.every((e: any) => e.finish_time !== null),
    );
    return res.body.instanceAction;
  }
  const eventSummary = (action: any) => action.events.map((e: any) => [e.event, e.result]);

  describe("what operations record", () => {
    it("stop and start: the answer's request id, newest first, one compute event each", async () => {
      const vm = await server();
      slow("server.stop");
      const stop = await api("POST", `${S}/${vm}/action`, "2.1", { "os-stop": null });
      assert.equal(stop.status, 202);
      const stopId = requestIdOf(stop);
      assert.match(stopId, /^req-[0-9a-f-]{36}$/);
      // While the compute works: the event has started, not finished.
      const running = (await show(vm, stopId)).body.instanceAction;
      assert.deepEqual(eventSummary(running), [["compute_stop_instance", null]]);
      assert.equal(running.events[0].finish_time, null);
      assert.equal((await finished(vm, stopId)).events[0].result, "Success");

      const start = await api("POST", `${S}/${vm}/action`, "2.1", { "os-start": null });
      await finished(vm, requestIdOf(start));
      const actions = (await list(vm)).body.instanceActions;
      assert.deepEqual(
        actions.map((a: any) => a.action),
        ["start", "stop", "create"],
      );
      assert.equal(actions[1].request_id, stopId);
      const demo = sim.world.identity.findUser({ name: "demo" })!;
      assert.deepEqual([actions[1].user_id, actions[1].project_id], [demo.id, client.projectOf("demo")]);
      assert.deepEqual(eventSummary((await show(vm, actions[2].request_id)).body.instanceAction), [
        ["compute__do_build_and_run_instance", "Success"],
      ]);
    });

    it("a 2.101 attach: nothing until the conductor reserved the volume, then compute_attach_volume", async () => {
      const vm = await server();
      const vol = await volume();
      slow("volume.attach");
      const post = await api("POST", `${S}/${vm}/os-volume_attachments`, "2.101", {
        volumeAttachment: { volumeId: vol },
      });
      assert.equal(post.status, 202);
      const requestId = requestIdOf(post);
      const early = await show(vm, requestId);
      assert.equal(early.status, 404);
      assert.deepEqual(early.body, { itemNotFound: { code: 404, message: `Action ${requestId} not found` } });
      const action = await finished(vm, requestId);
      assert.equal(action.action, "attach_volume");
      assert.equal(action.message, null);
      assert.deepEqual(eventSummary(action), [["compute_attach_volume", "Success"]]);
      assert.equal(sim.world.cinder.volumes.get(vol)!.status, "in-use");

      const detach = await api("DELETE", `${S}/${vm}/os-volume_attachments/${vol}`, "2.101");
      const detached = await finished(vm, requestIdOf(detach));
      assert.equal(detached.action, "detach_volume");
      assert.deepEqual(eventSummary(detached), [["compute_detach_volume", "Success"]]);
    });

    it("a failed attach: Error on the compute event and the action's message, whatever the microversion", async () => {
      for (const mv of ["2.89", "2.101"]) {
        const vm = await server();
        const vol = await volume();
        await client.control("PATCH", `/nova/servers/${vm}`, { volumeAttachOutcome: "fail" });
        const post = await api("POST", `${S}/${vm}/os-volume_attachments`, mv, {
          volumeAttachment: { volumeId: vol },
        });
        const action = await finished(vm, requestIdOf(post));
        assert.equal(action.message, "Error", mv);
        assert.deepEqual(eventSummary(action), [["compute_attach_volume", "Error"]], mv);
        assert.ok(!("traceback" in action.events[0]), "no traceback for the owner");
        assert.equal(sim.world.cinder.volumes.get(vol)!.status, "available", "rolled back");
        const admin = (await show(vm, requestIdOf(post), "2.84", "admin")).body.instanceAction.events[0];
        assert.match(admin.traceback, /^Traceback \(most recent call last\):/);
        assert.equal(admin.details, `Volume ${vol} could not be attached. Reason: simulated attach failure`);
      }
    });

    it("an attach whose reservation fails at 2.101 records nothing (the conductor records after it)", async () => {
      const vm = await server();
      const vol = await volume();
      slow("volume.attach");
      const post = await api("POST", `${S}/${vm}/os-volume_attachments`, "2.101", {
        volumeAttachment: { volumeId: vol },
      });
      sim.world.cinder.volumes.get(vol)!.status = "error"; // Cinder refuses the reservation
      await client.until(
        async () => sim.world.transitions.log.filter((t) => t.objectId === vol).map((t) => t.to),
        (steps) => steps.includes("available"),
      );
      assert.equal((await show(vm, requestIdOf(post))).status, 404);
      assert.deepEqual(
        (await list(vm)).body.instanceActions.map((a: any) => a.action),
        ["create"],
      );
    });

    it("inline steps get api_ events: lock, unlock, a shelved-offloaded attach and detach; resetState none", async () => {
      const vm = await server();
      const lock = await api("POST", `${S}/${vm}/action`, "2.73", { lock: { locked_reason: "x" } });
      assert.deepEqual(eventSummary((await show(vm, requestIdOf(lock))).body.instanceAction), [
        ["api_lock", "Success"],
      ]);
      // The owner locking a locked server changes nothing and records nothing.
      const again = await api("POST", `${S}/${vm}/action`, "2.73", { lock: null });
      assert.equal(again.status, 202);
      assert.equal((await show(vm, requestIdOf(again))).status, 404);
      const unlock = await api("POST", `${S}/${vm}/action`, "2.1", { unlock: null });
      assert.deepEqual(eventSummary((await show(vm, requestIdOf(unlock))).body.instanceAction), [
        ["api_unlock", "Success"],
      ]);
      const reset = await api(
        "POST",
        `${S}/${vm}/action`,
        "2.1",
        { "os-resetState": { state: "active" } },
        "admin",
      );
      const resetAction = (await show(vm, requestIdOf(reset), "2.101", "admin")).body.instanceAction;
      assert.deepEqual([resetAction.action, resetAction.events], ["resetState", []]);

      await client.control("PATCH", `/nova/servers/${vm}`, { vmState: "shelved_offloaded" });
      const vol = await volume();
      const post = await api("POST", `${S}/${vm}/os-volume_attachments`, "2.101", {
        volumeAttachment: { volumeId: vol },
      });
      assert.deepEqual(eventSummary((await show(vm, requestIdOf(post))).body.instanceAction), [
        ["api_attach_volume", "Success"],
      ]);
      const detach = await api("DELETE", `${S}/${vm}/os-volume_attachments/${vol}`, "2.101");
      assert.deepEqual(eventSummary((await show(vm, requestIdOf(detach))).body.instanceAction), [
        ["api_detach_volume", "Success"],
      ]);
    });

    it("share attach and detach: compute_allow_share and compute_deny_share, Error when Manila refuses", async () => {
      const vm = await server();
      const stop = await api("POST", `${S}/${vm}/action`, "2.1", { "os-stop": null });
      await finished(vm, requestIdOf(stop));
      const share = async () => {
        const res = await api("POST", "/share/v2/shares", "2.82", { share: { share_proto: "NFS", size: 1 } });
        const id = res.body.share.id;
        await client.until(
          async () => sim.world.manila.shares.get(id)?.status,
          (s) => s === "available",
        );
        return id;
      };
      const good = await share();
      const attach = await api("POST", `${S}/${vm}/shares`, "2.97", { share: { share_id: good } });
      const attached = await finished(vm, requestIdOf(attach));
      assert.deepEqual(
        [attached.action, eventSummary(attached)],
        ["attach_share", [["compute_allow_share", "Success"]]],
      );
      await client.control("PATCH", `/manila/shares/${good}`, { denyOutcome: "refuse" });
      const detach = await api("DELETE", `${S}/${vm}/shares/${good}`, "2.97");
      const refused = await finished(vm, requestIdOf(detach));
      assert.deepEqual([refused.action, refused.message], ["detach_share", "Error"]);
      assert.deepEqual(eventSummary(refused), [["compute_deny_share", "Error"]]);

      sim.world.config.services.nova = { shareApplyPolicyTimeout: 2 };
      const bad = await share();
      await client.control("PATCH", `/manila/shares/${bad}`, { accessOutcome: "error" });
      const failing = await api("POST", `${S}/${vm}/shares`, "2.97", { share: { share_id: bad } });
      assert.deepEqual(eventSummary(await finished(vm, requestIdOf(failing))), [
        ["compute_allow_share", "Error"],
      ]);
    });
  });

  describe("fields per microversion and caller", () => {
    /** A finished, failed attach action on a fresh server of demo's. */
    async function failedAttach(): Promise<{ vm: string; requestId: string }> {
      const vm = await server();
      const vol = await volume();
      await client.control("PATCH", `/nova/servers/${vm}`, { volumeAttachOutcome: "fail" });
      const post = await api("POST", `${S}/${vm}/os-volume_attachments`, "2.101", {
        volumeAttachment: { volumeId: vol },
      });
      await finished(vm, requestIdOf(post));
      return { vm, requestId: requestIdOf(post) };
    }

    it("lists ACTION_KEYS, plus updated_at from 2.58, with naive microsecond times", async () => {
      const { vm } = await failedAttach();
      for (const [mv, keys] of [
        ["2.57", [...ACTION_KEYS].sort()],
        ["2.58", ACTION_KEYS_V258],
      ] as const) {
        const res = await list(vm, mv);
        assert.equal(res.status, 200);
        assert.deepEqual(Object.keys(res.body), ["instanceActions"], "no links below a full page");
        for (const a of res.body.instanceActions) {
          assert.deepEqual(Object.keys(a).sort(), keys, mv);
          assert.match(a.start_time, NAIVE_TIME);
        }
      }
      const [attach] = (await list(vm)).body.instanceActions;
      assert.equal(attach.message, "Error");
      assert.ok(attach.updated_at >= attach.start_time);
    });

    it("shows events to admins only below 2.51; from 2.51 to owners too, without traceback; hostId 2.62; details 2.84", async () => {
      const { vm, requestId } = await failedAttach();
      const eventKeys = async (mv: string, user: User) => {
        const action = (await show(vm, requestId, mv, user)).body.instanceAction;
        return action.events ? Object.keys(action.events[0]).sort() : undefined;
      };
      const sorted = (...extra: string[]) => [...EVENT_KEYS, ...extra].sort();
      const expected: [string, User, string[] | undefined][] = [
        ["2.50", "demo", undefined],
        ["2.50", "admin", sorted("traceback")],
        ["2.51", "demo", sorted()],
        ["2.51", "admin", sorted("traceback")],
        ["2.62", "demo", sorted("hostId")],
        ["2.62", "admin", sorted("traceback", "host", "hostId")],
        ["2.84", "demo", sorted("hostId")],
        ["2.84", "admin", sorted("traceback", "host", "hostId", "details")],
      ];
      for (const [mv, user, keys] of expected)
        assert.deepEqual(await eventKeys(mv, user), keys, `${mv} ${user}`);
      const action = (await show(vm, requestId, "2.84", "admin")).body.instanceAction;
      assert.deepEqual(Object.keys(action).sort(), [...ACTION_KEYS_V258, "events"].sort());
      const [event] = action.events;
      assert.equal(event.host, COMPUTE_HOST);
      const hostId = createHash("sha224")
        .update(client.projectOf("demo") + COMPUTE_HOST)
        .digest("hex");
      assert.equal(event.hostId, hostId, "hashed with the server's project, as the server view's hostId");
      assert.match(event.start_time, NAIVE_TIME);
      assert.match(event.finish_time, NAIVE_TIME);
    });
  });

  describe("paging and filters (2.58+)", () => {
    /** A server with five actions: create, then lock/unlock twice. */
    async function busyServer(): Promise<{ vm: string; ids: string[] }> {
      const vm = await server();
      for (const name of ["lock", "unlock", "lock", "unlock"]) {
        await api("POST", `${S}/${vm}/action`, "2.1", { [name]: null });
        await new Promise((r) => setTimeout(r, 3)); // distinct start times
      }
      const ids = (await list(vm)).body.instanceActions.map((a: any) => a.request_id);
      assert.equal(ids.length, 5);
      return { vm, ids };
    }

    it("pages with limit and marker (a request id), with a next link on a full page", async () => {
      const { vm, ids } = await busyServer();
      const page = await list(vm, "2.58", "demo", "?limit=2");
      assert.deepEqual(
        page.body.instanceActions.map((a: any) => a.request_id),
        ids.slice(0, 2),
      );
      const next = new URL(page.body.links[0].href);
      assert.equal(page.body.links[0].rel, "next");
      assert.equal(next.pathname, `${S}/${vm}/os-instance-actions`);
      assert.deepEqual(Object.fromEntries(next.searchParams), { limit: "2", marker: ids[1] });
      const second = await list(vm, "2.58", "demo", next.search);
      assert.deepEqual(
        second.body.instanceActions.map((a: any) => a.request_id),
        ids.slice(2, 4),
      );
      const last = await list(vm, "2.58", "demo", `?limit=2&marker=${ids[3]}`);
      assert.deepEqual(
        last.body.instanceActions.map((a: any) => a.request_id),
        [ids[4]],
      );
      assert.ok(!("links" in last.body));
      assert.deepEqual((await list(vm, "2.58", "demo", "?limit=0")).body.instanceActions, []);
    });

    it("filters on updated_at with changes-since (2.58) and changes-before (2.66)", async () => {
      const { vm, ids } = await busyServer();
      const [newest, , third] = (await list(vm)).body.instanceActions;
      const since = await list(vm, "2.58", "demo", `?changes-since=${third.updated_at}`);
      assert.deepEqual(
        since.body.instanceActions.map((a: any) => a.request_id),
        ids.slice(0, 3),
      );
      const before = await list(vm, "2.66", "demo", `?changes-before=${third.updated_at}`);
      assert.deepEqual(
        before.body.instanceActions.map((a: any) => a.request_id),
        ids.slice(2),
      );
      const both = await list(
        vm,
        "2.66",
        "demo",
        `?changes-since=${newest.updated_at}&changes-before=${third.updated_at}`,
      );
      assert.equal(both.status, 400);
      assert.equal(
        both.body.badRequest.message,
        "The value of changes-since must be less than or equal to changes-before.",
      );
    });

    it("400 for a bad marker, limit or time, and for unknown parameters (changes-before below 2.66); below 2.58 all are ignored", async () => {
      const { vm } = await busyServer();
      const cases: [string, string, string][] = [
        ["2.58", "?marker=req-nope", "Marker req-nope could not be found."],
        [
          "2.58",
          "?limit=-1",
          "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
        ],
        [
          "2.58",
          "?changes-since=yesterday",
          "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'",
        ],
        [
          "2.58",
          "?changes-before=2024-01-01T00:00:00Z",
          "Invalid input for query parameters changes-before. Value: 2024-01-01T00:00:00Z. Additional properties are not allowed ('changes-before' was unexpected)",
        ],
        [
          "2.66",
          "?sort=asc",
          "Invalid input for query parameters sort. Value: asc. Additional properties are not allowed ('sort' was unexpected)",
        ],
      ];
      for (const [mv, query, message] of cases) {
        const res = await list(vm, mv, "demo", query);
        assert.deepEqual([res.status, res.body.badRequest?.message], [400, message], `${mv} ${query}`);
      }
      const old = await list(vm, "2.57", "demo", "?limit=1&marker=req-nope&sort=asc");
      assert.equal(old.status, 200);
      assert.equal(old.body.instanceActions.length, 5);
    });
  });

  describe("errors and policy", () => {
    it("404 for another request id, another project's server and a missing server; 403 where policy denies", async () => {
      const vm = await server();
      const other = await server();
      const [create] = (await list(other)).body.instanceActions;
      const res = await show(vm, create.request_id);
      assert.deepEqual(
        [res.status, res.body.itemNotFound.message],
        [404, `Action ${create.request_id} not found`],
      );

      const admins = await server("admin");
      for (const path of [actionsPath(admins), actionsPath("7e6f2ff8-4b5f-4a53-a7b3-2d4c1c1f9f1e")]) {
        const r = await api("GET", path, "2.58");
        assert.equal(r.status, 404, path);
        assert.match(r.body.itemNotFound.message, /^Instance .* could not be found\.$/);
      }
      assert.equal((await list(vm, "2.58", "admin")).status, 200, "admins see every project's servers");

      sim.world.config.services.nova = {
        policyDenied: ["os_compute_api:os-instance-actions:list", "os_compute_api:os-instance-actions:show"],
      };
      for (const [r, rule] of [
        [await list(vm), "list"],
        [await show(vm, create.request_id), "show"],
      ] as const) {
        assert.deepEqual(
          [r.status, r.body.forbidden.message],
          [403, `Policy doesn't allow os_compute_api:os-instance-actions:${rule} to be performed.`],
        );
      }
    });

    it("show ignores query parameters up to 2.101 and refuses them from 2.102", async () => {
      const vm = await server();
      const [create] = (await list(vm)).body.instanceActions;
      const path = `${actionsPath(vm, create.request_id)}?x=1`;
      assert.equal((await api("GET", path, "2.101")).status, 200);
      const refused = await api("GET", path, "2.102");
      assert.equal(refused.status, 400);
      assert.match(
        refused.body.badRequest.message,
        /Additional properties are not allowed \('x' was unexpected\)/,
      );
    });
  });
});
