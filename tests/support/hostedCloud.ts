// The conformance fixture (simulator + provider host configured from secret stack config, no OS_* in the
// host) with the cloud-side helpers of SimulatedCloud, for the attachment kinds' host conformance suites.
import type { ResourceKind } from "../../provider/resources";
import { Conformance, startConformance } from "./conformance";
import { ProviderHost } from "./providerHost";
import { SimulatedCloud } from "./simulatedCloud";

export interface HostedCloud {
  cloud: SimulatedCloud;
  host: ProviderHost;
  /** The `__provider` text of the SDK class of the kind under test. */
  provider: string;
  /** The password the host was configured with (as a secret). */
  password: string;
  close(): Promise<void>;
}

export async function startHostedCloud(kind: ResourceKind): Promise<HostedCloud> {
  const conformance: Conformance = await startConformance({ simulator: { transitions: { default: 5 } } });
  const cloud = SimulatedCloud.on(conformance.sim);
  return {
    cloud,
    host: conformance.host,
    provider: conformance.providers[kind],
    password: (conformance.stackConfig["openstack:password"] as { value: string }).value,
    close: async () => {
      await cloud.close(); // closes the simulator
      await conformance.host.stop();
    },
  };
}
