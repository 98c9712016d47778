// The fast variant of the fault soak (bench/soak.ts; `npm run soak` runs 200 cycles): 10 attach/detach
// cycles of VolumeAttachment and ServerShareAttachment (on a running and on a stopped server) under 503s on
// 20 % of GETs, connection resets and 429s on 5 % of all requests and bursts of busy 409s. No failure may
// surface, nothing may be left attached, every server ends in its original power state.
import { strict as assert } from "assert";
import { runSoak, soakReport } from "../../bench/soak";

describe("fault soak (10 cycles)", function () {
  this.timeout(240_000);

  it("surfaces no failure, leaks no attachment and restores every server's power state", async () => {
    const result = await runSoak({ cycles: 10 });
    const report = soakReport(result);
    assert.ok(Object.keys(result.injected).length === 4, `every kind of fault was injected:\n${report}`);
    assert.deepEqual(result.failures, [], report);
    assert.deepEqual(result.leaked, [], report);
    for (const p of result.powerStates) {
      assert.equal(p.actual, p.expected, `${p.lane}\n${report}`);
      assert.equal(p.note, undefined, `${p.lane}: a power-restore note was left\n${report}`);
    }
  });
});
