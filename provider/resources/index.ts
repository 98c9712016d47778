// The registry: resource kind -> provider. This module is the entry point the serialized provider of
// every SDK class requires (`pulumi-openstack-storage/provider/resources`, see sdk/providerShim.ts), so
// its package path and `providerFor` are part of the state contract: `__provider` texts already stored in
// users' stacks call them. Never rename either.
import { blockStorageAttachment } from "./blockStorageAttachment";
import { HostedProvider, OutputDescription, ResourceImplementation, wrapProvider } from "./common";
import { serverShareAttachment } from "./serverShareAttachment";
import { volumeAttachment } from "./volumeAttachment";
import { shareServer } from "./shareServer";

export * from "./common";

/** The resource kinds of this package; an SDK class's type name is its kind. */
export const resourceKinds = [
  "ServerShareAttachment",
  "VolumeAttachment",
  "BlockStorageAttachment",
  "ShareServer",
] as const;
export type ResourceKind = (typeof resourceKinds)[number];

// Resource engineers: import your implementation and add one line, e.g.
//   import { shareServer } from "./shareServer";
//   ...  ShareServer: shareServer,
// (implementations import what they share from "./common", never from this file, to avoid a cycle)
const builtIn: Partial<Record<ResourceKind, ResourceImplementation>> = {
  ServerShareAttachment: serverShareAttachment,
  VolumeAttachment: volumeAttachment,
  BlockStorageAttachment: blockStorageAttachment,
  ShareServer: shareServer,
};

const implementations = new Map(Object.entries(builtIn) as [string, ResourceImplementation][]);

const providers = new Map<string, HostedProvider>();

/** The provider of one kind, wrapped for the host. Throws a clear error for a kind without one. */
export function providerFor(kind: string): HostedProvider {
  let provider = providers.get(kind);
  if (!provider) {
    const impl = implementations.get(kind);
    if (!impl) {
      throw new Error(
        (resourceKinds as readonly string[]).includes(kind)
          ? `pulumi-openstack-storage: the ${kind} provider is not implemented yet`
          : `pulumi-openstack-storage: unknown resource kind "${kind}" (this version knows ${resourceKinds.join(", ")})`,
      );
    }
    provider = wrapProvider(kind, impl);
    providers.set(kind, provider);
  }
  return provider;
}

/** What a kind declares about its outputs (`ResourceImplementation.outputs`); `{}` when it declares nothing. */
export function outputDescriptionFor(kind: string): OutputDescription {
  providerFor(kind); // the same clear error for an unknown or unimplemented kind
  return implementations.get(kind)!.outputs ?? {};
}

/**
 * Adds an implementation for a kind that has none. For tests (a provider host preloads a module that
 * registers a probe kind) and for extensions; this package's own kinds are listed in `builtIn`.
 */
export function registerImplementation(kind: string, impl: ResourceImplementation): void {
  if (implementations.has(kind)) {
    throw new Error(`pulumi-openstack-storage: the ${kind} provider is already registered`);
  }
  implementations.set(kind, impl);
}
