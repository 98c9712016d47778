// A simulator plus Pulumi's provider host configured for it the way the engine would: the stack config
// (password as a secret) through Configure, and no OS_* variables in the host, so credentials can only come
// from that config. For the conformance tests of the attachment kinds.
import { osEnvironment } from "../../simulator/core/app";
import { ProviderHost, secretValue } from "./providerHost";
import { sdkProviderTexts } from "./serializedProvider";
import { SimulatedCloud } from "./simulatedCloud";

export interface HostedCloud {
  cloud: SimulatedCloud;
  host: ProviderHost;
  /** The `__provider` text of the SDK class of `kind`. */
  provider: string;
  /** The admin password given as secret stack config. */
  password: string;
  close(): Promise<void>;
}

export async function startHostedCloud(kind: string): Promise<HostedCloud> {
  const cloud = await SimulatedCloud.start();
  const env: NodeJS.ProcessEnv = {};
  for (const key of Object.keys(process.env)) if (key.startsWith("OS_")) env[key] = "";
  const [host, texts] = await Promise.all([ProviderHost.start({ env }), sdkProviderTexts()]);
  const os = osEnvironment(cloud.sim, "admin");
  await host.configure({
    "openstack:authUrl": os.OS_AUTH_URL,
    "openstack:userName": os.OS_USERNAME,
    "openstack:password": secretValue(os.OS_PASSWORD),
    "openstack:tenantName": os.OS_PROJECT_NAME,
    "openstack:userDomainName": "Default",
    "openstack:projectDomainName": "Default",
    "openstack:region": os.OS_REGION_NAME,
    "test-project:unrelated": "x",
  });
  return {
    cloud,
    host,
    provider: texts[kind],
    password: os.OS_PASSWORD,
    close: async () => {
      await host.stop();
      await cloud.close();
    },
  };
}
