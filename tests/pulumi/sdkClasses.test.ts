// The SDK classes against the public contract of design.md: type tokens, inputs sent as given, an Output
// field for every input and output, the secret output, clear errors for missing required inputs.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "../../sdk";
import { outputValue, registrationsOf } from "../support/serializedProvider";

interface Contract {
  create(name: string, args: any, opts?: pulumi.CustomResourceOptions): pulumi.CustomResource;
  /** Every input, with a value. */
  args: Record<string, unknown>;
  required: string[];
  /** What the cloud reports, under names distinct from the inputs. */
  reported: string[];
  secret: string[];
}

const contracts: Record<string, Contract> = {
  ServerShareAttachment: {
    create: (name, args, opts) => new sdk.ServerShareAttachment(name, args, opts),
    args: {
      serverId: "server-1",
      shareId: "share-1",
      tag: "data",
      powerPolicy: "require-stopped",
      timeoutSeconds: 120,
      cloud: "mycloud",
      region: "RegionTwo",
    },
    required: ["serverId", "shareId"],
    reported: ["status", "mountTag", "uuid", "exportLocation"],
    secret: [],
  },
  VolumeAttachment: {
    create: (name, args, opts) => new sdk.VolumeAttachment(name, args, opts),
    args: {
      serverId: "server-1",
      volumeId: "volume-1",
      device: "/dev/vdb",
      tag: "db",
      deleteOnTermination: true,
      timeoutSeconds: 120,
      cloud: "mycloud",
      region: "RegionTwo",
    },
    required: ["serverId", "volumeId"],
    reported: ["attachedDevice", "currentTag", "currentDeleteOnTermination", "attachmentId", "bdmUuid"],
    secret: [],
  },
  BlockStorageAttachment: {
    create: (name, args, opts) => new sdk.BlockStorageAttachment(name, args, opts),
    args: {
      volumeId: "volume-1",
      instanceId: "server-1",
      connector: { initiator: "iqn.1993-08.org.debian:01:abc", host: "compute-1", multipath: false },
      mode: "ro",
      complete: true,
      timeoutSeconds: 120,
      cloud: "mycloud",
      region: "RegionTwo",
    },
    required: ["volumeId"],
    reported: ["status", "attachMode", "connectionInfo"],
    secret: ["connectionInfo"],
  },
  ShareServer: {
    create: (name, args, opts) => new sdk.ShareServer(name, args, opts),
    args: {
      host: "manila@generic",
      identifier: "backend-server-7",
      shareNetworkId: "net-1",
      shareNetworkSubnetId: "subnet-1",
      driverOptions: { pool: "fast" },
      shareServerId: "share-server-1",
      resetStatus: "active",
      onDelete: "delete",
      forceUnmanage: true,
      timeoutSeconds: 120,
      cloud: "mycloud",
      region: "RegionTwo",
    },
    required: [],
    reported: [
      "status",
      "currentHost",
      "currentIdentifier",
      "currentShareNetworkId",
      "shareNetworkName",
      "shareNetworkSubnetIds",
      "projectId",
      "backendDetails",
      "isAutoDeletable",
      "taskState",
      "createdAt",
      "updatedAt",
      "scope",
    ],
    secret: [],
  },
};

describe("the SDK classes (public contract)", () => {
  for (const [kind, contract] of Object.entries(contracts)) {
    describe(kind, () => {
      it("registers with the type token pulumi-nodejs:dynamic/openstack-storage:<ClassName>", async () => {
        const [registration] = await registrationsOf(() => [contract.create("r", contract.args)]);
        assert.equal(registration.type, `pulumi-nodejs:dynamic/openstack-storage:${kind}`);
      });

      it("sends the inputs as given, plus __provider, and nothing for the outputs the cloud reports", async () => {
        const [registration] = await registrationsOf(() => [contract.create("r", contract.args)]);
        const { __provider, ...inputs } = registration.inputs;
        assert.equal(typeof __provider, "string");
        assert.deepEqual(inputs, contract.args);
        const minimal = Object.fromEntries(contract.required.map((key) => [key, contract.args[key]]));
        const [bare] = await registrationsOf(() => [contract.create("bare", minimal)]);
        assert.deepEqual(Object.keys(bare.inputs).sort(), [...contract.required, "__provider"].sort());
      });

      it("has an Output field for every input and every reported output", async () => {
        const reported = Object.fromEntries(contract.reported.map((key) => [key, `reported ${key}`]));
        let resource: any;
        await registrationsOf(() => [(resource = contract.create("r", contract.args))], {
          outputs: () => reported,
        });
        for (const [key, value] of Object.entries({ ...contract.args, ...reported })) {
          assert.ok(pulumi.Output.isInstance(resource[key]), `${key} is an Output`);
          assert.deepEqual(await outputValue(resource[key]), value, key);
        }
      });

      it(`marks ${contract.secret.join(", ") || "no output"} as secret, keeping the user's additionalSecretOutputs`, async () => {
        const [plain, withOption] = await registrationsOf(() => [
          contract.create("plain", contract.args),
          contract.create("with-option", contract.args, { additionalSecretOutputs: ["tag"] }),
        ]);
        assert.deepEqual(plain.additionalSecretOutputs, contract.secret);
        assert.deepEqual(withOption.additionalSecretOutputs.sort(), ["tag", ...contract.secret].sort());
      });

      for (const key of contract.required) {
        it(`refuses to be created without '${key}', naming it`, () => {
          const { [key]: _missing, ...args } = contract.args;
          assert.throws(
            () => contract.create("r", args),
            new RegExp(`${kind} r: the input '${key}' is required`),
          );
        });
      }
    });
  }
});
