// The secret scan: every text the test run produces that a user could see (stdout and stderr, the client
// core's log lines, outputs and error messages of providers, provider hosts' stderr and answers, `__provider`
// texts, failed tests' errors) is captured, and at the end searched for every credential the run used. The
// root-hook plugin in secretScanHooks.ts installs the captures and runs the check; this file is the scanner
// and the capture functions other helpers call (they do nothing unless the plugin is active).
import { outputDescriptionFor } from "../../provider/resources";

/** A credential value found in a captured text. The value itself is never part of a report. */
export interface Leak {
  /** Where the text came from ("stdout", "core log", "VolumeAttachment.create outputs", ...). */
  source: string;
  /** What the value is ("simulator token", "CHAP password", ...), never the value. */
  label: string;
  /** The captured text around the hit, with the value replaced by «label». */
  context: string;
}

/** Values shorter than this are not searched: a 1-letter test password would match everywhere. */
export const MIN_SECRET_LENGTH = 6;
// Long values are found through a map keyed by their first KEY characters (one lookup per text position);
// the few values shorter than that are searched one by one.
const KEY = 12;

export class SecretScan {
  private readonly texts: { source: string; text: string }[] = [];
  private readonly labels = new Map<string, string>();
  private readonly byKey = new Map<string, string[]>();
  private readonly short: string[] = [];
  /** Values not searched because they are shorter than MIN_SECRET_LENGTH. */
  tooShort = 0;
  capturedBytes = 0;

  /** Adds a credential value to search for. */
  addValue(label: string, value: unknown): void {
    if (typeof value !== "string" || this.labels.has(value)) return;
    if (value.length < MIN_SECRET_LENGTH) {
      this.tooShort++;
      return;
    }
    this.labels.set(value, label);
    if (value.length < KEY) this.short.push(value);
    else {
      const key = value.slice(0, KEY);
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), value]);
    }
  }

  get valueCount(): number {
    return this.labels.size;
  }

  get textCount(): number {
    return this.texts.length;
  }

  /** Records a text a user could see. */
  capture(source: string, text: unknown): void {
    if (typeof text !== "string" || text.length === 0) return;
    this.texts.push({ source, text });
    this.capturedBytes += text.length;
  }

  /** Every credential value found in a captured text. */
  leaks(): Leak[] {
    const leaks: Leak[] = [];
    for (const { source, text } of this.texts) {
      for (const value of this.valuesIn(text)) {
        const at = text.indexOf(value);
        const label = this.labels.get(value)!;
        const context = (text.slice(Math.max(0, at - 80), at) + `«${label}»` + text.slice(at + value.length))
          .slice(0, 200)
          .replace(/\s+/g, " ");
        leaks.push({ source, label, context: this.mask(context) });
      }
    }
    return leaks;
  }

  private valuesIn(text: string): Set<string> {
    const found = new Set<string>();
    for (const value of this.short) if (text.includes(value)) found.add(value);
    if (this.byKey.size === 0) return found;
    for (let i = 0; i + KEY <= text.length; i++) {
      const candidates = this.byKey.get(text.slice(i, i + KEY));
      if (!candidates) continue;
      for (const value of candidates) if (text.startsWith(value, i)) found.add(value);
    }
    return found;
  }

  // A context may hold another value of the list: mask every one.
  private mask(text: string): string {
    let out = text;
    for (const value of this.valuesIn(text)) out = out.split(value).join(`«${this.labels.get(value)}»`);
    return out;
  }

  /** One line for the run's output: what was scanned and how many hits. */
  summary(leaks = this.leaks()): string {
    return (
      `secret scan: ${leaks.length} hit${leaks.length === 1 ? "" : "s"} ` +
      `(${this.textCount} texts, ${(this.capturedBytes / 1e6).toFixed(1)} MB, ${this.valueCount} credential values` +
      `${this.tooShort ? `; ${this.tooShort} shorter than ${MIN_SECRET_LENGTH} characters not searched` : ""})`
    );
  }

  /** Throws an error listing where each leak is (never the values themselves) when there is one. */
  check(): string {
    const leaks = this.leaks();
    const summary = this.summary(leaks);
    if (leaks.length === 0) return summary;
    const lines = leaks.slice(0, 20).map((l) => `  ${l.source}: ${l.label} in "${l.context}"`);
    if (leaks.length > 20) lines.push(`  ... and ${leaks.length - 20} more`);
    throw new Error(`${summary}\n${lines.join("\n")}`);
  }
}

