// The secret scan (tests/support/secretScan.ts, installed for the whole run by secretScanHooks.ts) can fail:
// the scanner finds planted values and never prints them, and a real mocha run of a leaky test file with this
// repository's configuration fails on its scan.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { repoRoot } from "../support/buildDist";
import { MIN_SECRET_LENGTH, SecretScan } from "../support/secretScan";

describe("secret scan", () => {
  const token = "gAAAA" + "x".repeat(20) + "first";
  const sibling = "gAAAA" + "x".repeat(20) + "second"; // same first characters as `token`
  const chap = "chap-pass1"; // shorter than the scanner's index key

  function scanWith(texts: [string, string][]): SecretScan {
    const scan = new SecretScan();
    scan.addValue("simulator token", token);
    scan.addValue("simulator token", sibling);
    scan.addValue("CHAP password", chap);
    for (const [source, text] of texts) scan.capture(source, text);
    return scan;
  }

  it("finds each planted value, says where and what, and never repeats the value", () => {
    const scan = scanWith([
      ["stdout", `request failed with X-Auth-Token: ${token}\n`],
      ["client core log", "waiting for volume 1 to be attached: 1.2 s"],
      ["VolumeAttachment.create result", JSON.stringify({ note: `${chap} and ${sibling}` })],
    ]);
    const leaks = scan.leaks();
    assert.deepEqual(leaks.map((l) => [l.source, l.label]).sort(), [
      ["VolumeAttachment.create result", "CHAP password"],
      ["VolumeAttachment.create result", "simulator token"],
      ["stdout", "simulator token"],
    ]);
    assert.match(leaks.find((l) => l.source === "stdout")!.context, /X-Auth-Token: «simulator token»/);
    assert.throws(
      () => scan.check(),
      (error: Error) => {
        assert.match(error.message, /^secret scan: 3 hits \(3 texts/);
        for (const value of [token, sibling, chap]) assert.ok(!error.message.includes(value));
        return true;
      },
    );
  });

  it("passes on clean texts and reports what it searched", () => {
    const scan = scanWith([["stdout", "gAAAA is how tokens start; chap-pass is not the password"]]);
    scan.addValue("a 1-letter test password", "p");
    assert.deepEqual(scan.leaks(), []);
    assert.equal(
      scan.check(),
      `secret scan: 0 hits (1 texts, 0.0 MB, 3 credential values; 1 shorter than ${MIN_SECRET_LENGTH} characters not searched)`,
    );
  });

  it("fails a real mocha run (this repository's .mocharc.json) of a test file that leaks", function () {
    this.timeout(120_000);
    const fixture = path.join("tests", "safety", "fixtures", "leak.fixture.ts");
    const run = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), fixture], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    const output = run.stdout + run.stderr;
    assert.notEqual(run.status, 0, output.slice(-2000));
    assert.match(output, /secret scan: 2 hits/);
    assert.match(
      output,
      /stdout: token issued by a simulator in "debugging: token «token issued by a simulator»/,
    );
    assert.match(
      output,
      /failed test "a leaky test file fails with the demo user's password in its message" error: password of simulator user demo/,
    );
  });
});
