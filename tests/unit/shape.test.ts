import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadSample, samplesDir, shapeDiff } from "../support/shape";

describe("shapeDiff (sample comparison helper)", () => {
  it("finds missing, unexpected and retyped keys, including inside arrays", () => {
    const expected = { a: 1, b: { c: "x" }, list: [{ id: "1", n: null }] };
    const actual = {
      a: "1",
      b: {},
      extra: true,
      list: [
        { id: "2", n: null },
        { id: 3, n: null },
      ],
    };
    assert.deepEqual(shapeDiff(expected, actual).sort(), [
      "$.a: expected number, got string",
      "$.b.c: missing",
      "$.extra: unexpected",
      "$.list[].id: expected string, got number",
    ]);
  });

  it("accepts identical shapes and honours allowed paths", () => {
    assert.deepEqual(shapeDiff({ a: { b: null } }, { a: { b: null } }), []);
    assert.deepEqual(shapeDiff({ a: 1, b: 2 }, { a: 1 }, ["$.b"]), []);
  });

  it("loads the upstream samples from the shared folder", () => {
    const sample = loadSample("cinder/attachment-show-response.json") as any;
    assert.ok(sample.attachment.id);
  });

  it("takes the samples folder from OPENSTACK_API_SAMPLES when a clone has no shared folder above it", () => {
    const saved = process.env.OPENSTACK_API_SAMPLES;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "samples-"));
    try {
      process.env.OPENSTACK_API_SAMPLES = dir;
      assert.equal(samplesDir(), dir);
      process.env.OPENSTACK_API_SAMPLES = path.join(dir, "missing");
      assert.throws(() => samplesDir(), /OPENSTACK_API_SAMPLES=.*missing does not exist/);
    } finally {
      if (saved === undefined) delete process.env.OPENSTACK_API_SAMPLES;
      else process.env.OPENSTACK_API_SAMPLES = saved;
      fs.rmSync(dir, { recursive: true });
    }
  });
});
