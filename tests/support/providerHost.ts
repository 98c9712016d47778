// Drives Pulumi's own dynamic-provider host the way the engine does (../shared/docs/pulumi-dynamic-providers.md,
// "How the engine starts and drives the host"): `node <@pulumi/pulumi/cmd/dynamic-provider> <engine address>`
// with cwd = the project directory, the gRPC port read from the first stdout line, then Configure and the
// CRUD calls over gRPC with properties as google.protobuf.Struct.
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { repoRoot } from "./buildDist";
import { captureHostExchange, captureText } from "./secretScan";

export { UNKNOWN } from "../../provider/resources";

export type Properties = Record<string, unknown>;

/** A stack config value as the engine sends a secret one: the host unwraps it before `configure`. */
export function secretValue(value: unknown): Properties {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** The URN the engine would give a resource of this package (the host ignores it; sent for fidelity). */
export function urnOf(kind: string, name: string, project = "test-project"): string {
  return `urn:pulumi:test::${project}::pulumi-nodejs:dynamic/openstack-storage:${kind}::${name}`;
}

/** A failed call: `message` is the provider's own message; `initFailed` is set for a partial create/update. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly code: grpc.status,
    readonly initFailed?: { id: string; properties: Properties; reasons: string[] },
  ) {
    super(message);
  }
}

export interface HostOptions {
  /** The host's working directory, as the engine sets it. Default: this repository. */
  projectDir?: string;
  /** PULUMI_NODEJS_PROJECT, the project that config keys without a namespace belong to. */
  project?: string;
  /** Modules the host loads before it starts (`node -r`); `.ts` ones through ts-node. For test-only kinds. */
  preload?: string[];
  /** Extra environment variables of the host process; `undefined` removes one. */
  env?: NodeJS.ProcessEnv;
  /**
   * Called with each line the host writes after its port, as it arrives: the engine shows these lines
   * (stdout as info, stderr as info on stderr) while the call runs. The provider's log ends up here.
   */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export type DiffChanges = "none" | "some" | "unknown";

const callTimeoutMs = 60_000;
const startTimeoutMs = 30_000;

const liveHosts = new Set<ChildProcess>();
process.on("exit", () => liveHosts.forEach((child) => child.kill()));

export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: providerGrpc.ResourceProviderClient,
    private readonly output: { stdout: string; stderr: string },
    readonly port: number,
  ) {}

  /** Spawns the host and connects to it; resolves once the host has printed its port. */
  static async start(options: HostOptions = {}): Promise<ProviderHost> {
    const projectDir = options.projectDir ?? repoRoot;
    // The engine runs the host script that the project's own @pulumi/pulumi provides.
    const script = createRequire(projectDir + "/").resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const preload = options.preload ?? [];
    const nodeArgs = preload.some((file) => file.endsWith(".ts"))
      ? ["-r", require.resolve("ts-node/register/transpile-only")]
      : [];
    for (const file of preload) nodeArgs.push("-r", file);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_NODEJS_PROJECT: options.project ?? "test-project",
      TS_NODE_PROJECT: path.join(repoRoot, "tsconfig.json"),
      ...options.env,
    };
    delete env.PULUMI_NODEJS_ENGINE; // would make the host log to an engine that does not exist
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [...nodeArgs, script, "127.0.0.1:1"], {
      cwd: projectDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    liveHosts.add(child);
    child.once("exit", () => liveHosts.delete(child));
    const output = { stdout: "", stderr: "" };
    const lines = { stdout: "", stderr: "" };
    // Everything but the port line, split into lines as the engine does (sdk/go/common/resource/plugin).
    const collect = (stream: "stdout" | "stderr", text: string) => {
      output[stream] += text;
      captureText(`provider host ${stream}`, text);
      lines[stream] += text;
      const complete = lines[stream].split("\n");
      lines[stream] = complete.pop()!;
      for (const line of complete) if (line.trim()) options.onLine?.(line, stream);
    };
    child.stderr!.on("data", (chunk: Buffer) => collect("stderr", chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const fail = (error: Error) => {
        child.kill();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`the provider host printed no port in ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      let first = "";
      let portRead = false;
      child.stdout!.on("data", (chunk: Buffer) => {
        if (portRead) return collect("stdout", chunk.toString());
        first += chunk.toString();
        const newline = first.indexOf("\n");
        if (newline < 0) return;
        clearTimeout(timer);
        portRead = true;
        resolve(Number(first.slice(0, newline).trim()));
        if (first.length > newline + 1) collect("stdout", first.slice(newline + 1));
      });
      child.on("exit", (code) =>
        fail(new Error(`the provider host exited (${code}) before its port:\n${output.stderr}`)),
      );
      child.on("error", fail);
    });
    // From now on the host alone does not keep this process alive: a host a failed test never stopped
    // must not hang the test run. It is killed when this process exits.
    for (const handle of [child, child.stdout, child.stderr]) (handle as { unref(): void }).unref();
    const client = new providerGrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new ProviderHost(child, client, output, port);
  }

  /** Everything the host wrote to stderr so far (it logs provider errors with their stacks there). */
  get stderr(): string {
    return this.output.stderr;
  }

  /** Everything the host wrote to stdout after its port (the provider's info log lines). */
  get stdout(): string {
    return this.output.stdout;
  }

  /** Configure with the whole stack config, keys `project:key`; wrap secret values with `secretValue`. */
  async configure(config: Properties): Promise<void> {
    const request = new providerProto.ConfigureRequest();
    request.setArgs(Struct.fromJavaScript(config as never));
    const variables = request.getVariablesMap();
    for (const [key, value] of Object.entries(config)) {
      const plain = isSecretValue(value) ? value.value : value;
      variables.set(key, typeof plain === "string" ? plain : JSON.stringify(plain));
    }
    request.setAcceptsecrets(true);
    request.setAcceptresources(true);
    await this.call("configure", request);
  }

  async check(urn: string, olds: Properties, news: Properties) {
    const request = new providerProto.CheckRequest();
    request.setUrn(urn);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    const response: providerProto.CheckResponse = await this.call("check", request);
    return {
      inputs: fromStruct(response.getInputs()),
      failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Properties, news: Properties) {
    const request = new providerProto.DiffRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    const response: providerProto.DiffResponse = await this.call("diff", request);
    const changes: Record<number, DiffChanges> = {
      [providerProto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
      [providerProto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
      [providerProto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
    };
    return {
      changes: changes[response.getChanges()],
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(urn: string, properties: Properties, timeoutSeconds = 0) {
    const request = new providerProto.CreateRequest();
    request.setUrn(urn);
    request.setProperties(toStruct(properties));
    request.setTimeout(timeoutSeconds);
    const response: providerProto.CreateResponse = await this.call("create", request);
    return { id: response.getId(), properties: fromStruct(response.getProperties()) };
  }

  /** Refresh. The host answers `id: ""` and no properties when the provider reports the object gone. */
  async read(urn: string, id: string, properties: Properties, inputs?: Properties) {
    const request = new providerProto.ReadRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setProperties(toStruct(properties));
    if (inputs) request.setInputs(toStruct(inputs));
    const response: providerProto.ReadResponse = await this.call("read", request);
    return {
      id: response.getId(),
      properties: fromStruct(response.getProperties()),
      inputs: response.hasInputs() ? fromStruct(response.getInputs()) : undefined,
    };
  }

  async update(urn: string, id: string, olds: Properties, news: Properties, timeoutSeconds = 0) {
    const request = new providerProto.UpdateRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    request.setTimeout(timeoutSeconds);
    const response: providerProto.UpdateResponse = await this.call("update", request);
    return { properties: fromStruct(response.getProperties()) };
  }

  async delete(urn: string, id: string, properties: Properties, timeoutSeconds = 0): Promise<void> {
    const request = new providerProto.DeleteRequest();
    request.setUrn(urn);
    request.setId(id);
    request.setProperties(toStruct(properties));
    request.setTimeout(timeoutSeconds);
    await this.call("delete", request);
  }

  /** Kills the host process at once (as a crash or `kill -9` would), and waits until it is gone. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill(signal);
    await exited;
  }

  /** The host's process id. */
  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
  }

  private call<T>(method: string, request: unknown): Promise<T> {
    const deadline = new Date(Date.now() + callTimeoutMs);
    const unary = (this.client as any)[method].bind(this.client);
    return new Promise<T>((resolve, reject) =>
      unary(request, new grpc.Metadata(), { deadline }, (error: grpc.ServiceError | null, response: T) => {
        const failure = error ? toHostError(error) : undefined;
        captureHostExchange(method, request, failure, response);
        return failure ? reject(failure) : resolve(response);
      }),
    );
  }
}

function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && "4dabf18193072939515e22adb298388d" in value;
}

function toStruct(properties: Properties): Struct {
  return Struct.fromJavaScript(properties as never);
}

function fromStruct(struct: Struct | undefined): Properties {
  return (struct?.toJavaScript() ?? {}) as Properties;
}

function toHostError(error: grpc.ServiceError): HostError {
  const [details] = error.metadata?.get("grpc-status-details-bin") ?? [];
  if (details) {
    for (const any of Status.deserializeBinary(details as Buffer).getDetailsList()) {
      if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
      const failure = providerProto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return new HostError(error.details, error.code, {
        id: failure.getId(),
        properties: fromStruct(failure.getProperties()),
        reasons: failure.getReasonsList(),
      });
    }
  }
  return new HostError(error.details, error.code);
}
