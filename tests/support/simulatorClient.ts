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

export class SimulatorClient {
  private tokens = new Map<User, string>();

  constructor(readonly sim: RunningSimulator) {}

  projectOf(user: User): string {
    return SEED.users.find((u) => u.name === user)!.projectId;
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
    const headers: Record<string, string> = { "X-Auth-Token": this.token(user), ...options.headers };
    if (options.mv) Object.assign(headers, VERSION_HEADER[service](options.mv));
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(this.sim.url + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Calls the control API (/_sim/...). */
  async control(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const res = await fetch(`${this.sim.url}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
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
