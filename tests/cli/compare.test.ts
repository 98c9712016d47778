// Which outputs count as drift: everything that is not an input, minus volatile ones; admin-only outputs
// missing on one side are "not visible"; secrets are compared without their values; encrypted ones are not.
import { strict as assert } from "assert";
import { compareOutputs, sameValue } from "../../cli/drift/compare";
import { ENCRYPTED, RecordedResource } from "../../cli/drift/stackExport";

function recorded(outputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
  return {
    urn: "urn:x",
    name: "x",
    kind: "K",
    id: "i",
    inputNames: ["serverId", "tag"],
    outputs,
    secretOutputs: [],
    ...extra,
  };
}

describe("drift: comparing recorded and live outputs", () => {
  it("never compares inputs (repeated verbatim) nor volatile outputs; compares everything else", () => {
    const result = compareOutputs(
      recorded({ serverId: "s", tag: "a", status: "active", updatedAt: "t1", scope: { region: "R" } }),
      { serverId: "other", tag: "b", status: "inactive", updatedAt: "t2", scope: { region: "R" }, extra: 1 },
      { volatile: ["updatedAt"] },
    );
    assert.deepEqual(result.changes, [
      { property: "extra", recorded: null, live: 1 },
      { property: "status", recorded: "active", live: "inactive" },
    ]);
    assert.deepEqual(result.notVisible, []);
    assert.deepEqual(result.notCompared, []);
  });

  it("treats null and absent alike, and ignores object key order but not array order", () => {
    assert.ok(sameValue(null, undefined));
    assert.ok(sameValue({ a: 1, b: [1, { c: null }] }, { b: [1, {}], a: 1 }));
    assert.ok(!sameValue([1, 2], [2, 1]));
    assert.ok(!sameValue({ a: 1 }, { a: "1" }));
    assert.ok(!sameValue("", null));
    assert.ok(!sameValue(0, false));
    assert.deepEqual(compareOutputs(recorded({ taskState: null }), {}, {}).changes, []);
  });

  it("admin-only: a value on one side only is 'not visible' (either way), two different values are drift", () => {
    const description = { adminOnly: ["uuid", "exportLocation"] };
    const readByMember = compareOutputs(recorded({ uuid: "u-1", exportLocation: "e" }), {}, description);
    assert.deepEqual(readByMember.notVisible, [
      { property: "exportLocation", visibleIn: "recorded" },
      { property: "uuid", visibleIn: "recorded" },
    ]);
    assert.deepEqual(readByMember.changes, []);
    const recordedByMember = compareOutputs(recorded({}), { uuid: "u-1" }, description);
    assert.deepEqual(recordedByMember.notVisible, [{ property: "uuid", visibleIn: "live" }]);
    const changed = compareOutputs(recorded({ uuid: "u-1" }), { uuid: "u-2" }, description);
    assert.deepEqual(changed.changes, [{ property: "uuid", recorded: "u-1", live: "u-2" }]);
    assert.deepEqual(changed.notVisible, []);
    // The same absence on an output that is not admin-only is drift.
    assert.deepEqual(compareOutputs(recorded({ uuid: "u-1" }), {}, {}).changes, [
      { property: "uuid", recorded: "u-1", live: null },
    ]);
  });

  it("secrets: compared when readable, reported without values; encrypted ones are not compared", () => {
    const secret = { auth_password: "chap-1" };
    const changed = compareOutputs(
      recorded({ connectionInfo: secret, token: "t-1" }, { secretOutputs: ["token"] }),
      { connectionInfo: { auth_password: "chap-2" }, token: "t-2" },
      { secret: ["connectionInfo"] },
    );
    assert.deepEqual(changed.changes, [
      { property: "connectionInfo", secret: true },
      { property: "token", secret: true },
    ]);
    assert.ok(!JSON.stringify(changed).includes("chap") && !JSON.stringify(changed).includes("t-2"));
    const same = compareOutputs(
      recorded({ connectionInfo: secret }),
      { connectionInfo: { ...secret } },
      { secret: ["connectionInfo"] },
    );
    assert.deepEqual(same.changes, []);
    const encrypted = compareOutputs(
      recorded({ connectionInfo: ENCRYPTED, connector: { host: ENCRYPTED } }, { inputNames: [] }),
      { connectionInfo: secret, connector: { host: "h" } },
      {},
    );
    assert.deepEqual(
      encrypted.notCompared.map((n) => n.property),
      ["connectionInfo", "connector"],
    );
    assert.deepEqual(encrypted.changes, []);
  });
});
