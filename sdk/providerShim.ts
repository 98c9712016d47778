/* eslint-disable @typescript-eslint/no-require-imports -- the shim's require runs in the provider host */
import type * as pulumi from "@pulumi/pulumi";
import type { HostedProvider, ResourceKind } from "../provider/resources";

/**
 * The provider object given to `pulumi.dynamic.Resource`. Pulumi serializes it as JavaScript text into
 * the `__provider` input (stored in state) and Pulumi's provider host evaluates that text, so it is kept
 * a thin shim: it captures only `kind`, and at call time requires this package's implementation by
 * package path and delegates to it. Hence no config, credentials or paths in state, and upgrading the
 * package upgrades the provider of existing resources.
 *
 * The host evaluates the text with an empty file name, so a plain `require` would resolve neither
 * node_modules nor the package's self-reference. The shim therefore resolves the package from the
 * host's working directory, which the engine sets to the project directory: that finds
 * node_modules/pulumi-openstack-storage in a user's project, and this package itself (through the
 * `exports` of its package.json) in this repository.
 *
 * Free variables in these functions other than `kind` and `implementation` must be ones the serializer
 * leaves to the host: `require` (never captured) and globals such as `process` (names on `global` are
 * not captured either, so never give a captured variable such a name).
 */
export function providerShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const implementation = (): HostedProvider =>
    require("module")
      .createRequire(process.cwd() + "/")("pulumi-openstack-storage/provider/resources")
      .providerFor(kind);
  return {
    // Synchronous on purpose: the host caches the provider before an async configure resolves.
    configure: (req) => Promise.resolve(implementation().configure(req)),
    check: (olds, news) => implementation().check(olds, news),
    diff: (id, olds, news) => implementation().diff(id, olds, news),
    create: (inputs) => implementation().create(inputs),
    read: (id, props) => implementation().read(id, props),
    update: (id, olds, news) => implementation().update(id, olds, news),
    delete: (id, props) => implementation().delete(id, props),
  };
}
