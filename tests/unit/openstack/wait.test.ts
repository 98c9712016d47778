import { strict as assert } from "assert";
import {
  AbortedError,
  OpenStackError,
  retryWhileBusy,
  sleep,
  waitFor,
  WaitTimeoutError,
} from "../../../provider/openstack";
import {
  nextPollDelay,
  pauseAfterPoll,
  POLL_LATENCY_ALLOWANCE_MS,
  pollDelays,
} from "../../../provider/openstack/wait";

/**
 * A fake object whose state flips to "done" `afterMs` after creation, and not before its `minPolls`-th poll
 * (so that a test that needs the wait to see it busy does, however late a slow machine polls).
 */
function transition(afterMs: number, minPolls = 1) {
  const start = Date.now();
  const polls: number[] = [];
  return {
    polls,
    doneAt: start + afterMs,
    poll: async () => {
      const now = Date.now();
      polls.push(now);
      return now >= start + afterMs && polls.length >= minPolls
        ? { done: true as const, value: now }
        : { done: false as const, state: "BUSY" };
    },
  };
}

describe("openstack/wait", () => {
  it("polls at once and returns when the object is already there", async () => {
    const t = transition(0);
    await waitFor({ what: "x", timeoutMs: 1000, poll: t.poll });
    assert.equal(t.polls.length, 1);
  });

  it("starts near 50 ms and grows gently", () => {
    const delays = [50];
    let elapsed = 50;
    for (let i = 0; i < 12; i++) {
      delays.push(nextPollDelay(delays.at(-1)!, elapsed, 2000));
      elapsed += delays.at(-1)!;
    }
    assert.deepEqual(delays.slice(0, 4).map(Math.round), [50, 75, 113, 130]);
    for (let i = 1; i < delays.length; i++) assert.ok(delays[i] <= delays[i - 1] * 1.5 + 1e-9);
  });

  it("never lets a delay exceed max(150 ms, 15% of the time waited) less the latency allowance, nor the cap", () => {
    let delay = 50;
    for (let elapsed = 0; elapsed < 600_000; elapsed += delay) {
      delay = nextPollDelay(delay, elapsed, 2000);
      const bound = Math.max(150, 0.15 * elapsed) - POLL_LATENCY_ALLOWANCE_MS;
      assert.ok(delay <= bound + 1e-9, `delay ${delay} at ${elapsed}`);
      assert.ok(delay <= 2000);
    }
  });

  it("overshoots any transition by at most max(150 ms, 15%) (the schedule waitFor uses, simulated)", () => {
    for (let transitionMs = 1; transitionMs <= 600_000; transitionMs = Math.ceil(transitionMs * 1.07)) {
      const next = pollDelays();
      let t = 0; // polls at once, then after each delay
      while (t < transitionMs) t += next(t);
      const overshoot = t - transitionMs;
      assert.ok(
        overshoot <= Math.max(150, 0.15 * transitionMs),
        `${overshoot} ms late for a ${transitionMs} ms transition`,
      );
    }
  });

  it("keeps that bound when polls take time: a delay runs from the start of the previous poll", () => {
    for (const latencyMs of [0, 30, 100]) {
      for (let transitionMs = 1; transitionMs <= 600_000; transitionMs = Math.ceil(transitionMs * 1.07)) {
        const next = pollDelays();
        let t = 0; // when each poll starts; it answers latencyMs later
        while (t < transitionMs) t += latencyMs + pauseAfterPoll(next(t), latencyMs);
        const overshoot = t - transitionMs;
        assert.ok(
          overshoot <= Math.max(150, 0.15 * transitionMs),
          `${overshoot} ms late for a ${transitionMs} ms transition with ${latencyMs} ms polls`,
        );
      }
    }
  });

  it("keeps that bound when each poll reaches the service up to 20 ms late (a busy machine's timers)", () => {
    for (let transitionMs = 1; transitionMs <= 600_000; transitionMs = Math.ceil(transitionMs * 1.07)) {
      const next = pollDelays();
      // The worst case: the poll before the transition reached the service on time, the one after it late.
      let scheduled = 0;
      while (scheduled < transitionMs) scheduled += next(scheduled);
      const overshoot = scheduled + POLL_LATENCY_ALLOWANCE_MS - transitionMs;
      assert.ok(
        overshoot <= Math.max(150, 0.15 * transitionMs),
        `${overshoot} ms late for a ${transitionMs} ms transition`,
      );
    }
  });

  it("never polls a slow service back to back", () => {
    assert.equal(pauseAfterPoll(150, 40), 110);
    assert.equal(pauseAfterPoll(150, 400), 37.5);
  });

  it("times out at the deadline with the last state seen, polling once at the deadline", async () => {
    const t = transition(60_000);
    const started = Date.now();
    await assert.rejects(
      waitFor({ what: "server S to reach SHUTOFF", timeoutMs: 300, poll: t.poll }),
      (e: Error) =>
        e instanceof WaitTimeoutError &&
        /^timed out after \d+\.\d s waiting for server S to reach SHUTOFF \(now BUSY\)$/.test(e.message),
    );
    const took = Date.now() - started;
    assert.ok(took >= 300 && took < 2000, `took ${took} ms`);
    assert.ok(t.polls.at(-1)! - started >= 295, "the last poll is at the deadline");
  });

  it("reports progress at the interval asked for", async () => {
    const t = transition(450, 3);
    const messages: string[] = [];
    await waitFor({
      what: "server S to reach SHUTOFF",
      timeoutMs: 5000,
      poll: t.poll,
      progressIntervalMs: 100,
      onProgress: (m) => messages.push(m),
    });
    assert.ok(messages.length >= 1, "progress was reported");
    assert.match(messages[0], /^waiting for server S to reach SHUTOFF: \d+\.\d s \(now BUSY\)$/);
  });

  it("stops when its AbortSignal fires", async () => {
    const t = transition(60_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    const started = Date.now();
    await assert.rejects(
      waitFor({ what: "volume V to detach", timeoutMs: 10_000, poll: t.poll, signal: controller.signal }),
      (e: Error) =>
        e instanceof AbortedError && /cancelled while waiting for volume V to detach/.test(e.message),
    );
    assert.ok(Date.now() - started < 2000);
  });

  it("fails at once with what the poll throws", async () => {
    let polls = 0;
    await assert.rejects(
      waitFor({
        what: "x",
        timeoutMs: 5000,
        poll: async () => {
          if (++polls === 3) throw new Error("server went to ERROR");
          return { done: false };
        },
      }),
      /server went to ERROR/,
    );
    assert.equal(polls, 3);
  });

  describe("transient failures of a poll", () => {
    const failure = (status?: number) =>
      new OpenStackError({
        service: "compute",
        method: "GET",
        path: "/servers/s",
        status,
        code: status === undefined ? "ECONNRESET" : undefined,
        serviceMessage: status === undefined ? "socket hang up" : "Service Unavailable",
      });

    /** A poll that fails as `script` says ("503", "reset", "gone" = 404, or "done"), one entry per poll. */
    function scripted(script: string[]) {
      let polls = 0;
      const poll = async () => {
        const step = script[Math.min(polls++, script.length - 1)];
        if (step === "503") throw failure(503);
        if (step === "reset") throw failure();
        if (step === "gone") throw failure(404);
        return step === "done" ? { done: true as const, value: polls } : { done: false as const };
      };
      return { poll, polls: () => polls };
    }

    it("polls again after up to two in a row (connection reset, 429, 502-504)", async () => {
      const t = scripted(["503", "reset", "busy", "503", "503", "done"]);
      assert.equal(await waitFor({ what: "x", timeoutMs: 5000, poll: t.poll }), 6);
    });

    it("fails with the third in a row, and at once with any other error", async () => {
      const t = scripted(["503", "reset", "503", "done"]);
      await assert.rejects(waitFor({ what: "x", timeoutMs: 5000, poll: t.poll }), /503/);
      assert.equal(t.polls(), 3);
      const gone = scripted(["gone", "done"]);
      await assert.rejects(waitFor({ what: "x", timeoutMs: 5000, poll: gone.poll }), /404/);
      assert.equal(gone.polls(), 1);
    });

    it("never makes retryWhileBusy repeat a call that failed without an answer", async () => {
      const t = scripted(["reset", "done"]);
      await assert.rejects(retryWhileBusy(t.poll, { what: "attaching", timeoutMs: 5000 }), /ECONNRESET/);
      assert.equal(t.polls(), 1);
    });
  });

  it("sleep is abortable", async () => {
    const controller = new AbortController();
    const p = sleep(10_000, controller.signal);
    controller.abort();
    await assert.rejects(p, AbortedError);
    await assert.rejects(sleep(10, controller.signal), AbortedError);
  });
});
