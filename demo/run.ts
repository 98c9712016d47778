// `npm run demo`: the main example (examples/full-stack) on the embedded OpenStack simulator, through the path
// Pulumi uses for this package's resources: the program's resource classes, the provider code Pulumi
// serializes into the state (`__provider`), and Pulumi's own dynamic-provider host, driven over gRPC as the
// engine drives it. A linear script, one step after the other in dependency order; not an engine.
import { spawn } from "child_process";
import { Command, CommanderError } from "commander";
import * as path from "path";
import type { DeepPartial, RunningSimulator } from "../simulator/core/app";
import type { SimulatorConfig } from "../simulator/core/config";

export interface DemoOptions {
  /** Where the demo's lines go. Default: standard output. */
  write?: (line: string) => void;
  /** Simulator settings (`--simulator-config <file>`), e.g. an older cloud's microversions or faults. */
  simulator?: DeepPartial<SimulatorConfig>;
}

/** A resource of this package as the engine would record it in the stack's state. */
interface Recorded {
  kind: string;
  name: string;
  urn: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  additionalSecretOutputs: string[];
}

const PROJECT = "openstack-storage-full-stack";
const STACK = "demo";
const TYPE_PREFIX = "pulumi-nodejs:dynamic/openstack-storage:";
/** The order the demo creates this package's resources in (each depends only on @pulumi/openstack ones). */
const CREATE_ORDER = ["ServerShareAttachment", "VolumeAttachment", "BlockStorageAttachment", "ShareServer"];

/** The example's stack config on the simulator: its image and virtiofs flavor, and a backup host. */
const EXAMPLE_CONFIG = {
  imageName: "debian-12",
  flavorName: "m1.virtiofs",
  networkId: "5f1c7a52-7a4e-4a59-9d5f-0b9c8f2a1e11",
  subnetId: "9a0b6c1d-2e3f-4a5b-8c7d-6e5f4a3b2c1d",
  backupHostInitiator: "iqn.1993-08.org.debian:01:backup",
  backupHostIp: "192.0.2.50",
};

const INTRO = `pulumi-openstack-storage demo: examples/full-stack on the embedded OpenStack simulator

With the Pulumi CLI, the same program runs with \`pulumi up\` (examples/full-stack/README.md). Here there is no
Pulumi engine, so this script plays its part, one step at a time, through the same path: the program's resource
classes, the provider code Pulumi serializes into the state (__provider), and Pulumi's own dynamic-provider host
(@pulumi/pulumi/cmd/dynamic-provider), driven over gRPC as the engine drives it.`;

