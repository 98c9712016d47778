// The drift command: read a stack export, read every resource of this package live (read-only, bounded
// concurrency, one token per cloud thanks to the core's token cache), and report in export order as the
// results arrive.
import * as fs from "fs";
import pLimit from "p-limit";
import { redact, setLogger, setReadOnly, setRequestTimeout, setStackConfig } from "../../provider/openstack";
import { checkResource, CheckDefaults, notesLogger, ResourceReport } from "./check";
import { loadConfigFile } from "./configFile";
import { JsonReporter } from "./report/json";
import { Progress } from "./report/progress";
import { Reporter } from "./report/reporter";
import { TableReporter } from "./report/table";
import { ParsedExport, parseStackExport, RecordedResource } from "./stackExport";
import { EXIT, Summary } from "./summary";

export interface DriftOptions extends CheckDefaults {
  /** The export file; "-" or undefined: standard input. */
  file?: string;
  json?: boolean;
  /** Where to write a JUnit XML report. */
  junit?: string;
  /** List in-sync resources in the table too. */
  all?: boolean;
  /** Resources read at the same time. */
  concurrency: number;
  /** Per-request timeout. */
  timeoutSeconds: number;
  /** A plain file of `openstack:*` stack config keys. */
  config?: string;
  /** Progress on stderr (only when it is a terminal). */
  progress: boolean;
}

export interface DriftIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const DEFAULTS = {
  /** Pulumi's own default parallelism for refresh: the same load on the cloud as `pulumi refresh`. */
  concurrency: 16,
  timeoutSeconds: 30,
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads and parses the export; its text is not kept. */
async function loadExport(options: DriftOptions, io: DriftIO): Promise<ParsedExport & { source: string }> {
  if (options.file === undefined || options.file === "-") {
    if (io.stdin.isTTY) {
      throw new Error(
        "no stack export given: name a file, or pipe one in: pulumi stack export | pulumi-openstack-storage drift -",
      );
    }
    const source = "standard input";
    return { ...parseStackExport(await readAll(io.stdin), source), source };
  }
  let text: string;
  try {
    text = await fs.promises.readFile(options.file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${options.file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return { ...parseStackExport(text, options.file), source: options.file };
}

/** Emits reports in export order while they complete in any order; keeps only those not yet emitted. */
class InOrder {
  private readonly waiting = new Map<number, ResourceReport>();
  private next = 0;

  constructor(private readonly emit: (report: ResourceReport) => void) {}

  done(index: number, report: ResourceReport): void {
    this.waiting.set(index, report);
    for (let ready; (ready = this.waiting.get(this.next)); this.next++) {
      this.waiting.delete(this.next);
      this.emit(ready);
    }
  }
}

/** Runs the command; resolves with the exit code. Everything it prints goes to `io`. */
export async function runDrift(options: DriftOptions, io: DriftIO): Promise<number> {
  const warn = (message: string) => io.stderr.write(`warning: ${redact(message)}\n`);
  try {
    const config = options.config ? loadConfigFile(options.config) : undefined;
    for (const key of config?.ignored ?? [])
      warn(`--config ${options.config}: ${key} is not a credential key; ignored`);
    const parsed = await loadExport(options, io);
    setStackConfig(config?.config);
    setRequestTimeout(options.timeoutSeconds * 1000);
    setReadOnly(true);
    setLogger(notesLogger(warn));
    return await checkAll(parsed.resources, new Summary(parsed.source, parsed.otherResources), options, io);
  } catch (err) {
    io.stderr.write(`error: ${redact((err as Error).message)}\n`);
    return EXIT.error;
  } finally {
    setReadOnly(false);
    setLogger(undefined);
    setRequestTimeout(undefined);
    setStackConfig(undefined);
  }
}

async function checkAll(
  resources: (RecordedResource | undefined)[],
  summary: Summary,
  options: DriftOptions,
  io: DriftIO,
): Promise<number> {
  const reporters: Reporter[] = [
    options.json
      ? new JsonReporter(io.stdout, summary.source)
      : new TableReporter(io.stdout, options.all === true),
  ];
  if (options.junit) {
    // Loaded only when asked for: its XML builder costs memory the other formats do not need.
    const { JunitReporter } = await import("./report/junit");
    reporters.push(new JunitReporter(options.junit));
  }
  const progress =
    options.progress && io.stderr.isTTY ? new Progress(io.stderr, resources.length) : undefined;
  const inOrder = new InOrder((report) => {
    summary.add(report);
    for (const reporter of reporters) reporter.add(report);
    progress?.update(summary);
  });
  const limit = pLimit(options.concurrency);
  await Promise.all(
    resources.map((_, index) =>
      limit(async () => {
        const resource = resources[index]!;
        resources[index] = undefined; // the recorded state can go once its report exists
        inOrder.done(index, await checkResource(resource, options));
      }),
    ),
  );
  progress?.end();
  for (const reporter of reporters) await reporter.finish(summary);
  return summary.exitCode;
}
