import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider/resources";
import { providerShim } from "./providerShim";

/** The module of every type token: `pulumi-nodejs:dynamic/openstack-storage:<ClassName>` (design.md). */
export const typeModule = "openstack-storage";

/** Inputs every resource of this package takes. */
export interface CommonArgs {
  /**
   * How long an operation may wait for the cloud (server stops and starts, attaches and detaches, manage and
   * unmanage), in seconds; whether it bounds each wait or the whole operation is said in each resource's README
   * section. Default: 600. Changes in place. Pulumi's `customTimeouts` do not reach dynamic providers; this does.
   */
  timeoutSeconds?: pulumi.Input<number>;
  /** Name of the clouds.yaml entry to use. Default: the stack config, then the OS_* environment variables, then OS_CLOUD. */
  cloud?: pulumi.Input<string>;
  /** Region to use; overrides only the region of the credentials. Default: the credentials' region. */
  region?: pulumi.Input<string>;
}

/** What the four resource classes share: the serialized shim, the type token and the output fields. */
export abstract class StorageResource extends pulumi.dynamic.Resource {
  declare public readonly timeoutSeconds: pulumi.Output<number | undefined>;
  declare public readonly cloud: pulumi.Output<string | undefined>;
  declare public readonly region: pulumi.Output<string | undefined>;

  /**
   * @param kind the class name: the type name of the token and the provider registry key
   * @param required input names that must be given
   * @param reportedOutputs output names the cloud reports (besides the inputs, which outputs repeat): each
   *   gets an Output field because `dynamic.Resource` creates one per key of its props (an `undefined`
   *   value is not sent to the engine)
   */
  protected constructor(
    kind: ResourceKind,
    name: string,
    args: object,
    required: readonly string[],
    reportedOutputs: readonly string[],
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    for (const key of required) {
      if ((args as Record<string, unknown> | undefined)?.[key] === undefined) {
        throw new Error(`${kind} ${name}: the input '${key}' is required`);
      }
    }
    const props: pulumi.Inputs = { ...args };
    for (const key of reportedOutputs) {
      props[key] ??= undefined;
    }
    super(providerShim(kind), name, props, opts, typeModule, kind);
  }
}
