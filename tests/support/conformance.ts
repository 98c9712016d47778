// What every per-resource host conformance suite starts with: the simulator, Pulumi's provider host
// configured the way the engine does it (the simulator's credentials as stack config, the password
// secret-wrapped; no OS_* variables in the host's environment), and the real __provider texts of the SDK
// classes. See /work/notes/issue-7.md for a complete suite.
import type { ResourceKind } from "../../provider/resources";
import { DeepPartial, osEnvironment, RunningSimulator, startSimulator } from "../../simulator/core/app";
import type { SimulatorConfig } from "../../simulator/core/config";
import { HostOptions, Properties, ProviderHost, secretValue, urnOf } from "./providerHost";
import { sdkProviderTexts } from "./serializedProvider";

export interface Conformance {
  sim: RunningSimulator;
  host: ProviderHost;
  /** The `__provider` text of each SDK class. */
  providers: Record<ResourceKind, string>;
  /** The stack config the host was configured with (the password as the engine sends a secret). */
  stackConfig: Properties;
  urn(kind: ResourceKind, name: string): string;
  /** `props` plus the kind's `__provider`: what the engine sends as news or properties. */
  inputs(kind: ResourceKind, props: Properties): Properties;
  stop(): Promise<void>;
}

export interface ConformanceOptions {
  /** Simulator settings, e.g. `{ transitions: { default: 20 } }` or older microversions. */
  simulator?: DeepPartial<SimulatorConfig>;
  /** Whose credentials the stack config holds. Default: admin. */
  user?: "admin" | "demo";
  /** More options for the host (e.g. `preload` for a test-only kind). */
  host?: HostOptions;
}

/** The stack config keys of @pulumi/openstack that point at the simulator, as `pulumi config set` would hold them. */
export function simulatorStackConfig(sim: RunningSimulator, user: "admin" | "demo" = "admin"): Properties {
  const env = osEnvironment(sim, user);
  return {
    "openstack:authUrl": env.OS_AUTH_URL,
    "openstack:userName": env.OS_USERNAME,
    "openstack:password": secretValue(env.OS_PASSWORD),
    "openstack:tenantName": env.OS_PROJECT_NAME,
    "openstack:userDomainName": env.OS_USER_DOMAIN_NAME,
    "openstack:projectDomainName": env.OS_PROJECT_DOMAIN_NAME,
    "openstack:region": env.OS_REGION_NAME,
  };
}

export async function startConformance(options: ConformanceOptions = {}): Promise<Conformance> {
  const sim = await startSimulator({ transitions: { default: 20 }, ...options.simulator });
  const withoutOsVariables = Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => key.startsWith("OS_"))
      .map((key) => [key, undefined]),
  );
  try {
    const [host, providers] = await Promise.all([
      ProviderHost.start({ ...options.host, env: { ...withoutOsVariables, ...options.host?.env } }),
      sdkProviderTexts() as Promise<Record<ResourceKind, string>>,
    ]);
    const stackConfig = simulatorStackConfig(sim, options.user);
    await host.configure(stackConfig);
    return {
      sim,
      host,
      providers,
      stackConfig,
      urn: (kind, name) => urnOf(kind, name),
      inputs: (kind, props) => ({ ...props, __provider: providers[kind] }),
      stop: async () => {
        await host.stop();
        await sim.close();
      },
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}
