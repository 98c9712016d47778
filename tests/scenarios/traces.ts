// A scenario's trace in a form two targets can be compared by: every request the client sent (service,
// method, path below the API root, status) and every step's outputs or error, with what differs by nature
// between targets (endpoints, ids, timestamps, request ids, generated names, addresses) replaced by
// placeholders.
// Between two steps each distinct request counts once, where it first appears: how often and in which
// rhythm a wait polls depends on timing, not on behaviour.
import type { TraceEntry } from "./engine";

/** What a target contributes to normalisation. */
export interface TraceNames {
  /** Literal strings and their placeholders (endpoint roots, the project id). */
  literals: Record<string, string>;
  /** Per service type, the path prefix the target's URLs have before the API root (e.g. "/share"). */
  pathPrefixes: Record<string, string>;
}

/** Output keys whose values are not compared, each with the reason (and where it is written down). */
export type MaskedKeys = Record<string, string>;

const REQUEST_ID = /req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;
const LOOPBACK = /127\.0\.0\.1:\d+/g;
/** Addresses: which ones a backend hands out depends on what else exists there (e.g. earlier runs' leftovers). */
const ADDRESS = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
/** The names targets give prerequisites (ApiTarget.label). */
const LABEL = /scenario-[0-9a-f]{8}/g;

/** The trace as lines, normalised (see above). */
export function normaliseTrace(trace: TraceEntry[], names: TraceNames, masked: MaskedKeys = {}): string[] {
  const ids = new Map<string, string>();
  const prefixes = Object.values(names.pathPrefixes).filter((p) => p !== "");
  const text = (value: string): string => {
    let out = value;
    for (const [literal, placeholder] of Object.entries(names.literals))
      out = out.split(literal).join(placeholder);
    // paths inside messages: "GET /compute/v2.1/servers/..." -> "GET /v2.1/servers/..."
    for (const prefix of prefixes) out = out.split(`${prefix}/v`).join("/v");
    return out
      .replace(LABEL, "<label>")
      .replace(REQUEST_ID, "<request-id>")
      .replace(UUID, (id) => {
        if (!ids.has(id)) ids.set(id, `<id${ids.size + 1}>`);
        return ids.get(id)!;
      })
      .replace(TIMESTAMP, "<time>")
      .replace(LOOPBACK, "<loopback>")
      .replace(ADDRESS, "<address>");
  };
  const lines: string[] = [];
  let segment = new Set<string>(); // the requests since the last step
  for (const entry of trace) {
    if ("request" in entry) {
      const [service, method, path, status] = entry.request.split(" ");
      const prefix = names.pathPrefixes[service] ?? "";
      const below = path.startsWith(prefix) ? path.slice(prefix.length) : path;
      const line = text(`${service} ${method} ${below} ${status}`);
      if (segment.has(line)) continue;
      segment.add(line);
      lines.push(line);
    } else {
      const outcome =
        entry.error !== undefined
          ? `error: ${entry.error}`
          : JSON.stringify(canonical(entry.outputs, masked) ?? null);
      lines.push(text(`${entry.step} ${entry.kind} -> ${outcome}`));
      segment = new Set();
    }
  }
  return lines;
}

/** Keys sorted; the values of masked keys replaced by "<masked>". */
function canonical(value: unknown, masked: MaskedKeys): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, masked));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [
        key,
        key in masked ? "<masked>" : canonical((value as Record<string, unknown>)[key], masked),
      ]),
  );
}

/** A line diff of two traces ("- " only in a, "+ " only in b, "  " both), empty when they agree. */
export function diffLines(a: string[], b: string[]): string[] {
  // longest common subsequence, then walk it
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  let differs = false;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push(`+ ${b[j++]}`);
      differs = true;
    } else {
      out.push(`- ${a[i++]}`);
      differs = true;
    }
  }
  return differs ? out : [];
}
