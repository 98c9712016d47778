import { strict as assert } from "assert";
import { sleep, withLock } from "../../../provider/openstack";

describe("openstack/lock", () => {
  it("runs calls with the same key one at a time, in call order", async () => {
    const events: string[] = [];
    const job = (name: string, ms: number) =>
      withLock("server:S", async () => {
        events.push(`start ${name}`);
        await sleep(ms);
        events.push(`end ${name}`);
        return name;
      });
    const results = await Promise.all([job("a", 30), job("b", 5), job("c", 1)]);
    assert.deepEqual(results, ["a", "b", "c"]);
    assert.deepEqual(events, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("lets different keys run side by side", async () => {
    const events: string[] = [];
    await Promise.all(
      ["S1", "S2"].map((key) =>
        withLock(key, async () => {
          events.push(`start ${key}`);
          await sleep(20);
          events.push(`end ${key}`);
        }),
      ),
    );
    assert.deepEqual(events.slice(0, 2).sort(), ["start S1", "start S2"]);
  });

  it("releases the lock when the call fails", async () => {
    await assert.rejects(
      withLock("k", async () => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await withLock("k", async () => "next"), "next");
  });
});
