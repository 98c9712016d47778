// The `__provider` text every SDK class stores in state: a thin shim, free of paths and secrets.
import { strict as assert } from "assert";
import { createRequire } from "module";
import * as os from "os";
import requireFromString from "require-from-string";
import { resourceKinds } from "../../provider/resources";
import { repoRoot } from "../support/buildDist";
import { registrationsOf, oneOfEach, providerTextOf, sdkProviderTexts } from "../support/serializedProvider";

/** The size budget of one `__provider` text (measured: about 2.4 KB). */
const maxBytes = 4096;

const credentials = {
  OS_AUTH_URL: "http://127.0.0.1:5000/v3-env-auth-url",
  OS_USERNAME: "env-user-name",
  OS_PASSWORD: "env-password-Zq8",
  OS_APPLICATION_CREDENTIAL_SECRET: "env-app-cred-secret-Wm3",
  OS_TOKEN: "env-token-Kd5",
  OS_CLOUD: "env-cloud-name",
};
const stackConfig = {
  "openstack:authUrl": "http://127.0.0.1:5000/v3-config-auth-url",
  "openstack:userName": "config-user-name",
  "openstack:password": "config-password-Xy7",
  "openstack:applicationCredentialSecret": "config-app-cred-secret-Pq2",
};

describe("the serialized provider (__provider) of the SDK classes", () => {
  let texts: Record<string, string>;
  const savedEnv = { ...process.env };

  before(async () => {
    Object.assign(process.env, credentials);
    const registrations = await registrationsOf(oneOfEach, {
      config: stackConfig,
      secretKeys: ["openstack:password", "openstack:applicationCredentialSecret"],
    });
    texts = Object.fromEntries(registrations.map((r) => [r.type.split(":").pop()!, r.inputs.__provider]));
  });

  after(() => {
    for (const key of Object.keys(credentials)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  it("exists for every resource kind, as a string", () => {
    assert.deepEqual(Object.keys(texts).sort(), [...resourceKinds].sort());
    for (const text of Object.values(texts)) assert.equal(typeof text, "string");
  });

  it(`is small: at most ${maxBytes} bytes per kind`, () => {
    for (const [kind, text] of Object.entries(texts)) {
      const bytes = Buffer.byteLength(text);
      assert.ok(bytes <= maxBytes, `${kind}: ${bytes} bytes`);
    }
  });

  it("is one shim for every kind: the texts differ only in the kind they name", async () => {
    const probe = await providerTextOf("SomeKind");
    for (const [kind, text] of Object.entries(texts)) {
      assert.equal(text.replace(`"${kind}"`, '"SomeKind"'), probe, kind);
    }
  });

  it("requires only Node's module loader and this package by its package path", () => {
    for (const text of Object.values(texts)) {
      assert.deepEqual(text.match(/require\([^)]*\)/g), ['require("module")']);
      assert.ok(text.includes('("pulumi-openstack-storage/provider/resources")'));
    }
  });

  it("holds no absolute path (of this repository, the home, temp or working directory, or any other)", () => {
    for (const [kind, text] of Object.entries(texts)) {
      for (const dir of [repoRoot, os.homedir(), os.tmpdir(), process.cwd()]) {
        assert.ok(!text.includes(dir), `${kind} contains ${dir}`);
      }
      // A string literal that starts like an absolute POSIX or Windows path.
      assert.doesNotMatch(text, /["'`](\/|[A-Za-z]:\\)[^"'`\s]+/, kind);
    }
  });

  it("holds no credential or stack config, although both were present when it was serialized", () => {
    for (const [kind, text] of Object.entries(texts)) {
      for (const value of [...Object.values(credentials), ...Object.values(stackConfig)]) {
        assert.ok(!text.includes(value), `${kind} contains ${value}`);
      }
    }
  });

  it("delegates configure synchronously: the implementation is configured when configure returns", () => {
    // Load the text the way the host does, in this process: the shim resolves this package from the
    // working directory, i.e. dist/ of this repository, and the registry there gets a one-off kind.
    const registry = createRequire(process.cwd() + "/")("pulumi-openstack-storage/provider/resources");
    let seen: string | undefined;
    registry.registerImplementation("SyncConfigureProbe", {
      configure: (req: any) => (seen = req.config.get("openstack:password")),
    });
    return providerTextOf("SyncConfigureProbe").then((text) => {
      const provider = requireFromString(text).handler();
      const config = { get: (key: string) => ({ "openstack:password": "pw" })[key], require: () => "" };
      const returned = provider.configure({ config });
      assert.equal(seen, "pw", "configured before configure's promise was awaited");
      return returned;
    });
  });
});

describe("sdkProviderTexts (the helper conformance tests use)", () => {
  it("returns the text of each SDK class", async () => {
    const texts = await sdkProviderTexts();
    assert.deepEqual(Object.keys(texts).sort(), [...resourceKinds].sort());
    for (const [kind, text] of Object.entries(texts)) assert.ok(text.includes(`"${kind}"`), kind);
  });
});
