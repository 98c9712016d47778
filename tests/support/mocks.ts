// `pulumi.runtime.setMocks` for program tests (e.g. the examples): each resource of this package is
// created by its REAL provider, loaded from `args.inputs.__provider` the way Pulumi's provider host loads
// it (require-from-string, one configured provider per distinct text), then checked and created. Cheap
// wiring tests; they do not replace the host conformance tests (tests/support/providerHost.ts).
import * as pulumi from "@pulumi/pulumi";
import type { ConfigureRequest, ResourceProvider } from "@pulumi/pulumi/dynamic";
import { createRequire } from "module";
import requireFromString from "require-from-string";
import type * as openstack from "../../provider/openstack";

export interface ProviderMocksOptions {
  /**
   * The stack config, keys `project:key`, plain values: the program reads it (`pulumi.Config`, e.g. the
   * lookups' `openstack:*`) and the providers' `configure` gets it, as under the engine.
   */
  config?: Record<string, string>;
  /** Keys of `config` that are secret (the program sees them as secret Outputs). */
  secretKeys?: string[];
  project?: string;
  stack?: string;
  /** Result for a resource that is not a dynamic one (e.g. @pulumi/openstack). Default: its inputs, id `<name>-id`. */
  otherResource?: (
    args: pulumi.runtime.MockResourceArgs,
  ) => pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult>;
  /**
   * Result for a resource of this package instead of creating it with its real provider: for a caller
   * that records the registration (inputs with `__provider`) and creates the resource elsewhere.
   */
  ourResource?: (
    args: pulumi.runtime.MockResourceArgs,
  ) => pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult>;
  /** Result of an invoke. Default: its inputs. */
  call?: (args: pulumi.runtime.MockCallArgs) => pulumi.runtime.MockCallResult;
}

export interface MockedResource {
  type: string;
  name: string;
  id: string | undefined;
  state: Record<string, any>;
  /** The inputs the program registered (for ours: `__provider` included). */
  inputs: Record<string, any>;
  urn: string;
  /** URNs of the resources this one depends on, as the program sent them to the engine. */
  dependencies: string[];
  /** The resource option as the engine receives it (e.g. `["connectionInfo"]`). */
  additionalSecretOutputs: string[];
}

/** What the mocked resources did: created in creation order, and the providers' log lines. */
export interface MockedProgram extends Array<MockedResource> {
  /** The client core's log lines ("info: ...", "warn: ...", "debug: ..."), collected instead of printed. */
  logs: string[];
  /**
   * Rejects with the first resource that failed. Under mocks a failed resource leaves the resources that
   * depend on it waiting forever, so wait for outputs with `Promise.race([outputs, program.failed])`.
   */
  failed: Promise<never>;
}

/** Installs the mocks; returns the list the created resources are appended to, in creation order. */
export async function setProviderMocks(options: ProviderMocksOptions = {}): Promise<MockedProgram> {
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
      // configure pointed the core's log at Pulumi's log (console output under mocks): collect it instead.
      providerCore().setLogger({
        debug: (message) => created.logs.push(`debug: ${message}`),
        info: (message) => created.logs.push(`info: ${message}`),
        warn: (message) => created.logs.push(`warn: ${message}`),
      });
    }
    return provider;
  };

  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed by those who race it; never an unhandled rejection
  const created: MockedProgram = Object.assign([], { logs: [], failed });
  // What the mocks' newResource does not see but the monitor's request holds, by resource name.
  const registered = new Map<
    string,
    { urn: string; dependencies: string[]; additionalSecretOutputs: string[] }
  >();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) =>
        newResource(args).catch((error) => {
          fail(error);
          throw error;
        }),
      call: (args) => options.call?.(args) ?? args.inputs,
    },
    project,
    options.stack ?? "test",
    false,
  );
  async function newResource(
    args: pulumi.runtime.MockResourceArgs,
  ): Promise<pulumi.runtime.MockResourceResult> {
    const text = args.inputs.__provider;
    const ours = args.type.startsWith("pulumi-nodejs:dynamic") && typeof text === "string";
    const hook = ours ? options.ourResource : options.otherResource;
    const result = hook
      ? await Promise.resolve(hook(args)).catch((error) => {
          throw new Error(`${args.type} ${args.name}: ${error instanceof Error ? error.message : error}`);
        })
      : ours
        ? await createWithProvider(args, text)
        : { id: `${args.name}-id`, state: args.inputs };
    const state = result.state ?? {};
    created.push({
      type: args.type,
      name: args.name,
      id: result.id,
      state,
      inputs: args.inputs,
      ...registered.get(args.name)!,
    });
    return result;
  }

  async function createWithProvider(args: pulumi.runtime.MockResourceArgs, text: string) {
    const provider = await providerOf(text);
    const checked = provider.check ? await provider.check({}, args.inputs) : { inputs: args.inputs };
    if (checked.failures?.length) {
      const reasons = checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
      throw new Error(`${args.type} ${args.name}: check failed: ${reasons}`);
    }
    const { id, outs } = await provider.create(checked.inputs ?? args.inputs);
    // The host adds __provider to the outputs it returns.
    return { id, state: { ...outs, __provider: text } };
  }
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: unknown) => {
    registered.set(request.getName(), {
      urn: monitor.newUrn(request.getParent(), request.getType(), request.getName()),
      dependencies: request.getDependenciesList(),
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
    });
    return registerResource(request, callback);
  };
  return created;
}

/** The client core of the copy the shim loads (resolved from the working directory, like the host does). */
function providerCore(): typeof openstack {
  const requireFromProject = createRequire(process.cwd() + "/");
  const registryFile = requireFromProject.resolve("pulumi-openstack-storage/provider/resources");
  return createRequire(registryFile)("../openstack");
}
