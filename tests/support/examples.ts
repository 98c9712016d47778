// Program tests of the examples: each example runs under Pulumi's mocks, its @pulumi/openstack resources
// created on the simulator by the demo's stand-ins and this package's resources by their real providers
// (tests/support/mocks.ts), so the wiring between them is exercised against the same simulated cloud.
import * as path from "path";
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import requireFromString from "require-from-string";
import { Counterparts } from "../../demo/counterparts";
import { osEnvironment, RunningSimulator } from "../../simulator/core/app";
import { repoRoot } from "./buildDist";
import { MockedProgram, ProviderMocksOptions, setProviderMocks } from "./mocks";
import { outputValue } from "./serializedProvider";
import * as pulumi from "@pulumi/pulumi";

/** The stack config of @pulumi/openstack that points at the simulator, plain values (the mocks' config). */
export function simulatorConfig(
  sim: RunningSimulator,
  user: "admin" | "demo" = "admin",
): Record<string, string> {
  const env = osEnvironment(sim, user);
  return {
    "openstack:authUrl": env.OS_AUTH_URL,
    "openstack:userName": env.OS_USERNAME,
    "openstack:password": env.OS_PASSWORD,
    "openstack:tenantName": env.OS_PROJECT_NAME,
    "openstack:userDomainName": env.OS_USER_DOMAIN_NAME,
    "openstack:projectDomainName": env.OS_PROJECT_DOMAIN_NAME,
    "openstack:region": env.OS_REGION_NAME,
  };
}

export interface ExampleRun {
  /** Every resource the program registered, in creation order, with the providers' log lines. */
  resources: MockedProgram;
  /** The stand-ins of the @pulumi/openstack resources. */
  counterparts: Counterparts;
  /** The stack outputs, resolved (secret ones unwrapped). */
  outputs: Record<string, unknown>;
  /**
   * Deletes what the program created, newest first as `pulumi destroy` orders it for this program (our
   * attachments before what they attach): ours through their real providers, then the stand-ins.
   */
  destroy(): Promise<void>;
}

export interface ExampleOptions {
  /** Creates a @pulumi/openstack resource's stand-in. Default: `counterparts.create`. */
  otherResource?: (
    args: pulumi.runtime.MockResourceArgs,
    counterparts: Counterparts,
  ) => Promise<pulumi.runtime.MockResourceResult>;
  /** Instead of creating our resources with their providers (see `setProviderMocks`). */
  ourResource?: ProviderMocksOptions["ourResource"];
}

/**
 * Runs `examples/<name>/index.ts` once under mocks against the simulator, with `config` (keys without a
 * namespace belong to the example's project) on top of the simulator's `openstack:*` config.
 */
export async function runExample(
  name: string,
  sim: RunningSimulator,
  project: string,
  config: Record<string, string>,
  options: ExampleOptions = {},
): Promise<ExampleRun> {
  const counterparts = new Counterparts(osEnvironment(sim));
  const projectConfig = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value]),
  );
  // The program's config is process-wide: put back what was there once the program has run.
  const previousConfig = pulumi.runtime.allConfig();
  const resources = await setProviderMocks({
    project,
    config: { ...simulatorConfig(sim), ...projectConfig },
    secretKeys: ["openstack:password"],
    otherResource: async (args) => {
      if (options.otherResource) return options.otherResource(args, counterparts);
      const created = await counterparts.create(args.type, args.name, args.inputs);
      return { id: created.id, state: created.state };
    },
    ourResource: options.ourResource,
  });
  const file = path.join(repoRoot, "examples", name, "index.ts");
  // A program exports its outputs, or a function (possibly async) that returns them.
  const resolveOutputs = async () => {
    delete require.cache[require.resolve(file)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a program is loaded the way Pulumi loads it
    const program = require(file);
    const exported = typeof program === "function" ? await program() : program;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(exported ?? {})) {
      outputs[key] = await outputValue(pulumi.output(value)); // nested Outputs too (e.g. an array of ids)
    }
    return outputs;
  };
  let outputs: Record<string, unknown>;
  try {
    outputs = await Promise.race([resolveOutputs(), resources.failed]);
  } finally {
    pulumi.runtime.setAllConfig(previousConfig);
  }
  const destroy = async () => {
    for (const resource of [...resources].reverse()) {
      if (typeof resource.state.__provider !== "string") continue;
      const provider: ResourceProvider = requireFromString(resource.state.__provider).handler();
      await provider.delete!(resource.id!, resource.state);
    }
    await counterparts.deleteAll();
  };
  return { resources, counterparts, outputs, destroy };
}
