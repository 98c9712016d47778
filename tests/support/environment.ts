// Process environment and Pulumi program config for tests of code that reads them (lookups, credentials).
import * as pulumi from "@pulumi/pulumi";

/** Runs `fn` with exactly these OS_* variables (others removed), restoring the environment afterwards. */
export async function withEnvironment<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("OS_")) delete process.env[key];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** The stack config a Pulumi program sees (what the language host puts in PULUMI_CONFIG); {} clears it. */
export function setProgramConfig(config: Record<string, string>, secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(config, secretKeys);
}

/** The `openstack:*` program config for a stack config object as ManilaFixture.stackConfig returns it. */
export function openstackProgramConfig(stackConfig: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(stackConfig).map(([k, v]) => [`openstack:${k}`, v]));
}

/** The value of an Output (`promise()` is internal to @pulumi/pulumi, but also reports failures). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}
