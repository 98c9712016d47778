// Test helpers for simulator-backed suites: start a simulator with short transitions and call it as a
// seeded user (admin or demo) with a real token, at a chosen microversion.
import { startSimulator, type DeepPartial, type RunningSimulator } from "../../simulator/core/app";
import { mergeConfig, type SimulatorConfig } from "../../simulator/core/config";
import { SEED } from "../../simulator/core/identity";

export type User = "admin" | "demo";

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

export interface CallOptions {
  /** Microversion to send in the service's own header. */
  mv?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const VERSION_HEADER: Record<string, (v: string) => Record<string, string>> = {
  compute: (v) => ({ "OpenStack-API-Version": `compute ${v}` }),
  volume: (v) => ({ "OpenStack-API-Version": `volume ${v}` }),
  share: (v) => ({ "X-OpenStack-Manila-API-Version": v }),
};

/** The seeded project of `user`. */
export const projectOf = (user: User): string => SEED.users.find((u) => u.name === user)!.projectId;

/** One HTTP exchange with the simulator: a JSON body in, the parsed JSON out; `token` becomes X-Auth-Token. */
export async function request(
  sim: { url: string },
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["X-Auth-Token"] = options.token;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(sim.url + path, {
    method,
    headers: { ...headers, ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A project-scoped token for a seeded user, issued by Keystone's API (POST /identity/v3/auth/tokens). */
export async function passwordToken(sim: { url: string }, user: User): Promise<string> {
  const u = SEED.users.find((x) => x.name === user)!;
  const res = await request(sim, "POST", "/identity/v3/auth/tokens?nocatalog", {
    body: {
      auth: {
        identity: { methods: ["password"], password: { user: { id: u.id, password: u.password } } },
        scope: { project: { id: u.projectId } },
      },
    },
  });
  if (res.status !== 201) throw new Error(`token for ${user}: HTTP ${res.status}`);
  return res.headers.get("x-subject-token")!;
}

export class SimulatorClient {
  private tokens = new Map<User, string>();

  constructor(readonly sim: RunningSimulator) {}

  projectOf(user: User): string {
    return projectOf(user);
  }

  token(user: User): string {
    let token = this.tokens.get(user);
    if (!token || !this.sim.world.identity.validate(token)) {
      const identity = this.sim.world.identity;
      const u = SEED.users.find((x) => x.name === user)!;
      const principal = identity.principalOf(
        identity.users.get(u.id)!,
        identity.findProject({ id: u.projectId })!,
      );
      token = identity.issue(principal, ["password"]).id;
      this.tokens.set(user, token);
    }
    return token;
  }

  /** Calls `path` (e.g. "/share/v2/shares") as `user`. */
  async call(user: User, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const service = path.split("/")[1];
    const headers = { ...options.headers, ...(options.mv ? VERSION_HEADER[service](options.mv) : {}) };
    return request(this.sim, method, path, { token: this.token(user), body: options.body, headers });
  }

  /** Calls the control API (/_sim/...). */
  async control(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    return request(this.sim, method, `/_sim${path}`, { body });
  }

  /** Polls `read` every few ms until `done` holds (or fails after `timeoutMs`). */
  async until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline)
        throw new Error(`condition not reached; last value ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Starts a simulator whose transitions all take `transitionMs` (default 10 ms). */
export async function startTestSimulator(
  overrides: DeepPartial<SimulatorConfig> = {},
  transitionMs = 10,
): Promise<{ sim: RunningSimulator; client: SimulatorClient }> {
  const sim = await startSimulator(mergeConfig({ transitions: { default: transitionMs } }, overrides));
  return { sim, client: new SimulatorClient(sim) };
}
