import { strict as assert } from "assert";
import { AddressInfo } from "net";
import * as net from "net";
import {
  connect,
  isConflict,
  OpenStackError,
  resendUnlessApplied,
  retryWhileBusy,
  setLogger,
} from "../../../provider/openstack";
import { DEFAULT_RETRY, parseRetryAfter, retryDelay } from "../../../provider/openstack/retry";
import { FakeServer, noauthCredentials, startServer } from "./fakeServer";

const FAST = { retries: 3, baseDelayMs: 1, maxDelayMs: 4 };

describe("openstack/retry", () => {
  let server: FakeServer;
  const credentials = (url = server.url) => noauthCredentials({ compute: `${url}/v2.1` });
  const session = (extra: { timeoutMs?: number; retry?: object } = {}) =>
    connect({ credentials: credentials(), retry: FAST, ...extra });
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  /** Fails with `failure` the first `times` calls, then answers 200. */
  function flaky(method: string, path: string, times: number, failure: object) {
    let n = 0;
    server.route(method, path, () => (++n <= times ? failure : { status: 200, body: { ok: n } }));
  }

  for (const status of [502, 503, 504]) {
    it(`retries an idempotent call on ${status}`, async () => {
      flaky("GET", "/v2.1/servers", 2, { status, body: "<html><title>down</title></html>" });
      const res = await session().request("compute", "GET", "/servers");
      assert.deepEqual(res.data, { ok: 3 });
      assert.equal(server.count("GET", "/v2.1/servers"), 3);
    });
  }

  it("stops after the policy's retries with the last error", async () => {
    server.route("GET", "/v2.1/servers", {
      status: 503,
      body: { serviceUnavailable: { code: 503, message: "try later" } },
    });
    await assert.rejects(
      session().request("compute", "GET", "/servers"),
      (e: Error) => e instanceof OpenStackError && e.status === 503,
    );
    assert.equal(server.count("GET", "/v2.1/servers"), 4); // 1 + 3 retries
  });

  it("does not retry a non-idempotent call on 503 unless the caller marks it safe", async () => {
    server.route("POST", "/v2.1/servers/s/action", { status: 503, body: "" });
    await assert.rejects(
      session().request("compute", "POST", "/servers/s/action", { body: { "os-stop": null } }),
      /returned 503/,
    );
    assert.equal(server.count("POST", "/v2.1/servers/s/action"), 1);

    flaky("POST", "/v2.1/servers/t/action", 1, { status: 503, body: "" });
    await session().request("compute", "POST", "/servers/t/action", { body: {}, idempotent: true });
    assert.equal(server.count("POST", "/v2.1/servers/t/action"), 2);
  });

  it("does not retry 400, 404 or 409", async () => {
    for (const status of [400, 404, 409]) {
      server.route("GET", `/v2.1/s${status}`, { status, body: "" });
      await assert.rejects(session().request("compute", "GET", `/s${status}`));
      assert.equal(server.count("GET", `/v2.1/s${status}`), 1);
    }
  });

  it("retries an idempotent call after a dropped connection (socket hang up / ECONNRESET), not a POST", async () => {
    flaky("GET", "/v2.1/servers", 2, { destroy: true });
    await session().request("compute", "GET", "/servers");
    assert.equal(server.count("GET", "/v2.1/servers"), 3);

    server.route("POST", "/v2.1/servers", { destroy: true });
    await assert.rejects(session().request("compute", "POST", "/servers", { body: {} }), (e: Error) => {
      assert.ok(e instanceof OpenStackError && e.status === undefined, String(e));
      assert.match(e.message, /compute POST \/v2\.1\/servers failed \(ECONNRESET\)/);
      return true;
    });
    assert.equal(server.count("POST", "/v2.1/servers"), 1);
  });

  it("reuses connections for idempotent calls and opens a fresh one for a call that must not repeat", async () => {
    server.route("GET", "/v2.1/servers", { body: {} });
    server.route("POST", "/v2.1/servers", { status: 202, body: {} });
    const s = session();
    await s.request("compute", "GET", "/servers");
    await s.request("compute", "GET", "/servers");
    await s.request("compute", "POST", "/servers", { body: {} });
    await s.request("compute", "POST", "/servers", { body: {} });
    const [get1, get2, post1, post2] = server.requests.map((r) => r.remotePort);
    assert.equal(get1, get2);
    assert.equal(new Set([get1, post1, post2]).size, 3, JSON.stringify([get1, get2, post1, post2]));
  });

  it("retries a refused connection for any method (the request never left)", async () => {
    // a port that was free a moment ago: nothing listens there
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const lines: string[] = [];
    setLogger({ debug: (m) => lines.push(m), info: () => {}, warn: () => {} });
    try {
      const s = connect({ credentials: credentials(`http://127.0.0.1:${port}`), retry: FAST });
      await assert.rejects(s.request("compute", "POST", "/servers", { body: {} }), /failed \(ECONNREFUSED\)/);
    } finally {
      setLogger(undefined);
    }
    assert.equal(lines.filter((l) => l.startsWith("retrying")).length, 3);
  });

  it("times out a slow request, retrying it only when idempotent", async () => {
    server.route("GET", "/v2.1/slow", { delayMs: 300, body: {} });
    await assert.rejects(
      session({ timeoutMs: 40 }).request("compute", "GET", "/slow"),
      /failed \(ETIMEDOUT\)/,
    );
    assert.equal(server.count("GET", "/v2.1/slow"), 4);
    server.route("POST", "/v2.1/slow", { delayMs: 300, body: {} });
    await assert.rejects(
      session().request("compute", "POST", "/slow", { body: {}, timeoutMs: 40 }),
      /ETIMEDOUT/,
    );
    assert.equal(server.count("POST", "/v2.1/slow"), 1);
  });

  it("honours Retry-After on 429, for any method", async () => {
    const times: number[] = [];
    let n = 0;
    server.route("POST", "/v2.1/servers", () => {
      times.push(Date.now());
      return ++n === 1
        ? {
            status: 429,
            headers: { "retry-after": "1" },
            body: { overLimit: { code: 429, message: "Rate limit" } },
          }
        : { status: 202, body: {} };
    });
    await session().request("compute", "POST", "/servers", { body: {} });
    assert.equal(times.length, 2);
    assert.ok(times[1] - times[0] >= 950, `waited only ${times[1] - times[0]} ms`);
  });

  it("honours the body's retryAfter on 413 overLimit", async () => {
    const times: number[] = [];
    let n = 0;
    server.route("GET", "/v2.1/servers", () => {
      times.push(Date.now());
      return ++n === 1
        ? { status: 413, body: { overLimit: { code: 413, message: "Over limit", retryAfter: "1" } } }
        : { body: {} };
    });
    await session().request("compute", "GET", "/servers");
    assert.ok(times[1] - times[0] >= 950, `waited only ${times[1] - times[0]} ms`);
  });

  it("fails at once when Retry-After is longer than the policy accepts; a plain 413 is final", async () => {
    server.route("GET", "/v2.1/a", { status: 429, headers: { "retry-after": "3600" }, body: "" });
    await assert.rejects(session().request("compute", "GET", "/a"), /returned 429/);
    assert.equal(server.count("GET", "/v2.1/a"), 1);
    server.route("PUT", "/v2.1/b", {
      status: 413,
      body: { badRequest: { code: 413, message: "Request Entity Too Large" } },
    });
    await assert.rejects(session().request("compute", "PUT", "/b", { body: {} }), /returned 413/);
    assert.equal(server.count("PUT", "/v2.1/b"), 1);
  });

  it("backs off exponentially with full jitter, capped", () => {
    const policy = { retries: 10, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 };
    const err = new OpenStackError({
      service: "compute",
      method: "GET",
      path: "/",
      status: 503,
      serviceMessage: "",
    });
    for (let attempt = 0; attempt < 10; attempt++) {
      const samples = Array.from({ length: 200 }, () => retryDelay(err, attempt, true, policy)!);
      const cap = Math.min(1000, 100 * 2 ** attempt);
      assert.ok(
        samples.every((d) => d >= 0 && d <= cap),
        `attempt ${attempt}`,
      );
      assert.ok(new Set(samples.map((d) => Math.round(d))).size > 20, "jitter spreads the delays");
      assert.ok(Math.max(...samples) > cap * 0.8, "the range is used up to the cap");
    }
    assert.equal(retryDelay(err, 10, true, policy), undefined);
  });

  it("by default retries a read often enough for the fault soak's rates (30 % of attempts failing)", () => {
    const err = new OpenStackError({
      service: "compute",
      method: "GET",
      path: "/",
      status: 503,
      serviceMessage: "",
    });
    let attempts = 1;
    while (retryDelay(err, attempts - 1, true, DEFAULT_RETRY) !== undefined) attempts++;
    // A 200-cycle soak makes about 10,000 calls outside waits: at most a 2 % chance that one of them fails.
    const failsOnceIn = 1 / 0.3 ** attempts;
    assert.ok(
      10_000 / failsOnceIn < 0.02,
      `${attempts} attempts: a call fails once in ${Math.round(failsOnceIn)}`,
    );
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    assert.equal(parseRetryAfter("5"), 5);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30);
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  describe("resendUnlessApplied", () => {
    const noAnswer = new OpenStackError({
      service: "compute",
      method: "POST",
      path: "/x",
      code: "ECONNRESET",
      serviceMessage: "",
    });
    const refused = new OpenStackError({
      service: "compute",
      method: "POST",
      path: "/x",
      status: 400,
      serviceMessage: "bad",
    });

    /** A send that fails as `outcomes` says, then answers "sent"; counts the sends. */
    function sender(outcomes: Error[]) {
      let sends = 0;
      return {
        send: async () => {
          const outcome = outcomes[sends++];
          if (outcome) throw outcome;
          return "sent";
        },
        sends: () => sends,
      };
    }

    it("sends again after a failure without an answer that left no trace, three times at most", async () => {
      const ok = sender([noAnswer, noAnswer, noAnswer]);
      assert.equal(await resendUnlessApplied(ok.send, { applied: async () => undefined }), "sent");
      assert.equal(ok.sends(), 4);
      const gives = sender([noAnswer, noAnswer, noAnswer, noAnswer]);
      await assert.rejects(resendUnlessApplied(gives.send, { applied: async () => undefined }), /ECONNRESET/);
      assert.equal(gives.sends(), 4);
    });

    it("uses what the cloud shows instead of sending again, and never resends after a real answer", async () => {
      const seen = sender([noAnswer]);
      assert.equal(await resendUnlessApplied(seen.send, { applied: async () => "found" }), "found");
      assert.equal(seen.sends(), 1);
      const answered = sender([refused]);
      await assert.rejects(resendUnlessApplied(answered.send, { applied: async () => undefined }), /400/);
      assert.equal(answered.sends(), 1);
    });
  });

  describe("retryWhileBusy", () => {
    const busy = {
      status: 409,
      body: {
        conflictingRequest: {
          code: 409,
          message: "Cannot 'attach_volume' instance S while it is in task_state powering-off",
        },
      },
    };

    it("repeats a call while the object is busy, then returns its result", async () => {
      flaky("POST", "/v2.1/servers/S/os-volume_attachments", 2, busy);
      const s = session();
      const res = await retryWhileBusy(
        () => s.request("compute", "POST", "/servers/S/os-volume_attachments", { body: {} }),
        {
          what: "attaching volume V to server S",
          timeoutMs: 5000,
          initialDelayMs: 5,
        },
      );
      assert.equal(res.status, 200);
      assert.equal(server.count("POST", "/v2.1/servers/S/os-volume_attachments"), 3);
    });

    it("throws any other 409 at once", async () => {
      server.route("POST", "/v2.1/x", {
        status: 409,
        body: { conflictingRequest: { code: 409, message: "already associated" } },
      });
      const s = session();
      await assert.rejects(
        retryWhileBusy(() => s.request("compute", "POST", "/x", { body: {} }), {
          what: "x",
          timeoutMs: 5000,
          initialDelayMs: 5,
        }),
        /already associated/,
      );
      assert.equal(server.count("POST", "/v2.1/x"), 1);
    });

    it("throws the last busy 409 at the deadline", async () => {
      server.route("POST", "/v2.1/y", busy);
      const s = session();
      const started = Date.now();
      await assert.rejects(
        retryWhileBusy(() => s.request("compute", "POST", "/y", { body: {} }), {
          what: "y",
          timeoutMs: 200,
          initialDelayMs: 5,
        }),
        (e: Error) => isConflict(e) && /task_state powering-off/.test(e.message),
      );
      assert.ok(Date.now() - started < 1000);
      assert.ok(server.count("POST", "/v2.1/y") >= 3);
    });
  });
});