/** Runs the demo; rejects (after stopping the host and the simulator) when a step fails. */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const started = Date.now();
  let step = 0;
  const heading = (text: string) => write(`\n${++step}. ${text}`);
  const say = (text: string, indent = 1) => write(`${"   ".repeat(indent)}${text}`);
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

  write(INTRO);
  heading("Build the package (dist/: what an installed pulumi-openstack-storage contains) if it is stale");
  let since = Date.now();
  // Loading the helper builds dist/ when a source is newer (Pulumi's host loads the compiled package).
  const { ensureDistBuilt } = await import("../tests/support/buildDist");
  ensureDistBuilt();
  say(`ready (${seconds(since)})`);

  const { osEnvironment, startSimulator } = await import("../simulator/core/app");
  const { ProviderHost, secretValue } = await import("../tests/support/providerHost");
  const { runExample, simulatorConfig } = await import("../tests/support/examples");
  const { stackExportOf } = await import("../tests/support/stackExport");

  heading("Start the OpenStack simulator (Keystone, Nova, Cinder, Manila on 127.0.0.1)");
  const sim = await startSimulator(options.simulator ?? {});
  let host: import("../tests/support/providerHost").ProviderHost | undefined;
  try {
    say(`${sim.url}  (its admin credentials play the stack's openstack:* config)`);

    heading(
      "Start Pulumi's dynamic-provider host and configure it with the stack config, as the engine does",
    );
    since = Date.now();
    host = await ProviderHost.start({
      onLine: (line, stream) => say(`host ${stream === "stderr" ? "!" : "|"} ${line}`, 3),
    });
    const stackConfig: Record<string, unknown> = Object.fromEntries(
      Object.entries(simulatorConfig(sim)).map(([key, value]) => [
        key,
        key === "openstack:password" ? secretValue(value) : value,
      ]),
    );
    await host.configure(stackConfig);
    say(`port ${host.port}, started in ${seconds(since)}; Configure sent:`);
    const env = osEnvironment(sim);
    for (const [key, value] of Object.entries(stackConfig)) {
      say(`${key} = ${typeof value === "string" ? value : "[secret]"}`, 2);
    }

    heading("Run examples/full-stack/index.ts under Pulumi's mocks: the program registers its resources");
    say("@pulumi/openstack's resources need its provider plugin, which only the Pulumi engine runs; their");
    say("counterparts are created here directly with the simulator's APIs, one after the other:");
    let queue: Promise<unknown> = Promise.resolve();
    const run = await runExample("full-stack", sim, PROJECT, EXAMPLE_CONFIG, {
      otherResource: (args, counterparts) => {
        const created = queue.then(async () => {
          const began = Date.now();
          const counterpart = await counterparts.create(args.type, args.name, args.inputs);
          say(`+ ${args.type} ${args.name}: ${counterpart.description} ready (${seconds(began)})`, 2);
          return { id: counterpart.id, state: counterpart.state };
        });
        queue = created.catch(() => undefined);
        return created;
      },
      // Only registered here: the next steps create them through the host.
      ourResource: (args) => ({ id: undefined, state: args.inputs }),
    });
    const ours = run.resources
      .filter((r) => r.type.startsWith(TYPE_PREFIX))
      .map((r) => ({ ...r, kind: r.type.slice(TYPE_PREFIX.length) }))
      .sort((a, b) => CREATE_ORDER.indexOf(a.kind) - CREATE_ORDER.indexOf(b.kind));
    const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
    say("pulumi-openstack-storage's resources are registered with their serialized provider:");
    for (const r of ours) {
      const provider = String(r.inputs.__provider);
      say(`${r.kind} ${r.name}: depends on ${r.dependencies.map(nameOf).join(", ")}`, 2);
      say(`__provider: ${provider.length} bytes of JavaScript that loads this package's provider`, 3);
    }

    const recorded: Recorded[] = [];
    for (const r of ours) {
      heading(`Create ${r.kind} ${r.name} (what \`pulumi up\` does: Check, Create, then a refresh reads it)`);
      const urn = r.urn;
      since = Date.now();
      const checked = await host.check(urn, {}, r.inputs);
      if (checked.failures.length > 0) {
        throw new Error(`${r.kind} ${r.name}: check failed: ${JSON.stringify(checked.failures)}`);
      }
      say(`check   ok: ${describeInputs(checked.inputs)}`);
      const created = await host.create(urn, checked.inputs);
      say(`create  id ${created.id} (${seconds(since)})`);
      say(describeOutputs(checked.inputs, created.properties, r.additionalSecretOutputs), 3);
      const read = await host.read(urn, created.id, created.properties, checked.inputs);
      if (read.id !== created.id)
        throw new Error(`${r.kind} ${r.name}: a refresh right after the create found it gone`);
      say(`read    ${describeOutputs(checked.inputs, read.properties, r.additionalSecretOutputs)}`);
      recorded.push({
        kind: r.kind,
        name: r.name,
        urn,
        id: created.id,
        inputs: checked.inputs,
        outputs: read.properties,
        additionalSecretOutputs: r.additionalSecretOutputs,
      });
    }
    const byKind = (kind: string) => recorded.find((r) => r.kind === kind);
    const server = run.resources.find((r) => r.name === "app-server")!;
    const data = run.resources.find((r) => r.name === "app-data")!;

    heading("Someone changes the cloud behind Pulumi's back");
    const { connect, resolveCredentials, waitFor } = await import("../provider/openstack");
    const operator = connect({ credentials: resolveCredentials({}, { env, stackConfig: {} }) });
    await operator.request("compute", "DELETE", `/servers/${server.id}/os-volume_attachments/${data.id}`, {
      action: "detaching the data volume by hand",
    });
    say(`detaches volume ${data.name} from server ${server.name} (Nova: DELETE os-volume_attachments)`);
    await operator.request("compute", "POST", `/servers/${server.id}/action`, {
      body: { "os-stop": null },
      action: "stopping the server by hand",
    });
    await waitFor({
      what: `server ${server.id} to stop and volume ${data.id} to be detached`,
      timeoutMs: 60_000,
      poll: async () => {
        const [{ data: shown }, { data: volume }] = await Promise.all([
          operator.request("compute", "GET", `/servers/${server.id}`),
          operator.request("block-storage", "GET", `/volumes/${data.id}`),
        ]);
        const done = shown.server.status === "SHUTOFF" && volume.volume.status === "available";
        return done ? { done: true, value: undefined } : { done: false };
      },
    });
    say(`stops server ${server.name} (Nova: os-stop); it is SHUTOFF and the volume available`);

    heading("A pipeline's drift check: `pulumi stack export | pulumi-openstack-storage drift -`");
    say(
      "(read-only, no engine, no code from the export is run; the export holds the state the steps above recorded)",
    );
    const exported = stackExportOf(recorded, {
      project: PROJECT,
      stack: STACK,
      others: run.counterparts.created.map((c) => ({
        urn: `urn:pulumi:${STACK}::${PROJECT}::${c.type}::${c.name}`,
        custom: true,
        id: c.id,
        type: c.type,
        outputs: c.state,
      })),
    });
    const drift = await runDriftCommand(JSON.stringify(exported), env);
    for (const line of (drift.stdout + drift.stderr).trimEnd().split("\n")) say(`| ${line}`, 2);
    say(`exit code ${drift.code}${drift.code === 2 ? ": drift (0 would be in sync, 1 an error)" : ""}`);
    if (drift.code !== 2) throw new Error(`the drift command exited ${drift.code}, not 2 (drift)`);

    heading("`pulumi refresh` finds the same drift: each resource is read through the host");
    const drifted: Recorded[] = [];
    for (const r of recorded) {
      const read = await host.read(r.urn, r.id, r.outputs, r.inputs);
      if (read.id === "") {
        say(
          `${r.kind} ${r.name}: gone (refresh drops it from the state; the next \`pulumi up\` recreates it)`,
        );
        drifted.push(r);
        continue;
      }
      const changes = changedOutputs(r.inputs, r.outputs, read.properties);
      say(`${r.kind} ${r.name}: ${changes.length ? changes.join(", ") : "in sync"}`);
      r.outputs = read.properties;
    }
    if (drifted.length === 0) throw new Error("the out-of-band detach was not found by the refresh");

    for (const r of drifted) {
      heading(`\`pulumi up\` again: ${r.kind} ${r.name} is created anew (Check, Create)`);
      since = Date.now();
      const checked = await host.check(r.urn, {}, r.inputs);
      const created = await host.create(r.urn, checked.inputs);
      say(`create  id ${created.id} (${seconds(since)})`);
      say(describeOutputs(checked.inputs, created.properties, r.additionalSecretOutputs), 3);
      r.outputs = created.properties;
    }
    const share = byKind("ServerShareAttachment");
    if (share)
      say(
        `(the server stays stopped: nothing in the program starts it; ${share.name} reports "${share.outputs.status}")`,
      );

    heading("`pulumi destroy`: delete in reverse order, this package's resources first (through the host)");
    for (const r of [...recorded].reverse()) {
      since = Date.now();
      await host.delete(r.urn, r.id, r.outputs);
      say(`deleted ${r.kind} ${r.name} (${seconds(since)})`);
    }
    say("then @pulumi/openstack's counterparts, with the simulator's APIs:");
    await run.counterparts.deleteAll((c) => say(`- deleted ${c.description}`, 2));
    const left = leftovers(sim.world);
    if (left.length > 0) throw new Error(`left on the simulator after destroy: ${left.join(", ")}`);
    say(
      "nothing is left on the simulator: no server, volume, attachment, share, share network or share server",
    );
  } finally {
    await host?.stop();
    await sim.close();
  }
  heading("Stop the host and the simulator");
  say("stopped");
  write(
    `\nDone in ${seconds(started)}. With a Pulumi CLI and a cloud: \`pulumi up\` (see examples/full-stack/README.md).`,
  );
}

