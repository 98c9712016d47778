// The lookup plumbing (sdk/lookups/common.ts): credentials from the program's own stack config, the
// environment and clouds.yaml with design.md's precedence, without any provider `configure`; the Output form.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { clearTokenCache, setStackConfig } from "../../provider/openstack";
import { cloudsYaml, osEnvironment, RunningSimulator } from "../../simulator/core/app";
import { SEED } from "../../simulator/core/identity";
import {
  LookupArgumentError,
  lookupSession,
  optionalChoice,
  outputForm,
  requiredString,
} from "../../sdk/lookups/common";
import { outputValue, setProgramConfig, withEnvironment } from "../support/environment";
import { startTestSimulator } from "../support/simulatorClient";

const projectIdOf = (name: string) => SEED.projects.find((p) => p.name === name)!.id;

describe("lookups: shared plumbing", () => {
  let sim: RunningSimulator;
  const unreachable = { OS_AUTH_URL: "http://127.0.0.1:9/v3", OS_USERNAME: "x", OS_PASSWORD: "y" };

  before(async () => {
    ({ sim } = await startTestSimulator());
  });
  after(async () => {
    setProgramConfig({});
    await sim.close();
  });
  beforeEach(() => {
    clearTokenCache();
    setProgramConfig({});
  });

  it("reads pulumi.Config('openstack') of the program, before OS_*, with no configure call", async () => {
    const admin = osEnvironment(sim, "admin");
    setProgramConfig(
      {
        "openstack:authUrl": admin.OS_AUTH_URL,
        "openstack:userName": "admin",
        "openstack:password": admin.OS_PASSWORD,
        "openstack:tenantName": "admin",
        "openstack:userDomainName": "Default",
        "openstack:projectDomainName": "Default",
        "other:authUrl": "http://127.0.0.1:9/v3",
      },
      ["openstack:password"],
    );
    // A process-wide stack config (what a provider's configure sets) is not what a lookup reads.
    setStackConfig({
      authUrl: "http://127.0.0.1:9/v3",
      userName: "nobody",
      password: "lookup-test-unused-password",
    });
    try {
      await withEnvironment(unreachable, async () => {
        const session = lookupSession("getThing");
        assert.match(session.source, /stack config/);
        assert.equal(await session.projectId(), projectIdOf("admin"));
      });
    } finally {
      setStackConfig(undefined);
    }
  });

  it("uses the OS_* environment when the program has no openstack config (a plain script)", async () => {
    await withEnvironment(osEnvironment(sim, "demo"), async () => {
      const session = lookupSession("getThing");
      assert.match(session.source, /OS_/);
      assert.equal(await session.projectId(), projectIdOf("demo"));
    });
  });

  it("the cloud argument wins over the stack config and OS_*; region overrides only the region", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lookup-clouds-"));
    const file = path.join(dir, "clouds.yaml");
    fs.writeFileSync(file, cloudsYaml(sim));
    setProgramConfig({ "openstack:authUrl": "http://127.0.0.1:9/v3", "openstack:userName": "x" });
    try {
      await withEnvironment({ ...unreachable, OS_CLIENT_CONFIG_FILE: file }, async () => {
        const session = lookupSession("getThing", { cloud: "simulator-demo", region: "RegionTwo" });
        assert.match(session.source, /simulator-demo/);
        assert.equal(session.region, "RegionTwo");
        assert.equal(await session.projectId(), projectIdOf("demo"));
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a malformed cloud or region naming the lookup and the argument", () => {
    assert.throws(
      () => lookupSession("getThing", { cloud: "" }),
      (err: Error) =>
        err instanceof LookupArgumentError && /^getThing: cloud must be a non-empty string/.test(err.message),
    );
    assert.throws(
      () => lookupSession("getThing", { region: 42 as unknown as string }),
      /getThing: region must be a non-empty string, got 42/,
    );
  });

  it("says which sources it tried when none is set", async () => {
    await withEnvironment({}, async () => {
      assert.throws(() => lookupSession("getThing"), /no OpenStack credentials found/);
    });
  });

  it("argument helpers: required, optional, choices", () => {
    assert.equal(requiredString("getX", { id: "a" }, "id"), "a");
    assert.throws(() => requiredString("getX", {} as { id?: string }, "id"), /getX: id is required/);
    assert.equal(optionalChoice("getX", {} as { s?: string }, "s", ["a", "b"]), undefined);
    assert.throws(
      () => optionalChoice("getX", { s: "c" }, "s", ["a", "b"]),
      /getX: s must be one of a, b, got "c"/,
    );
  });

  describe("outputForm", () => {
    const seen: unknown[] = [];
    const echo = outputForm(async (args: { id: string; n?: number }) => {
      seen.push(args);
      return { echoed: args.id, n: args.n };
    });
    beforeEach(() => (seen.length = 0));

    it("waits for Input arguments and resolves to the lookup's result", async () => {
      const result = echo({ id: Promise.resolve("abc"), n: pulumi.output(3) });
      assert.deepEqual(await outputValue(result), { echoed: "abc", n: 3 });
      assert.deepEqual(seen, [{ id: "abc", n: 3 }]);
    });

    it("a secret argument makes the result secret", async () => {
      const result = echo({ id: pulumi.secret("s") });
      assert.equal(await pulumi.isSecret(result), true);
      assert.deepEqual(await outputValue(result), { echoed: "s", n: undefined });
    });

    it("a failing lookup fails the Output", async () => {
      const failing = outputForm(async (_args: { id: string }) => {
        throw new Error("boom");
      });
      await assert.rejects(outputValue(failing({ id: "x" })), /boom/);
    });
  });
});
