#!/usr/bin/env node
// The package's command (package.json `bin`): `pulumi-openstack-storage drift [export.json|-]`.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULTS, DriftIO, runDrift } from "./drift/run";
import { EXIT } from "./drift/summary";

function positiveInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1.`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("the timeout must be a number of seconds > 0.");
  return n;
}

const EXIT_CODES = `
Exit codes (like terraform plan -detailed-exitcode):
  0  every resource is in sync
  1  error: a bad export or option, or a resource that could not be read
  2  drift: a resource changed or is gone (and no error)

Examples:
  pulumi stack export --stack prod > prod.json && pulumi-openstack-storage drift prod.json
  pulumi stack export | pulumi-openstack-storage drift - --json > drift.json
  pulumi-openstack-storage drift prod.json --config ci-openstack.yaml --junit drift.xml`;

/** The command line; `io` receives everything it prints. Resolves with the exit code. */
export async function runCli(argv: string[], io: DriftIO): Promise<number> {
  let exitCode: number = EXIT.error;
  const program = new Command("pulumi-openstack-storage")
    .description("Tools for pulumi-openstack-storage stacks.")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program
    .command("drift")
    .description(
      "Read every pulumi-openstack-storage resource of a `pulumi stack export` live and report what differs " +
        "from the recorded state: in sync, changed (which outputs, recorded → live), gone, or error. Read-only: " +
        "nothing in the cloud is changed, and no code from the export is run.",
    )
    .argument("[export]", 'the output of `pulumi stack export` ("-" or none: standard input)')
    .option("--json", "print a JSON document instead of the table")
    .option("--junit <file>", "also write a JUnit XML report to <file>")
    .option("--all", "list in-sync resources in the table too")
    .addOption(
      new Option("--concurrency <n>", "resources read at the same time")
        .default(DEFAULTS.concurrency)
        .argParser(positiveInteger("--concurrency")),
    )
    .addOption(
      new Option("--timeout <seconds>", "timeout of each request to OpenStack")
        .default(DEFAULTS.timeoutSeconds)
        .argParser(positiveNumber),
    )
    .option(
      "--config <file>",
      "plain YAML/JSON with openstack:* stack config keys (e.g. openstack:authUrl), or a Pulumi.<stack>.yaml without secure: values",
    )
    .option("--cloud <name>", "clouds.yaml entry for resources that have no cloud input of their own")
    .option("--region <name>", "region for resources that have no region input of their own")
    .option("--no-progress", "no progress line on stderr (shown only when stderr is a terminal)")
    .addHelpText("after", EXIT_CODES)
    .action(async (file: string | undefined, options) => {
      exitCode = await runDrift(
        {
          file,
          json: options.json,
          junit: options.junit,
          all: options.all,
          concurrency: options.concurrency,
          timeoutSeconds: options.timeout,
          config: options.config,
          cloud: options.cloud,
          region: options.region,
          progress: options.progress,
        },
        io,
      );
    });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    // Commander has printed its message (usage errors) or the help text.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.inSync : EXIT.error;
    throw err;
  }
}

if (require.main === module) {
  // A reader that stops early (`... --json | head`) closes the pipe: stop printing, still finish and exit
  // with the command's code, instead of dying on an unhandled EPIPE.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
  });
  runCli(process.argv.slice(2), process).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}
