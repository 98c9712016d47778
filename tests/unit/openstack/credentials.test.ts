import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  ConfigurationError,
  CREDENTIAL_KEYS,
  getStackConfig,
  redact,
  resolveCredentials,
  setStackConfig,
} from "../../../provider/openstack";

function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "os-creds-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const CLOUDS = `
clouds:
  alpha:
    auth_type: password
    auth:
      auth_url: https://alpha.example:5000/v3
      username: alice
      project_name: demo
      user_domain_name: Default
      project_domain_id: default
    region_name: RegionOne
    interface: internal
    cacert: /tmp/ca.pem
    compute_endpoint_override: http://127.0.0.1:1/compute
    volumev3_endpoint_override: http://127.0.0.1:1/volume
  beta:
    auth:
      auth_url: https://beta.example:5000
      application_credential_id: ac-1
      application_credential_secret: beta-app-secret-1
    verify: false
  noauth-local:
    auth_type: none
    auth:
      user_id: admin
      project_id: proj-9
    shared_file_system_endpoint_override: http://127.0.0.1:2/v2/proj-9
`;
const SECURE = `
clouds:
  alpha:
    auth:
      password: alpha-secret-pw
`;

describe("openstack/credentials", () => {
  const dir = tempDir({ "clouds.yaml": CLOUDS, "secure.yaml": SECURE });
  const empty = tempDir({});
  const base = { configDirs: [dir], stackConfig: {} };

  it("reads a clouds.yaml entry named by the resource's cloud input, with secure.yaml merged in", () => {
    const c = resolveCredentials({ cloud: "alpha" }, { ...base, env: {} });
    assert.equal(c.authType, "password");
    assert.equal(c.authUrl, "https://alpha.example:5000/v3");
    assert.equal(c.username, "alice");
    assert.equal(c.password, "alpha-secret-pw"); // from secure.yaml
    assert.equal(c.projectName, "demo");
    assert.equal(c.userDomainName, "Default");
    assert.equal(c.projectDomainId, "default");
    assert.equal(c.region, "RegionOne");
    assert.equal(c.interface, "internal");
    assert.equal(c.cacertFile, "/tmp/ca.pem");
    assert.equal(c.insecure, false);
    assert.deepEqual(c.endpointOverrides, {
      compute: "http://127.0.0.1:1/compute",
      "block-storage": "http://127.0.0.1:1/volume",
    });
    assert.match(c.source, /resource's cloud input "alpha"/);
    assert.match(c.source, /secure\.yaml/);
    // the secret read from secure.yaml is now redacted everywhere
    assert.equal(redact("x alpha-secret-pw y"), "x *** y");
  });

  it("lets the resource's cloud input win over stack config and environment as a whole", () => {
    const c = resolveCredentials(
      { cloud: "alpha" },
      {
        ...base,
        stackConfig: { authUrl: "https://stack.example/v3", userName: "bob", password: "stack-pw-a1" },
        env: {
          OS_AUTH_URL: "https://env.example/v3",
          OS_USERNAME: "carol",
          OS_PASSWORD: "env-pw-b2",
          OS_PROJECT_NAME: "x",
        },
      },
    );
    assert.equal(c.authUrl, "https://alpha.example:5000/v3");
    assert.equal(c.username, "alice");
    assert.equal(c.projectName, "demo");
  });

  it("overrides only the region with the resource's region input", () => {
    const c = resolveCredentials({ cloud: "alpha", region: "RegionTwo" }, { ...base, env: {} });
    assert.equal(c.region, "RegionTwo");
    assert.equal(c.username, "alice");
  });

  it("uses the stack config when it names an auth URL, ignoring the environment entirely", () => {
    const c = resolveCredentials(
      {},
      {
        ...base,
        stackConfig: {
          authUrl: "https://stack.example/v3/",
          userName: "bob",
          password: "stack-pw-123",
          tenantName: "proj",
          userDomainName: "D1",
          projectDomainName: "D2",
          region: "R9",
          endpointType: "admin",
          insecure: "true",
          endpointOverrides: JSON.stringify({ sharev2: "http://127.0.0.1:3/share" }),
        },
        env: {
          OS_AUTH_URL: "https://env.example/v3",
          OS_USERNAME: "carol",
          OS_PASSWORD: "env-pw-c3",
          OS_REGION_NAME: "ENV",
        },
      },
    );
    assert.equal(c.authUrl, "https://stack.example/v3");
    assert.equal(c.username, "bob");
    assert.equal(c.projectName, "proj");
    assert.equal(c.userDomainName, "D1");
    assert.equal(c.projectDomainName, "D2");
    assert.equal(c.region, "R9"); // not the environment's
    assert.equal(c.interface, "admin");
    assert.equal(c.insecure, true);
    assert.deepEqual(c.endpointOverrides, { "shared-file-system": "http://127.0.0.1:3/share" });
    assert.match(c.source, /stack config/);
  });

  it("reads openstack:cloud from the stack config, overlaid by the other stack keys", () => {
    const c = resolveCredentials(
      {},
      { ...base, stackConfig: { cloud: "alpha", region: "RegionFromStack" }, env: { OS_CLOUD: "beta" } },
    );
    assert.equal(c.username, "alice");
    assert.equal(c.region, "RegionFromStack");
  });

  it("uses the OS_* environment when it names OS_AUTH_URL, before OS_CLOUD", () => {
    const env = {
      OS_CLOUD: "alpha",
      OS_AUTH_URL: "https://env.example:5000",
      OS_USER_ID: "uid-1",
      OS_PASSWORD: "env-pw-456",
      OS_TENANT_ID: "tid-1",
      OS_USER_DOMAIN_ID: "ud",
      OS_PROJECT_DOMAIN_ID: "pd",
      OS_DOMAIN_NAME: "dn",
      OS_DOMAIN_ID: "did",
      OS_REGION_NAME: "RegionEnv",
      OS_ENDPOINT_TYPE: "internalURL",
      OS_CACERT: "/etc/ca.pem",
      OS_INSECURE: "false",
      OS_COMPUTE_ENDPOINT_OVERRIDE: "http://127.0.0.1:4/compute",
      OS_BLOCK_STORAGE_ENDPOINT_OVERRIDE: "http://127.0.0.1:4/volume",
      OS_NETWORK_ENDPOINT_OVERRIDE: "http://127.0.0.1:4/network", // not ours: ignored
    };
    const c = resolveCredentials({}, { ...base, env });
    assert.equal(c.authUrl, "https://env.example:5000");
    assert.equal(c.userId, "uid-1");
    assert.equal(c.projectId, "tid-1"); // OS_TENANT_ID is an alias
    assert.equal(c.userDomainId, "ud");
    assert.equal(c.projectDomainId, "pd");
    assert.equal(c.domainName, "dn");
    assert.equal(c.domainId, "did");
    assert.equal(c.region, "RegionEnv");
    assert.equal(c.interface, "internal");
    assert.equal(c.cacertFile, "/etc/ca.pem");
    assert.equal(c.insecure, false);
    assert.deepEqual(c.endpointOverrides, {
      compute: "http://127.0.0.1:4/compute",
      "block-storage": "http://127.0.0.1:4/volume",
    });
    assert.equal(c.source, "environment (OS_*)");
  });

  it("prefers OS_PROJECT_NAME over OS_TENANT_NAME", () => {
    const env = {
      OS_AUTH_URL: "https://e/v3",
      OS_USERNAME: "u",
      OS_PASSWORD: "env-pw-b2",
      OS_PROJECT_NAME: "new",
      OS_TENANT_NAME: "old",
    };
    assert.equal(resolveCredentials({}, { ...base, env }).projectName, "new");
  });

  it("falls back to OS_CLOUD as a whole (other OS_* variables are not mixed in)", () => {
    const c = resolveCredentials({}, { ...base, env: { OS_CLOUD: "beta", OS_REGION_NAME: "Ignored" } });
    assert.equal(c.authType, "v3applicationcredential");
    assert.equal(c.applicationCredentialId, "ac-1");
    assert.equal(c.insecure, true); // verify: false
    assert.equal(c.region, undefined);
    assert.match(c.source, /OS_CLOUD "beta"/);
  });

  it("finds clouds.yaml through OS_CLIENT_CONFIG_FILE before the search directories", () => {
    const other = tempDir({
      "mine.yaml": "clouds:\n  alpha:\n    auth:\n      auth_url: https://other/v3\n      username: otto\n",
    });
    const c = resolveCredentials(
      { cloud: "alpha" },
      { ...base, env: { OS_CLIENT_CONFIG_FILE: path.join(other, "mine.yaml") } },
    );
    assert.equal(c.authUrl, "https://other/v3");
    assert.equal(c.username, "otto");
    // secure.yaml from the search directories still merges into the entry of the same name
    assert.equal(c.password, "alpha-secret-pw");
  });

  it("reads secure.yaml alone for a cloud clouds.yaml lacks, and OS_CLIENT_SECURE_FILE", () => {
    const d = tempDir({
      "clouds.yml": "clouds:\n  gamma:\n    auth:\n      auth_url: https://g/v3\n      username: g\n",
      "sec.yaml": "clouds:\n  gamma:\n    auth:\n      password: gamma-pw-789\n    region_name: RG\n",
    });
    const c = resolveCredentials(
      { cloud: "gamma" },
      { configDirs: [d], stackConfig: {}, env: { OS_CLIENT_SECURE_FILE: path.join(d, "sec.yaml") } },
    );
    assert.equal(c.password, "gamma-pw-789");
    assert.equal(c.region, "RG");
  });

  it("names the missing cloud and the clouds it has", () => {
    assert.throws(
      () => resolveCredentials({ cloud: "nope" }, { ...base, env: {} }),
      (e: Error) =>
        e instanceof ConfigurationError &&
        /"nope" is not in .*clouds\.yaml \(it has: alpha, beta/.test(e.message),
    );
    assert.throws(
      () => resolveCredentials({ cloud: "nope" }, { configDirs: [empty], stackConfig: {}, env: {} }),
      /no clouds\.yaml found/,
    );
  });

  it("fails clearly when no source is set", () => {
    assert.throws(
      () => resolveCredentials({}, { configDirs: [empty], stackConfig: {}, env: {} }),
      /no OpenStack credentials found/,
    );
  });

  it("names the missing key in the words of the winning source", () => {
    assert.throws(
      () => resolveCredentials({}, { ...base, env: { OS_AUTH_URL: "https://e/v3", OS_USERNAME: "u" } }),
      /password authentication needs a password: OS_PASSWORD \(environment/,
    );
    assert.throws(
      () =>
        resolveCredentials(
          {},
          { ...base, env: {}, stackConfig: { authUrl: "https://e/v3", password: "stack-pw-a1" } },
        ),
      /needs a user: openstack:userName .* or openstack:userId/,
    );
    assert.throws(
      () =>
        resolveCredentials(
          {},
          { ...base, env: { OS_AUTH_URL: "https://e/v3", OS_AUTH_TYPE: "v3applicationcredential" } },
        ),
      /needs a secret: OS_APPLICATION_CREDENTIAL_SECRET/,
    );
    assert.throws(
      () => resolveCredentials({}, { ...base, env: { OS_AUTH_URL: "ftp://e", OS_TOKEN: "env-token-d4" } }),
      /OS_AUTH_URL .* must be an http\(s\) URL/,
    );
    assert.throws(
      () =>
        resolveCredentials(
          {},
          { ...base, env: { OS_AUTH_URL: "https://e", OS_TOKEN: "env-token-d4", OS_INTERFACE: "private" } },
        ),
      /OS_INTERFACE .* must be public, internal or admin/,
    );
    assert.throws(
      () =>
        resolveCredentials(
          {},
          { ...base, env: { OS_AUTH_URL: "https://e", OS_TOKEN: "env-token-d4", OS_INSECURE: "maybe" } },
        ),
      /OS_INSECURE .* must be true or false/,
    );
    assert.throws(
      () => resolveCredentials({}, { ...base, env: { OS_AUTH_URL: "https://e", OS_AUTH_TYPE: "kerberos" } }),
      /OS_AUTH_TYPE .* "kerberos" is not supported/,
    );
  });

  it("infers the auth type: token, application credential, password", () => {
    const env = (extra: Record<string, string>) => ({ OS_AUTH_URL: "https://e/v3", ...extra });
    assert.equal(
      resolveCredentials({}, { ...base, env: env({ OS_TOKEN: "env-token-d4" }) }).authType,
      "token",
    );
    assert.equal(
      resolveCredentials(
        {},
        {
          ...base,
          env: env({
            OS_APPLICATION_CREDENTIAL_NAME: "n",
            OS_USERNAME: "u",
            OS_APPLICATION_CREDENTIAL_SECRET: "app-secret-e5",
          }),
        },
      ).authType,
      "v3applicationcredential",
    );
    assert.equal(
      resolveCredentials({}, { ...base, env: env({ OS_USERNAME: "u", OS_PASSWORD: "env-pw-b2" }) }).authType,
      "password",
    );
  });

  it("supports no-auth from clouds.yaml, the environment and the stack config", () => {
    const fromCloud = resolveCredentials({ cloud: "noauth-local" }, { ...base, env: {} });
    assert.equal(fromCloud.authType, "none");
    assert.equal(fromCloud.projectId, "proj-9");
    assert.deepEqual(fromCloud.endpointOverrides, { "shared-file-system": "http://127.0.0.1:2/v2/proj-9" });

    const fromEnv = resolveCredentials(
      {},
      {
        ...base,
        env: {
          OS_AUTH_TYPE: "noauth",
          OS_PROJECT_ID: "p",
          OS_SHAREV2_ENDPOINT_OVERRIDE: "http://127.0.0.1:2/v2/p",
        },
      },
    );
    assert.equal(fromEnv.authType, "none");

    // The stack config has no auth-type key: endpoint overrides without an auth URL mean no-auth.
    const fromStack = resolveCredentials(
      {},
      {
        ...base,
        env: {},
        stackConfig: { tenantId: "p", endpointOverrides: { compute: "http://127.0.0.1:5/v2.1" } },
      },
    );
    assert.equal(fromStack.authType, "none");
    const adminToken = resolveCredentials(
      {},
      {
        ...base,
        env: {},
        stackConfig: { token: "stack-token-g7", endpointOverrides: { compute: "http://127.0.0.1:5/v2.1" } },
      },
    );
    assert.equal(adminToken.authType, "admin_token");

    assert.throws(
      () => resolveCredentials({}, { ...base, env: { OS_AUTH_TYPE: "none", OS_PROJECT_ID: "p" } }),
      /none authentication needs an endpoint override per service \(OS_<SERVICE>_ENDPOINT_OVERRIDE/,
    );
    assert.throws(
      () =>
        resolveCredentials(
          {},
          { ...base, env: { OS_AUTH_TYPE: "none", OS_COMPUTE_ENDPOINT_OVERRIDE: "http://h/v2.1" } },
        ),
      /needs a project id: OS_PROJECT_ID/,
    );
  });

  it("does not pick the environment for an endpoint override alone when OS_CLOUD is set", () => {
    const c = resolveCredentials(
      {},
      { ...base, env: { OS_CLOUD: "alpha", OS_COMPUTE_ENDPOINT_OVERRIDE: "http://127.0.0.1:9/x" } },
    );
    assert.equal(c.username, "alice");
    assert.equal(c.endpointOverrides.compute, "http://127.0.0.1:1/compute");
  });

  describe("setStackConfig", () => {
    afterEach(() => setStackConfig(undefined));

    it("reads the dynamic provider's req.config (keys openstack:<name>) and is used by resolution", () => {
      const raw: Record<string, string> = {
        "openstack:authUrl": "https://cfg.example/v3",
        "openstack:userName": "dora",
        "openstack:password": "cfg-pw-000",
        "openstack:tenantId": "t",
        "myproj:password": "not-this-one",
      };
      setStackConfig({ get: (key: string) => raw[key] });
      assert.equal(getStackConfig().password, "cfg-pw-000");
      const c = resolveCredentials({}, { configDirs: [empty], env: { OS_AUTH_URL: "https://env/v3" } });
      assert.equal(c.username, "dora");
      assert.equal(redact("cfg-pw-000"), "***");
    });

    it("reads pulumi.Config('openstack') (keys without prefix) and plain maps", () => {
      const values: Record<string, string> = {
        authUrl: "https://x/v3",
        applicationCredentialId: "a",
        applicationCredentialSecret: "s3cr3t-app",
      };
      setStackConfig({ name: "openstack", get: (key: string) => values[key] });
      assert.equal(getStackConfig().applicationCredentialId, "a");
      setStackConfig({ "openstack:region": "R1", cloud: "alpha" });
      assert.deepEqual(getStackConfig(), { region: "R1", cloud: "alpha" });
    });

    it("rejects endpointOverrides that are not a map", () => {
      setStackConfig({ authUrl: "https://x/v3", token: "stack-token-f6", endpointOverrides: "not json" });
      assert.throws(
        () => resolveCredentials({}, { configDirs: [empty], env: {} }),
        /openstack:endpointOverrides must be a map/,
      );
    });
  });

  it("documents every key it reads in README.md's Configuration section", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Configuration"));
    const missing: string[] = [];
    for (const [, names] of CREDENTIAL_KEYS) {
      for (const key of [...names.stack.map((k) => `openstack:${k}`), ...names.env, ...names.clouds]) {
        if (!section.includes(`\`${key}`)) missing.push(key);
      }
    }
    assert.deepEqual(missing, []);
  });
});
