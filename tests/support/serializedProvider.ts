// The REAL `__provider` texts: built by running the SDK classes under `pulumi.runtime.setMocks` and
// capturing `args.inputs.__provider` from the mock's `newResource`, i.e. serialized by Pulumi's own
// closure serializer from the same objects a user's program serializes.
import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../../provider/resources";
import * as sdk from "../../sdk";
import { providerShim } from "../../sdk/providerShim";
import { typeModule } from "../../sdk/storageResource";

export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** The resource option as the engine would receive it in RegisterResource. */
  additionalSecretOutputs: string[];
}

export interface RegistrationOptions {
  /** Stack config of the program, and which keys of it are secret. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Outputs the mocked engine adds to a resource's inputs. */
  outputs?: (registration: Registration) => Record<string, unknown>;
}

/** Runs `program` under mocks that only record registrations, and returns them once all resolved. */
export async function registrationsOf(
  program: () => pulumi.Resource[],
  options: RegistrationOptions = {},
): Promise<Registration[]> {
  const registrations: Registration[] = [];
  const secretOutputs = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const additionalSecretOutputs = secretOutputs.get(args.name) ?? [];
        const registration = {
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          additionalSecretOutputs,
        };
        registrations.push(registration);
        return { id: `${args.name}-id`, state: { ...args.inputs, ...options.outputs?.(registration) } };
      },
      call: (args) => args.inputs,
    },
    "test-project",
    "test",
    false,
  );
  // The mocks' newResource does not see resource options; the monitor's request does.
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: unknown) => {
    secretOutputs.set(request.getName(), request.getAdditionalsecretoutputsList());
    return registerResource(request, callback);
  };
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys);
  await Promise.all(program().map((resource) => outputValue(resource.urn)));
  return registrations;
}

/** The value of an Output; rejects when the resource failed (e.g. its provider threw under mocks). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  // `promise()` is internal to @pulumi/pulumi, but unlike `apply` it also reports failures.
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** One resource of each SDK class, with the smallest valid args. */
export function oneOfEach(): pulumi.Resource[] {
  return [
    new sdk.ServerShareAttachment("share", { serverId: "server-1", shareId: "share-1" }),
    new sdk.VolumeAttachment("volume", { serverId: "server-1", volumeId: "volume-1" }),
    new sdk.BlockStorageAttachment("block", { volumeId: "volume-1" }),
    new sdk.ShareServer("server", { shareServerId: "share-server-1" }),
  ];
}

/** The `__provider` text of each SDK class, by kind. */
export async function sdkProviderTexts(): Promise<Record<string, string>> {
  const registrations = await registrationsOf(oneOfEach);
  return Object.fromEntries(registrations.map((r) => [r.type.split(":").pop()!, r.inputs.__provider]));
}

/** A resource of a kind that has no SDK class (e.g. the test-only probe), built like the SDK classes. */
export class TestKindResource extends pulumi.dynamic.Resource {
  readonly [output: string]: any;

  constructor(kind: string, name: string, props: pulumi.Inputs = {}) {
    super(providerShim(kind as ResourceKind), name, { ...props }, {}, typeModule, kind);
  }
}

/** The `__provider` text of such a kind. */
export async function providerTextOf(kind: string): Promise<string> {
  const [registration] = await registrationsOf(() => [new TestKindResource(kind, "probe")]);
  return registration.inputs.__provider;
}
