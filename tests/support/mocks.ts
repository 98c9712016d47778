// `pulumi.runtime.setMocks` for program tests (e.g. the examples): each resource of this package is
// created by its REAL provider, loaded from `args.inputs.__provider` the way Pulumi's provider host loads
// it (require-from-string, one configured provider per distinct text), then checked and created. Cheap
// wiring tests; they do not replace the host conformance tests (tests/support/providerHost.ts).
import * as pulumi from "@pulumi/pulumi";
import type { ConfigureRequest, ResourceProvider } from "@pulumi/pulumi/dynamic";
import requireFromString from "require-from-string";

export interface ProviderMocksOptions {
  /** Stack config as `configure` gets it: keys `project:key`, plain (already unwrapped) values. */
  config?: Record<string, string>;
  project?: string;
  stack?: string;
  /** Result for a resource that is not a dynamic one (e.g. @pulumi/openstack). Default: its inputs, id `<name>-id`. */
  otherResource?: (args: pulumi.runtime.MockResourceArgs) => pulumi.runtime.MockResourceResult;
  /** Result of an invoke. Default: its inputs. */
  call?: (args: pulumi.runtime.MockCallArgs) => pulumi.runtime.MockCallResult;
}

export interface MockedResource {
  type: string;
  name: string;
  id: string | undefined;
  state: Record<string, any>;
}

/** Installs the mocks; returns the list the created resources are appended to, in creation order. */
export async function setProviderMocks(options: ProviderMocksOptions = {}): Promise<MockedResource[]> {
  const project = options.project ?? "test-project";
  const config = options.config ?? {};
  const configureRequest: ConfigureRequest = {
    config: {
      get: (key) => config[key.includes(":") ? key : `${project}:${key}`],
      require(key) {
        const value = this.get(key);
        if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return value;
      },
    },
  };
  const providers = new Map<string, ResourceProvider>();
  const providerOf = async (text: string): Promise<ResourceProvider> => {
    let provider = providers.get(text);
    if (!provider) {
      provider = requireFromString(text).handler() as ResourceProvider;
      providers.set(text, provider);
      await provider.configure?.(configureRequest);
    }
    return provider;
  };

  const created: MockedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const text = args.inputs.__provider;
        if (!args.type.startsWith("pulumi-nodejs:dynamic") || typeof text !== "string") {
          const result = options.otherResource?.(args) ?? { id: `${args.name}-id`, state: args.inputs };
          created.push({ type: args.type, name: args.name, ...result });
          return result;
        }
        const provider = await providerOf(text);
        const checked = provider.check ? await provider.check({}, args.inputs) : { inputs: args.inputs };
        if (checked.failures?.length) {
          const reasons = checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
          throw new Error(`${args.type} ${args.name}: check failed: ${reasons}`);
        }
        const { id, outs } = await provider.create(checked.inputs ?? args.inputs);
        // The host adds __provider to the outputs it returns.
        const state = { ...outs, __provider: text };
        created.push({ type: args.type, name: args.name, id, state });
        return { id, state };
      },
      call: (args) => options.call?.(args) ?? args.inputs,
    },
    project,
    options.stack ?? "test",
    false,
  );
  return created;
}
