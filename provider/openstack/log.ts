// Logging and secret redaction for the client core.
//
// Every line the core logs and every error message it builds passes through `redact()`, which replaces
// each registered secret value (passwords, tokens, application-credential secrets) with "***". The
// credential resolver and the Keystone client register what they read or receive; resources register
// anything else they know to be secret (e.g. Cinder connection info) with `registerSecret`.

/** Where the core's log lines go. Point it at Pulumi's log in a resource provider (`setLogger`). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {} };
let current: Logger = silent;
const secrets = new Set<string>();
let patterns: RegExp[] = [];
const REDACTED = "***";

/** Sends the core's log lines to `logger` (already redacted); `undefined` silences them again. */
export function setLogger(logger: Logger | undefined): void {
  current = logger ?? silent;
}

/** Marks a value as secret: from now on it is replaced by "***" in every log line and error message. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length === 0 || secrets.has(value)) return;
  secrets.add(value);
  patterns = [...secrets].sort((a, b) => b.length - a.length).map(secretPattern);
}

// A secret of 6+ characters is replaced wherever it occurs. A shorter one only where it stands alone
// (not inside a longer word), so that a 1-character test password does not shred every message.
function secretPattern(secret: string): RegExp {
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(secret.length >= 6 ? escaped : `(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, "g");
}

/** Replaces every registered secret in `text` with "***" (longest first, so overlapping secrets go whole). */
export function redact(text: string): string {
  if (patterns.length === 0 || !text) return text;
  let out = text;
  for (const pattern of patterns) out = out.replace(pattern, REDACTED);
  return out;
}

/** The core's logger: every message is redacted before it reaches the logger set with `setLogger`. */
export const log: Logger = {
  debug: (message) => current.debug(redact(message)),
  info: (message) => current.info(redact(message)),
  warn: (message) => current.warn(redact(message)),
};
