// getServerShareAttachments / getServerShareAttachment against the simulator, in a program's own process:
// credentials from pulumi.Config("openstack") (no provider configure), the cloud argument, admin-only
// fields, errors, the Output form.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { clearTokenCache } from "../../provider/openstack";
import { osEnvironment, type RunningSimulator } from "../../simulator/core/app";
import {
  getServerShareAttachment,
  getServerShareAttachmentOutput,
  getServerShareAttachments,
} from "../../sdk/lookups/serverShares";
import { startTestSimulator, type SimulatorClient } from "../support/simulatorClient";
import { SERVERS, createServer, createShare, useSimulatorClouds } from "../support/simulatorObjects";

const outputValue = <T>(output: pulumi.Output<T>): Promise<T> =>
  (output as unknown as { promise(): Promise<T> }).promise();

describe("lookups: server share attachments", () => {
  let sim: RunningSimulator;
  let client: SimulatorClient;
  let clouds: { restore(): void };
  let vm: string;
  let data: string;
  let logs: string;

  /** The program's stack config: the demo user (a member) of `target`, as `pulumi config set openstack:*` holds it. */
  function memberProgramConfig(target: RunningSimulator = sim): void {
    const env = osEnvironment(target, "demo");
    pulumi.runtime.setAllConfig(
      {
        "openstack:authUrl": env.OS_AUTH_URL,
        "openstack:userName": env.OS_USERNAME,
        "openstack:password": env.OS_PASSWORD,
        "openstack:tenantName": env.OS_PROJECT_NAME,
        "openstack:userDomainName": "Default",
        "openstack:projectDomainName": "Default",
      },
      ["openstack:password"],
    );
  }
  const attach = (shareId: string, tag: string) =>
    client.call("demo", "POST", `${SERVERS}/${vm}/shares`, {
      mv: "2.97",
      body: { share: { share_id: shareId, tag } },
    });

  before(async () => {
    ({ sim, client } = await startTestSimulator({}, 5));
    clouds = useSimulatorClouds(sim);
    clearTokenCache();
    memberProgramConfig();
    vm = await createServer(client, { stopped: true });
    [data, logs] = [await createShare(client), await createShare(client)];
    assert.equal((await attach(data, "data")).status, 201);
    assert.equal((await attach(logs, "logs")).status, 201);
  });
  after(async () => {
    pulumi.runtime.setAllConfig({});
    clouds.restore();
    await sim.close();
  });

  it("lists the shares of a server with the program's stack config", async () => {
    const result = await getServerShareAttachments({ serverId: vm });
    assert.equal(result.serverId, vm);
    assert.deepEqual(
      result.attachments.map((a) => [a.shareId, a.tag]).sort(),
      [
        [data, "data"],
        [logs, "logs"],
      ].sort(),
    );
    for (const a of result.attachments) assert.ok(["attaching", "inactive"].includes(a.status));
  });

  it("an empty server gives an empty list", async () => {
    const empty = await createServer(client, { stopped: true });
    assert.deepEqual(await getServerShareAttachments({ serverId: empty }), {
      serverId: empty,
      attachments: [],
    });
  });

  it("one attachment: admin-only fields only for an admin", async () => {
    const member = await getServerShareAttachment({ serverId: vm, shareId: data });
    assert.deepEqual(Object.keys(member).sort(), ["serverId", "shareId", "status", "tag"]);
    assert.equal(member.tag, "data");

    const admin = await getServerShareAttachment({ serverId: vm, shareId: data, cloud: "simulator" });
    const stored = [...sim.world.nova.shares.mappings.values()].find((m) => m.shareId === data)!;
    assert.equal(admin.uuid, stored.uuid);
    assert.equal(admin.exportLocation, stored.exportLocation);
  });

  it("the Output form", async () => {
    const result = await outputValue(
      getServerShareAttachmentOutput({ serverId: pulumi.output(vm), shareId: logs }),
    );
    assert.equal(result.tag, "logs");
  });

  it("clear errors: unknown server, share not attached, missing argument, cloud older than 2.97", async () => {
    const nobody = "0b5c7b4e-9e0f-4a7d-8c1e-2f3a4b5c6d7e";
    await assert.rejects(
      getServerShareAttachments({ serverId: nobody }),
      /getServerShareAttachments: server 0b5c7b4e.* does not exist/,
    );
    await assert.rejects(
      getServerShareAttachment({ serverId: nobody, shareId: data }),
      /server 0b5c7b4e.* does not exist/,
    );
    await assert.rejects(
      getServerShareAttachment({ serverId: vm, shareId: nobody }),
      new RegExp(`share ${nobody} is not attached to server ${vm}`),
    );
    await assert.rejects(
      getServerShareAttachments({} as any),
      /getServerShareAttachments: serverId is required/,
    );

    const old = await startTestSimulator({ microversions: { compute: { min: "2.1", max: "2.93" } } }, 5);
    try {
      memberProgramConfig(old.sim);
      await assert.rejects(
        getServerShareAttachments({ serverId: vm }),
        /compute API tops at 2\.93; microversion 2\.97 is needed/,
      );
    } finally {
      memberProgramConfig();
      await old.sim.close();
    }
  });
});
