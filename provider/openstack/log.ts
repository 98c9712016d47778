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
const REDACTED = "***";

// A secret of 6+ characters is replaced wherever it occurs. A shorter one only where it stands alone
// (not inside a longer word), so that a 1-character test password does not shred every message.
const SHORT = 6;
// Long secrets by their first SHORT characters, each list longest first: `redact` looks up every position of
// the text once, so its cost does not grow with the number of secrets (a drift run over thousands of Cinder
// attachments registers thousands of connection-info secrets).
const longByPrefix = new Map<string, string[]>();
const shortSecrets = new Set<string>();
let shortPattern: RegExp | undefined;

/** Sends the core's log lines to `logger` (already redacted); `undefined` silences them again. */
export function setLogger(logger: Logger | undefined): void {
  current = logger ?? silent;
}

/** Marks a value as secret: from now on it is replaced by "***" in every log line and error message. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length === 0) return;
  if (value.length < SHORT) {
    if (shortSecrets.has(value)) return;
    shortSecrets.add(value);
    const escaped = [...shortSecrets]
      .sort((a, b) => b.length - a.length)
      .map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    shortPattern = new RegExp(`(?<![A-Za-z0-9])(?:${escaped.join("|")})(?![A-Za-z0-9])`, "g");
    return;
  }
  const prefix = value.slice(0, SHORT);
  const list = longByPrefix.get(prefix) ?? [];
  if (list.includes(value)) return;
  list.push(value);
  list.sort((a, b) => b.length - a.length);
  longByPrefix.set(prefix, list);
}

/** Replaces every registered secret in `text` with "***" (at each place the longest secret that starts there). */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  if (longByPrefix.size > 0) {
    let redacted = "";
    let copied = 0;
    for (let i = 0; i <= out.length - SHORT;) {
      const secret = longByPrefix.get(out.slice(i, i + SHORT))?.find((s) => out.startsWith(s, i));
      if (secret) {
        redacted += out.slice(copied, i) + REDACTED;
        i += secret.length;
        copied = i;
      } else i++;
    }
    out = copied === 0 ? out : redacted + out.slice(copied);
  }
  return shortPattern ? out.replace(shortPattern, REDACTED) : out;
}

/** The core's logger: every message is redacted before it reaches the logger set with `setLogger`. */
export const log: Logger = {
  debug: (message) => current.debug(redact(message)),
  info: (message) => current.info(redact(message)),
  warn: (message) => current.warn(redact(message)),
};
