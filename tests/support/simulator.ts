// Helpers for tests that talk HTTP to a started simulator: tokens for the seeded users and a tiny JSON client.
import { SEED } from "../../simulator/core/identity";
import type { RunningSimulator } from "../../simulator/core/app";

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

/** POST /identity/v3/auth/tokens with the seeded password of `user`, scoped to the user's project. */
export async function tokenFor(sim: { url: string }, user: "admin" | "demo"): Promise<string> {
  const u = SEED.users.find((x) => x.name === user)!;
  const res = await fetch(`${sim.url}/identity/v3/auth/tokens?nocatalog`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { id: u.id, password: u.password } } },
        scope: { project: { id: u.projectId } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`token for ${user}: HTTP ${res.status}`);
  return res.headers.get("x-subject-token")!;
}

export const projectOf = (user: "admin" | "demo") => SEED.users.find((x) => x.name === user)!.projectId;

/** Sends a request and parses the JSON answer; `headers` add to (or override) the token header. */
export async function call(
  sim: Pick<RunningSimulator, "url">,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers["X-Auth-Token"] = options.token;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(sim.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
