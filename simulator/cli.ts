// `npm run simulator -- [--port N] [--config FILE] [--noauth] [--profile NAME]`: starts the simulator on 127.0.0.1 and prints
// how to point clients at it (OS_* variables, a clouds.yaml, the control API). Stops on SIGINT/SIGTERM.
import { Command, InvalidArgumentError } from "commander";
import { cloudsYaml, osEnvironment, startSimulator, type RunningSimulator } from "./core/app";
import { PROFILES, loadConfigFile, mergeConfig, type Profile, type SimulatorConfig } from "./core/config";
import { SEED } from "./core/identity";
import { serviceUrls } from "./core/service";

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new InvalidArgumentError("must be an integer from 0 to 65535");
  return port;
}

function parseProfile(text: string): Profile {
  if (!PROFILES.includes(text as Profile))
    throw new InvalidArgumentError(`must be one of ${PROFILES.join(", ")}`);
  return text as Profile;
}

/** What to tell the user once the simulator listens. */
export function banner(sim: RunningSimulator): string {
  const lines = [
    `OpenStack simulator listening on ${sim.url} (127.0.0.1 only; auth: ${sim.world.config.auth}; profile: ${sim.world.config.profile})`,
    `Control API: ${sim.url}/_sim   (e.g. curl ${sim.url}/_sim/health)`,
    "",
  ];
  if (sim.world.config.auth === "noauth") {
    const admin = SEED.users[0];
    const urls = serviceUrls(sim.url, admin.projectId);
    lines.push(
      '# No-auth mode: every service trusts `X-Auth-Token: <user>:<project id>` (user "admin" is admin).',
      `export OS_AUTH_TYPE=admin_token`,
      `export OS_TOKEN=admin:${admin.projectId}`,
      `export OS_ENDPOINT=${urls.volume}   # one service per OS_ENDPOINT; others:`,
      `#   compute ${urls.compute}`,
      `#   share   ${urls.share}`,
    );
  } else {
    lines.push("# Environment for the admin user (the demo user: password sim-demo-password):");
    for (const [name, value] of Object.entries(osEnvironment(sim))) lines.push(`export ${name}=${value}`);
    lines.push("", "# clouds.yaml (entries `simulator` and `simulator-demo`):", cloudsYaml(sim).trimEnd());
  }
  lines.push("", "Press Ctrl-C to stop.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<RunningSimulator> {
  const program = new Command()
    .name("simulator")
    .description("A local OpenStack (Keystone, Nova, Cinder, Manila) on 127.0.0.1")
    .option("--port <n>", "TCP port on 127.0.0.1 (0 = any free port)", parsePort)
    .option("--config <file>", "YAML or JSON configuration file (see simulator/example-config.yaml)")
    .option("--noauth", "no-auth mode: trust X-Auth-Token <user>:<project>, as a noauth deployment")
    .option("--profile <name>", `the release to play: ${PROFILES.join(" or ")}`, parseProfile)
    .exitOverride()
    .parse(argv, { from: "user" });
  const options = program.opts<{ port?: number; config?: string; noauth?: boolean; profile?: Profile }>();

  let config: Partial<SimulatorConfig> = options.config ? loadConfigFile(options.config) : {};
  if (options.port !== undefined) config = mergeConfig(config, { port: options.port });
  if (options.noauth) config = mergeConfig(config, { auth: "noauth" });
  if (options.profile) config = mergeConfig(config, { profile: options.profile });
  return startSimulator(config);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (sim) => {
      console.log(banner(sim));
      const stop = (signal: string) => {
        console.error(`\n${signal}: stopping the simulator`);
        sim.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    },
    (error) => {
      // Commander already printed help/version or its own error.
      if (error?.code?.startsWith?.("commander.")) process.exit(error.exitCode ?? 1);
      console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
