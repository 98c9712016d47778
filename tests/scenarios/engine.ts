// Drives resource implementations the way Pulumi's engine drives a dynamic provider, through the registry
// (provider/resources: `providerFor(kind)`, the object the serialized provider loads): configure with the
// stack config, check (old inputs, new inputs), create, read (refresh), diff then update, delete. It keeps
// each resource's state (inputs, id, outputs) as the engine would, records what the client core sent, and
// destroys whatever a failed scenario left behind.
import type { CheckFailure, DiffResult } from "@pulumi/pulumi/dynamic";
import { clearTokenCache, clearVersionCache, setLogger, setStackConfig } from "../../provider/openstack";
import { HostedProvider, providerFor, type ResourceKind } from "../../provider/resources";

/** One request the client core sent, from its debug log: "compute POST /servers/ID/action -> 202". */
export interface SentRequest {
  service: string;
  method: string;
  path: string;
  status: number;
}

// The core's debug line for every response: "<service> <METHOD> <path> -> <status> in <n> ms[ (req id)]"
const REQUEST_LINE = /^(\S+) (GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) -> (\d+) in /;

/** One entry of a scenario's trace: a request the client sent, or a step's outcome. */
export type TraceEntry =
  { request: string } | { step: string; kind: string; outputs?: unknown; error?: string };

export class CheckFailedError extends Error {
  constructor(
    readonly kind: string,
    readonly failures: CheckFailure[],
  ) {
    super(`${kind}: check failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

export class Engine {
  /** Every request the client core sent since the last `clearRequests()`. */
  readonly requests: SentRequest[] = [];
  /** The requests and the outcome of each step, in order (to compare one target's run with another's). */
  readonly trace: TraceEntry[] = [];
  private readonly live = new Set<Resource<any, any>>();
  private readonly configured = new Set<ResourceKind>();

  constructor(private readonly stackConfig: Record<string, string>) {}

  /** The provider of `kind`, configured the first time as the host configures it (keys `openstack:*`). */
  provider(kind: ResourceKind): HostedProvider {
    const provider = providerFor(kind);
    if (!this.configured.has(kind)) {
      const config = Object.fromEntries(
        Object.entries(this.stackConfig).map(([k, v]) => [`openstack:${k}`, v]),
      );
      provider.configure({
        config: {
          get: (key: string) => config[key],
          require: (key: string) => config[key] ?? failMissing(key),
        },
      });
      // configure points the core's log at Pulumi's; read the request lines instead.
      setLogger({ debug: (line) => this.record(line), info: () => {}, warn: () => {} });
      this.configured.add(kind);
    }
    return provider;
  }

  private record(line: string): void {
    const m = REQUEST_LINE.exec(line);
    if (!m) return;
    const request = { service: m[1], method: m[2], path: m[3], status: Number(m[4]) };
    this.requests.push(request);
    this.trace.push({ request: `${request.service} ${request.method} ${request.path} ${request.status}` });
  }

  /** Runs one step of a resource's life, tracing its outcome (outputs or error message). */
  async step<T>(step: string, kind: string, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      this.trace.push({ step, kind, outputs: result });
      return result;
    } catch (err) {
      this.trace.push({ step, kind, error: (err as Error).message });
      throw err;
    }
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Requests that can change something (not GET or HEAD). */
  mutations(): SentRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
  }

  /** A resource of `kind`, not created yet. */
  resource<I extends object, O extends object>(kind: ResourceKind): Resource<I, O> {
    return new Resource<I, O>(this, kind);
  }

  /** @internal */ track(resource: Resource<any, any>, live: boolean): void {
    if (live) this.live.add(resource);
    else this.live.delete(resource);
  }

  /** Deletes every resource still in state (newest first); forgets the process caches and the logger. */
  async cleanup(): Promise<void> {
    const errors: string[] = [];
    for (const resource of [...this.live].reverse()) {
      await resource
        .delete()
        .catch((err: Error) => errors.push(`${resource.kind} ${resource.id}: ${err.message}`));
    }
    this.live.clear();
    setLogger(undefined);
    setStackConfig(undefined);
    clearTokenCache();
    clearVersionCache();
    if (errors.length) throw new Error(`could not delete what the scenario left: ${errors.join("; ")}`);
  }
}

function failMissing(key: string): never {
  throw new Error(`Missing required configuration key: ${key}`);
}

/** One resource's life, with its state as the engine records it. */
export class Resource<I extends object, O extends object> {
  id: string | undefined;
  inputs: I | undefined;
  outputs: O | undefined;

  constructor(
    private readonly engine: Engine,
    readonly kind: ResourceKind,
  ) {}

  private get provider(): HostedProvider {
    return this.engine.provider(this.kind);
  }

  /** check (new resource: no old inputs); throws CheckFailedError with the failures. */
  async check(news: I, olds: Partial<I> = {}): Promise<I> {
    const result = await this.engine.step("check", this.kind, () => this.provider.check(olds, news));
    if (result.failures?.length) throw new CheckFailedError(this.kind, result.failures);
    return (result.inputs ?? news) as I;
  }

  /** check, then create; the state afterwards is the create's outputs. */
  async create(inputs: I): Promise<O> {
    const checked = await this.check(inputs);
    try {
      const { id, outs } = await this.engine.step("create", this.kind, () => this.provider.create(checked));
      this.record(id, checked, outs as O);
    } catch (err) {
      // An init-failed create: the engine records the object that exists.
      const e = err as { id?: string; properties?: O };
      if (typeof e.id === "string" && e.properties) this.record(e.id, checked, e.properties);
      throw err;
    }
    return this.outputs!;
  }

  /** A refresh: the outputs as read now, or undefined when the provider says the object is gone. */
  async read(): Promise<O | undefined> {
    const result = await this.engine.step("read", this.kind, () =>
      this.provider.read(this.requireId(), this.outputs),
    );
    if (!result.id) {
      this.forget();
      return undefined;
    }
    this.outputs = result.props as O;
    return this.outputs;
  }

  /** check against the old inputs, diff; updates in place when the diff has changes and no replacement. */
  async update(news: I): Promise<{ diff: DiffResult; outputs: O }> {
    const checked = await this.check(news, this.inputs);
    const diff = await this.diff(checked);
    if (diff.replaces?.length) {
      throw new Error(
        `${this.kind} ${this.id}: the diff replaces (${diff.replaces.join(", ")}); not an update`,
      );
    }
    if (diff.changes) {
      const { outs } = await this.engine.step("update", this.kind, () =>
        this.provider.update(this.requireId(), this.outputs, checked),
      );
      this.outputs = outs as O;
    }
    this.inputs = checked;
    return { diff, outputs: this.outputs! };
  }

  /** diff only (what a preview would show). */
  diff(news: I): Promise<DiffResult> {
    return this.engine.step("diff", this.kind, () =>
      this.provider.diff(this.requireId(), this.outputs, news),
    );
  }

  async delete(): Promise<void> {
    await this.engine.step("delete", this.kind, () => this.provider.delete(this.requireId(), this.outputs));
    this.forget();
  }

  private record(id: string, inputs: I, outputs: O): void {
    this.id = id;
    this.inputs = inputs;
    this.outputs = outputs;
    this.engine.track(this, true);
  }

  private forget(): void {
    this.engine.track(this, false);
  }

  private requireId(): string {
    if (!this.id) throw new Error(`${this.kind}: not created`);
    return this.id;
  }
}
