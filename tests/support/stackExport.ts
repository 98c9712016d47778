// A `pulumi stack export` document (apitype UntypedDeployment, DeploymentV3, ResourceV3) around resources
// whose state came from our own providers, laid out as the Pulumi CLI writes it: the stack resource, the
// default pulumi-nodejs provider, then each resource with urn, custom, id, type, inputs, outputs, parent,
// provider, additionalSecretOutputs. Secret outputs are wrapped as the engine wraps them (ciphertext, or
// plaintext as `pulumi stack export --show-secrets` gives).
import { randomBytes, randomUUID } from "crypto";

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface StateOf {
  kind: string;
  name: string;
  id: string;
  /** The inputs the engine recorded (the checked inputs, __provider included). */
  inputs: Record<string, unknown>;
  /** The outputs the provider returned (with __provider, as the host returns them). */
  outputs: Record<string, unknown>;
  /** The resource option of the SDK class (e.g. ["connectionInfo"]). */
  additionalSecretOutputs?: string[];
}

export interface ExportOptions {
  /** Write secrets as plaintext, as `pulumi stack export --show-secrets` does. Default: ciphertext. */
  showSecrets?: boolean;
  /** More resources of other packages, as they appear in a real stack. */
  others?: Record<string, unknown>[];
  /** The project and stack of the URNs. Default: test-project, test. */
  project?: string;
  stack?: string;
}

/** The engine's form of a secret value in state. */
export function secretOf(value: unknown, showSecrets = false): Record<string, string> {
  const plaintext = JSON.stringify(value);
  return showSecrets
    ? { [SECRET_SIG]: SECRET_VALUE, plaintext }
    : {
        [SECRET_SIG]: SECRET_VALUE,
        ciphertext: `v1:${randomBytes(12).toString("base64")}:${randomBytes(48).toString("base64")}`,
      };
}

export function stackExportOf(states: StateOf[], options: ExportOptions = {}) {
  const { project = "test-project", stack = "test" } = options;
  const STACK_URN = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
  const PROVIDER_URN = `urn:pulumi:${stack}::${project}::pulumi:providers:pulumi-nodejs::default`;
  const time = "2026-11-22T12:00:00.000Z";
  const providerId = randomUUID();
  const ours = states.map((state) => {
    const secret = new Set(state.additionalSecretOutputs ?? []);
    const outputs = Object.fromEntries(
      Object.entries(state.outputs).map(([key, value]) => [
        key,
        secret.has(key) ? secretOf(value, options.showSecrets) : value,
      ]),
    );
    return {
      urn: `urn:pulumi:${stack}::${project}::pulumi-nodejs:dynamic/openstack-storage:${state.kind}::${state.name}`,
      custom: true,
      id: state.id,
      type: `pulumi-nodejs:dynamic/openstack-storage:${state.kind}`,
      inputs: state.inputs,
      outputs,
      parent: STACK_URN,
      provider: `${PROVIDER_URN}::${providerId}`,
      propertyDependencies: Object.fromEntries(Object.keys(state.inputs).map((key) => [key, []])),
      ...(secret.size ? { additionalSecretOutputs: [...secret] } : {}),
      created: time,
      modified: time,
    };
  });
  return {
    version: 3,
    deployment: {
      manifest: { time, magic: randomBytes(32).toString("hex"), version: "v3.248.0" },
      secrets_providers: { type: "passphrase", state: { salt: `v1:${randomBytes(8).toString("base64")}` } },
      resources: [
        {
          urn: STACK_URN,
          custom: false,
          type: "pulumi:pulumi:Stack",
          outputs: {},
          created: time,
          modified: time,
        },
        {
          urn: PROVIDER_URN,
          custom: true,
          id: providerId,
          type: "pulumi:providers:pulumi-nodejs",
          inputs: {},
          outputs: {},
          created: time,
          modified: time,
        },
        ...ours,
        ...(options.others ?? []),
      ],
    },
  };
}
