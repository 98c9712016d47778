// Compares the shape of a JSON document (keys, value types, nesting) with a reference sample, such as the
// upstream api-ref samples in ../shared/openstack-api/samples. Values are not compared.
import * as fs from "fs";
import * as path from "path";

/**
 * The upstream samples live in the team's shared folder beside the project (../shared/openstack-api/samples);
 * it is searched for upward from the project, so worktrees find it too (CI: a clone with ../shared beside it).
 * A clone elsewhere names the folder with OPENSTACK_API_SAMPLES. They are not copied into the repo.
 */
export function samplesDir(): string {
  const given = process.env.OPENSTACK_API_SAMPLES;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`OPENSTACK_API_SAMPLES=${given} does not exist`);
    return given;
  }
  const project = path.resolve(__dirname, "..", "..");
  for (let dir = project; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "openstack-api", "samples");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir)
      throw new Error(
        `shared/openstack-api/samples not found in ${project} or above it: put the team's shared folder ` +
          "beside the project, or set OPENSTACK_API_SAMPLES to its openstack-api/samples",
      );
  }
}

export function loadSample(relative: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(samplesDir(), relative), "utf8"));
}

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Every difference in shape between `expected` and `actual`, as "$.a.b: ..." lines (empty when they match).
 * Arrays: each element of `actual` is compared with the first element of `expected`.
 * `allow` lists paths (with [] for array elements, e.g. "$.share.uuid") whose type may differ or that may
 * be missing on either side; say in the test why each is allowed.
 */
export function shapeDiff(expected: unknown, actual: unknown, allow: string[] = [], at = "$"): string[] {
  if (allow.includes(at)) return [];
  const te = typeOf(expected);
  const ta = typeOf(actual);
  if (te !== ta) return [`${at}: expected ${te}, got ${ta}`];
  if (te === "array") {
    const [first] = expected as unknown[];
    if (first === undefined) return [];
    return (actual as unknown[]).flatMap((item) => shapeDiff(first, item, allow, `${at}[]`));
  }
  if (te !== "object") return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
    const p = `${at}.${key}`;
    if (allow.includes(p)) continue;
    if (!(key in a)) out.push(`${p}: missing`);
    else if (!(key in e)) out.push(`${p}: unexpected`);
    else out.push(...shapeDiff(e[key], a[key], allow, p));
  }
  return out;
}
