// ShareServer on Manila: manage, reset status, unmanage, delete, adopt, and the lookups.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import type { ShareServerInputs, ShareServerOutputs } from "../../provider/resources/shareServer";
import { getShareServer, getShareServers } from "../../sdk/lookups/shareServers";
import { openstackProgramConfig, setProgramConfig, withEnvironment } from "../support/environment";
import { Engine } from "./engine";
import { Scenario, assertRepeatsInputs, rejection, without, SCENARIO_TIMEOUT_SECONDS } from "./scenario";
import type { ScenarioTarget, ShareNetwork } from "./target";

const KIND = "ShareServer";

function shareServer(engine: Engine) {
  return engine.resource<ShareServerInputs, ShareServerOutputs>(KIND);
}

/** A backend server and the inputs that manage it. */
async function manageInputs(
  target: ScenarioTarget,
): Promise<{ net: ShareNetwork; inputs: ShareServerInputs }> {
  const net = await target.shareNetwork();
  const identifier = await target.backendShareServer(net);
  return {
    net,
    inputs: {
      host: target.shareBackendHost,
      identifier,
      shareNetworkId: net.id,
      timeoutSeconds: SCENARIO_TIMEOUT_SECONDS,
    },
  };
}

export const shareServerScenarios: Scenario[] = [
  {
    kind: KIND,
    title: "manage, read, reset status in place (error, then active), read, unmanage; manage it again",
    async run(target, engine) {
      const { net, inputs } = await manageInputs(target);
      const server = shareServer(engine);
      const outs = await server.create(inputs);
      assertRepeatsInputs(outs, inputs);
      assert.equal(outs.status, "active");
      assert.equal(outs.currentHost, inputs.host);
      assert.equal(outs.currentIdentifier, inputs.identifier);
      assert.equal(outs.currentShareNetworkId, net.id);
      assert.deepEqual(outs.shareNetworkSubnetIds, [net.subnetId]);
      assert.equal(outs.isAutoDeletable, false, "a managed server is never deleted with its last share");
      assert.equal(await target.shareServerStatus(server.id!), "active");
      assert.deepEqual(without(await server.read(), "updatedAt"), without(outs, "updatedAt"));

      for (const status of ["error", "active"]) {
        const { diff, outputs } = await server.update({ ...inputs, resetStatus: status });
        assert.deepEqual(diff.replaces, [], "resetStatus changes in place");
        assert.equal(outputs.status, status);
        assert.equal(outputs.resetStatus, status);
        assert.equal(await target.shareServerStatus(server.id!), status);
        assert.equal((await server.read())?.status, status);
      }
      // An unchanged resetStatus is never applied again (an action input, not a desired state).
      engine.clearRequests();
      const again = await server.update({ ...inputs, resetStatus: "active" });
      assert.equal(again.diff.changes, false);
      assert.deepEqual(engine.mutations(), []);

      const id = server.id!;
      await server.delete(); // onDelete defaults to "unmanage" for a managed server
      assert.equal(await target.shareServerStatus(id), undefined);
      assert.deepEqual(await target.shareServersOn(net.id), []);

      // Unmanaged, it is a backend server again: the same inputs manage it once more.
      const second = shareServer(engine);
      const outsAgain = await second.create(inputs);
      assert.notEqual(second.id, id, "a new Manila record");
      assert.equal(outsAgain.status, "active");
      assert.equal(outsAgain.currentIdentifier, inputs.identifier);
    },
  },
  {
    kind: KIND,
    title: "manage with resetStatus at create, then delete it (onDelete delete)",
    async run(target, engine) {
      const { net, inputs } = await manageInputs(target);
      const server = shareServer(engine);
      const withReset = { ...inputs, resetStatus: "error", onDelete: "delete" as const };
      const outs = await server.create(withReset);
      assertRepeatsInputs(outs, withReset);
      assert.equal(outs.status, "error");
      assert.equal(await target.shareServerStatus(server.id!), "error");
      await server.delete();
      assert.deepEqual(await target.shareServersOn(net.id), []);
    },
  },
  {
    kind: KIND,
    title: "manage of an identifier the backend does not have fails clearly and leaves nothing in Manila",
    async run(target, engine) {
      const net = await target.shareNetwork();
      const identifier = `scenario-unknown-${randomUUID()}`;
      const err = await rejection(
        shareServer(engine).create({
          host: target.shareBackendHost,
          identifier,
          shareNetworkId: net.id,
          timeoutSeconds: SCENARIO_TIMEOUT_SECONDS,
        }),
      );
      assert.match(err.message, new RegExp(`managing backend share server "${identifier}"`));
      assert.match(err.message, /to manage_error/);
      assert.match(err.message, /was unmanaged, so nothing is left in Manila/);
      assert.deepEqual(await target.shareServersOn(net.id), []);
    },
  },
  {
    kind: KIND,
    title:
      "adopt a server a share uses: read, retain by default, unmanage and delete refused while in use, delete once unused",
    async run(target, engine) {
      const net = await target.shareNetwork();
      const { shareId, shareServerId } = await target.share(net);
      const server = shareServer(engine);
      const outs = await server.create({ shareServerId });
      assertRepeatsInputs(outs, { shareServerId });
      assert.equal(server.id, shareServerId);
      assert.equal(outs.status, "active");
      assert.equal(outs.currentHost, target.shareBackendHost);
      assert.equal(outs.currentShareNetworkId, net.id);
      assert.deepEqual(without(await server.read(), "updatedAt"), without(outs, "updatedAt"));

      // onDelete changes in place without an API call.
      engine.clearRequests();
      const { diff } = await server.update({ shareServerId, onDelete: "unmanage" });
      assert.deepEqual(diff.replaces, []);
      assert.deepEqual(engine.mutations(), []);
      const unmanage = await rejection(server.delete());
      assert.match(unmanage.message, new RegExp(`these shares still use it: .*${shareId}`));
      assert.equal(await target.shareServerStatus(shareServerId), "active");

      await server.update({ shareServerId, onDelete: "delete" });
      const remove = await rejection(server.delete());
      assert.match(remove.message, new RegExp(`these shares still use it: .*${shareId}`));
      assert.equal(await target.shareServerStatus(shareServerId), "active");

      // Back to the default for an adopted server: destroying the resource leaves the server alone.
      await server.update({ shareServerId });
      engine.clearRequests();
      await server.delete();
      assert.deepEqual(engine.mutations(), [], "retain makes no API call");
      assert.equal(await target.shareServerStatus(shareServerId), "active");

      await target.deleteShare(shareId);
      const again = shareServer(engine);
      await again.create({ shareServerId, onDelete: "delete" });
      await again.delete();
      assert.equal(await target.shareServerStatus(shareServerId), undefined);
      assert.equal(await again.read(), undefined, "a refresh finds it gone");
    },
  },
  {
    kind: KIND,
    title:
      "manage; a second manage of it is refused (adopt instead); a new share lands on it; unmanage refused while used, delete once unused",
    async run(target, engine) {
      const { net, inputs } = await manageInputs(target);
      const server = shareServer(engine);
      await server.create(inputs);
      engine.clearRequests();
      const twice = await rejection(shareServer(engine).create(inputs));
      assert.match(
        twice.message,
        new RegExp(`Manila already has it as share server ${server.id} \\(status active`),
      );
      assert.match(twice.message, new RegExp(`adopt it: give shareServerId: "${server.id}"`));
      assert.deepEqual(engine.mutations(), [], "found before any POST");

      const { shareId, shareServerId } = await target.share(net);
      assert.equal(shareServerId, server.id, "the share manager reuses the managed server");
      const inUse = await rejection(server.delete());
      assert.match(inUse.message, new RegExp(`these shares still use it: .*${shareId}`));
      assert.equal(await target.shareServerStatus(server.id!), "active");
      await target.deleteShare(shareId);
      await server.update({ ...inputs, onDelete: "delete" });
      await server.delete();
      assert.equal(await target.shareServerStatus(server.id!), undefined);
    },
  },
  {
    kind: KIND,
    title: "adopt with resetStatus at create, reset it back, unmanage it (onDelete unmanage), manage it back",
    async run(target, engine) {
      const net = await target.shareNetwork();
      const { shareId, shareServerId } = await target.share(net);
      await target.deleteShare(shareId);
      const adopted = shareServer(engine);
      const adopt = { shareServerId, resetStatus: "error", onDelete: "unmanage" as const };
      const outs = await adopted.create(adopt);
      assert.equal(outs.status, "error");
      assert.equal(await target.shareServerStatus(shareServerId), "error");
      const { outputs } = await adopted.update({ ...adopt, resetStatus: "active" });
      assert.equal(outputs.status, "active");
      await adopted.delete();
      assert.equal(await target.shareServerStatus(shareServerId), undefined);

      const managed = shareServer(engine);
      const back = await managed.create({
        host: target.shareBackendHost,
        identifier: outs.currentIdentifier,
        shareNetworkId: net.id,
        timeoutSeconds: SCENARIO_TIMEOUT_SECONDS,
      });
      assert.equal(back.status, "active");
      assert.equal(back.currentIdentifier, outs.currentIdentifier);
      assert.equal(back.isAutoDeletable, false);
      assert.deepEqual(back.backendDetails, outs.backendDetails, "the backend's own server again");
    },
  },
  {
    kind: KIND,
    title: "lookups: getShareServers by host and share network, getShareServer with backend details",
    async run(target, engine) {
      const { net, inputs } = await manageInputs(target);
      const server = shareServer(engine);
      const outs = await server.create(inputs);
      const lookUp = async () => {
        const listed = await getShareServers({ host: target.shareBackendHost, shareNetworkId: net.id });
        assert.deepEqual(
          listed.map((s) => [s.id, s.status, s.host, s.identifier]),
          [[server.id, "active", target.shareBackendHost, inputs.identifier]],
        );
        assert.deepEqual(await getShareServers({ shareNetworkId: net.id, status: "error" }), []);
        const one = await getShareServer({ shareServerId: server.id! });
        assert.equal(one.id, server.id);
        assert.equal(one.shareNetworkId, net.id);
        assert.deepEqual(one.backendDetails, outs.backendDetails);
        assert.equal(typeof one.createdAt, "string");
      };
      // in a Pulumi program (its stack config) and in a pipeline (OS_* variables)
      setProgramConfig(openstackProgramConfig(target.stackConfig));
      try {
        await lookUp();
      } finally {
        setProgramConfig({});
      }
      await withEnvironment(target.environment, lookUp);
    },
  },
];