// ------------------------------------------------------------------------------- the run's scan

let active: SecretScan | undefined;

/** Makes `scan` the run's scan (the root-hook plugin does this); captures go nowhere before. */
export function activateSecretScan(scan: SecretScan | undefined): void {
  active = scan;
}

export function runSecretScan(): SecretScan | undefined {
  return active;
}

/** Records a text a user could see, when the scan is active. */
export function captureText(source: string, text: unknown): void {
  active?.capture(source, text);
}

/** Adds a credential value to search for, when the scan is active. */
export function addSecretValue(label: string, value: unknown): void {
  active?.addValue(label, value);
}

/**
 * Records a value as JSON without the keys listed in `secretKeys`, at any depth: outputs a kind marks
 * secret (Cinder connection info) are meant to hold secrets.
 */
export function captureJson(source: string, value: unknown, secretKeys: readonly string[] = []): void {
  if (!active || value === undefined) return;
  const hidden = new Set(secretKeys);
  try {
    active.capture(
      source,
      JSON.stringify(value, (key, item) => (hidden.has(key) ? undefined : item)),
    );
  } catch {
    active.capture(source, String(value));
  }
}

/** Records an error's message, and the outputs and reasons a partial create carries. */
export function captureError(source: string, error: unknown, secretKeys: readonly string[] = []): void {
  if (!active || error === null || error === undefined) return;
  const e = error as { message?: unknown; stack?: unknown; properties?: unknown; reasons?: unknown };
  active.capture(`${source} error`, typeof e.stack === "string" ? e.stack : String(e.message ?? error));
  if (e.properties !== undefined) captureJson(`${source} error properties`, e.properties, secretKeys);
  if (e.reasons !== undefined) captureJson(`${source} error reasons`, e.reasons);
}

/** The outputs a kind marks secret (its implementation's `outputs.secret`); none for unknown kinds. */
function secretOutputsOf(kind: string | undefined): readonly string[] {
  if (!kind) return [];
  try {
    return outputDescriptionFor(kind).secret ?? [];
  } catch {
    return [];
  }
}

/**
 * Records one gRPC exchange with a provider host (providerHost.ts): the `__provider` text sent, and what
 * came back (properties, inputs, check failures, the error message). Configure requests carry the stack
 * config, credentials included, by design: their secret values are added to the values searched for.
 */
export function captureHostExchange(
  method: string,
  request: any,
  error: { message: string; initFailed?: { properties: unknown; reasons: string[] } } | undefined,
  response: any,
): void {
  if (!active) return;
  if (method === "configure") {
    // The credentials a test configures a host with are searched for too.
    for (const value of Object.values(request?.getArgs?.()?.toJavaScript?.() ?? {})) {
      const secret = (value as Record<string, unknown> | null)?.["4dabf18193072939515e22adb298388d"];
      if (secret !== undefined)
        active.addValue("a secret stack config value given to a provider host", (value as any).value);
    }
    return;
  }
  const urn: string | undefined = request?.getUrn?.();
  const kind = urn?.split("::")[2]?.split(":").pop();
  const secret = secretOutputsOf(kind);
  const source = `provider host ${kind ?? "?"}.${method}`;
  for (const getter of ["getProperties", "getNews", "getOlds"]) {
    const provider = request?.[getter]?.()?.toJavaScript?.()?.__provider;
    if (provider !== undefined) captureText(`${source} __provider`, provider);
  }
  if (error) {
    captureError(source, { message: error.message, ...error.initFailed }, secret);
    return;
  }
  for (const getter of ["getProperties", "getInputs"]) {
    const value = response?.[getter]?.()?.toJavaScript?.();
    if (value !== undefined) captureJson(`${source} ${getter.slice(3).toLowerCase()}`, value, secret);
  }
  const failures = response?.getFailuresList?.();
  if (failures?.length) {
    captureJson(
      `${source} failures`,
      failures.map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    );
  }
}
