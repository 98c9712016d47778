// The fast variant of the fault soak (bench/soak.ts; `npm run soak` runs 200 cycles): 10 attach/detach
// cycles of VolumeAttachment and ServerShareAttachment (on a running and on a stopped server) under 503s on
// 20 % of GETs, connection resets and 429s on 5 % of all requests and bursts of busy 409s. No failure may
// surface, nothing may be left attached, every server ends in its original power state. The fault rules
// themselves are checked to hit those shares of the requests. The transport's backoff starts at 25 ms
// instead of 250 ms: the simulator's faults do not depend on time, so the retries are the same, only sooner.
import { strict as assert } from "assert";
import { SOAK_FAULTS, SOAK_RATES, runSoak, soakReport } from "../../bench/soak";
import { FaultInjector } from "../../simulator/core/faultInjection";

describe("fault soak (10 cycles)", function () {
  this.timeout(240_000);

  it("its fault rules hit the stated shares: 503 on 20 % of GETs, resets and 429s on 5 % of all requests", () => {
    const injector = new FaultInjector(7);
    for (const rule of SOAK_FAULTS) injector.add(rule);
    const hits: Record<string, number> = {};
    let gets = 0;
    const total = 200_000;
    for (let i = 0; i < total; i++) {
      const method = i % 5 < 3 ? "GET" : i % 5 === 3 ? "POST" : "DELETE"; // the soak's mix: mostly polls
      if (method === "GET") gets++;
      const rule = injector.match(method, "/compute/v2.1/servers/s-1/os-volume_attachments");
      if (!rule) continue;
      const kind = rule.action === "reset" ? "reset" : `${rule.status} ${method === "GET" ? "GET" : "other"}`;
      hits[kind] = (hits[kind] ?? 0) + 1;
      if (rule.status === 429 && rule.retryAfter === 1) hits.slow = (hits.slow ?? 0) + 1;
    }
    // Within three standard deviations of the sample (at most 0.4 points; 1.2 for the share of the 429s).
    const near = (what: string, share: number, expected: number, within = 0.004) =>
      assert.ok(Math.abs(share - expected) < within, `${what}: ${(100 * share).toFixed(2)} %`);
    near("503 of GETs", hits["503 GET"] / gets, SOAK_RATES.getUnavailable);
    assert.equal(hits["503 other"], undefined, "503s only on GETs");
    near("resets of all requests", hits.reset / total, SOAK_RATES.reset);
    near("429s of GETs", hits["429 GET"] / gets, SOAK_RATES.tooManyRequests);
    near("429s of other requests", hits["429 other"] / (total - gets), SOAK_RATES.tooManyRequests);
    const tooMany = hits["429 GET"] + hits["429 other"];
    near("429s with Retry-After: 1", hits.slow / tooMany, SOAK_RATES.slowRetryAfterShare, 0.012);
  });

  it("surfaces no failure, leaks no attachment and restores every server's power state", async () => {
    const result = await runSoak({ cycles: 10, retryBaseDelayMs: 25 });
    const report = soakReport(result);
    assert.deepEqual(
      Object.keys(result.injected).sort(),
      ["409", "429", "429 Retry-After 1", "503", "reset"],
      `every kind of fault was injected:\n${report}`,
    );
    assert.equal(result.bursts, 2, report);
    assert.deepEqual(result.failures, [], report);
    assert.deepEqual(result.leaked, [], report);
    for (const p of result.powerStates) {
      assert.equal(p.actual, p.expected, `${p.lane}\n${report}`);
      assert.equal(p.note, undefined, `${p.lane}: a power-restore note was left\n${report}`);
    }
    assert.match(report, /^0 failures surfaced$/m);
    assert.match(report, /^0 attachments leaked$/m);
    assert.match(report, /^every server back in its original power state \(ACTIVE, ACTIVE, SHUTOFF\)/m);
  });
});
