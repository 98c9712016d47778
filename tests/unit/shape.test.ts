import { strict as assert } from "assert";
import { loadSample, shapeDiff } from "../support/shape";

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
});
