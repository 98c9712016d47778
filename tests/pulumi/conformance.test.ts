// tests/support/conformance.ts: the start of every per-resource host conformance suite.
import { strict as assert } from "assert";
import { resourceKinds } from "../../provider/resources";
import { Conformance, startConformance } from "../support/conformance";
import { probeKind, probeProviderModule } from "../support/probeProvider";
import { providerTextOf } from "../support/serializedProvider";
import { urnOf } from "../support/providerHost";

describe("startConformance (simulator + provider host configured from stack config)", () => {
  let c: Conformance;

  before(async () => {
    // An OS_AUTH_URL in the host's environment (a closed loopback port) must lose to the stack config.
    const env = { OS_AUTH_URL: "http://127.0.0.1:9/v3" };
    c = await startConformance({ host: { preload: [probeProviderModule], env } });
  });

  after(() => c?.stop());

  it("gives the real __provider of every SDK class", () => {
    assert.deepEqual(Object.keys(c.providers).sort(), [...resourceKinds].sort());
    assert.equal(c.inputs("ShareServer", { a: 1 }).__provider, c.providers.ShareServer);
  });

  it("an implementation in the host reaches the simulator with the stack config's credentials", async () => {
    const probe = await providerTextOf(probeKind);
    const { properties } = await c.host.create(urnOf(probeKind, "p"), { __provider: probe, connect: true });
    const scope = properties.scope as { endpoint: string; region: string; projectId: string };
    assert.ok(scope.endpoint.startsWith(c.sim.url), scope.endpoint);
    assert.equal(scope.region, "RegionOne");
    assert.ok(scope.projectId);
    const password = (c.stackConfig["openstack:password"] as { value: string }).value;
    assert.ok(!c.host.stderr.includes(password));
  });
});