/**
 * Runs the package's command as a pipeline does (`node dist/cli/main.js`, what the installed bin runs), on the
 * export piped in, with the cloud's OS_* credentials in the environment (no Pulumi stack config there).
 */
function runDriftCommand(
  exportText: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const withoutOs = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("OS_")));
  const child = spawn(
    process.execPath,
    [path.join(__dirname, "..", "dist", "cli", "main.js"), "drift", "-"],
    {
      env: { ...withoutOs, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(exportText);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** "serverId=…, shareId=…, tag=app-files" (no __provider). */
function describeInputs(inputs: Record<string, unknown>): string {
  return Object.entries(inputs)
    .filter(([key]) => key !== "__provider")
    .map(([key, value]) => `${key}=${short(value)}`)
    .join(", ");
}

/** What the cloud reported: the outputs that are not inputs (secret ones masked, the scope left out). */
function describeOutputs(
  inputs: Record<string, unknown>,
  outputs: Record<string, unknown>,
  secret: string[],
): string {
  return Object.entries(outputs)
    .filter(([key]) => !(key in inputs) && key !== "__provider" && key !== "scope")
    .map(([key, value]) => `${key}=${secret.includes(key) ? "[secret]" : short(value)}`)
    .join(", ");
}

/** "status: active → inactive" for each reported output that changed. */
function changedOutputs(
  inputs: Record<string, unknown>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  return Object.keys({ ...before, ...after })
    .filter((key) => !(key in inputs) && key !== "__provider")
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => `${key}: ${short(before[key])} → ${short(after[key])}`);
}

function short(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "(none)" : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What is still on the simulator (its world), by kind. */
function leftovers(world: RunningSimulator["world"]): string[] {
  const counts: Record<string, number> = {
    servers: world.nova.servers.size,
    volumes: world.cinder.volumes.size,
    "volume attachments": world.cinder.attachments.size,
    shares: world.manila.shares.size,
    "share networks": world.manila.shareNetworks.size,
    "share servers": world.manila.shareServers.size,
  };
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${count} ${what}`);
}

export interface DemoIO {
  stdout: (line: string) => void;
  stderr: (text: string) => void;
}

/**
 * `npm run demo [-- --simulator-config <file>]`. Resolves with the exit code: 0 when every step worked, 1
 * otherwise (and for a bad command line).
 */
export async function main(argv: string[], io: DemoIO): Promise<number> {
  const program = new Command("npm run demo --")
    .description(
      "Runs examples/full-stack on the embedded OpenStack simulator through Pulumi's provider host.",
    )
    .option(
      "--simulator-config <file>",
      "simulator settings (YAML/JSON), e.g. an older cloud's microversions",
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stderr, writeErr: io.stderr });
  let simulator: DemoOptions["simulator"];
  try {
    const file = program.parse(argv, { from: "user" }).opts().simulatorConfig;
    if (file) simulator = (await import("../simulator/core/config")).loadConfigFile(file);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    io.stderr(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  // Under mocks, a resource that fails to register also rejects promises inside Pulumi's runtime that
  // nobody awaits; the demo reports the failure itself (the step that failed), so those are only recorded.
  let unhandled: unknown;
  const record = (reason: unknown) => (unhandled ??= reason);
  process.on("unhandledRejection", record);
  try {
    await runDemo({ simulator, write: io.stdout });
    if (unhandled !== undefined) throw unhandled;
    return 0;
  } catch (error) {
    io.stderr(`\ndemo FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    io.stderr("(the simulator is stopped, so nothing is left behind)\n");
    return 1;
  } finally {
    process.off("unhandledRejection", record);
  }
}

if (require.main === module) {
  const io: DemoIO = {
    stdout: (line) => process.stdout.write(line + "\n"),
    stderr: (text) => process.stderr.write(text),
  };
  void main(process.argv.slice(2), io).then((code) => (process.exitCode = code));
}
