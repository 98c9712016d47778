// A resource kind that exists only in tests, to prove the serialized shim's delegation before the real
// providers exist. A provider host started with `preload: [probeProviderModule]` loads this file first; it
// registers the kind "Probe" in the registry that the shim will require, resolved the same way (from the
// host's working directory), so it is the same module instance even in an `npm pack` install.
// Each method echoes what reached it, so tests can see arguments arrive intact; secrets (the stack
// config's password) only as a fingerprint, so that no output of the run holds a credential (secret scan).
import { createHash } from "crypto";
import * as fs from "fs";
import { createRequire } from "module";
import type * as openstack from "../../provider/openstack";
import type * as registry from "../../provider/resources";

export const probeKind = "Probe";
export const probeProviderModule = __filename;

const requireFromProject = createRequire(process.cwd() + "/");
const registryFile = requireFromProject.resolve("pulumi-openstack-storage/provider/resources");
const { registerImplementation, isUnknown } = requireFromProject(registryFile) as typeof registry;
// The client core of the same copy, to show what the wrapper's configure handed it.
const core = createRequire(registryFile)("../openstack") as typeof openstack;

/** What the probe echoes instead of a secret value: enough to compare, nothing to reuse. */
export function fingerprint(secret: unknown): string | undefined {
  if (typeof secret !== "string") return undefined;
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 16)}`;
}

let configured: Record<string, unknown> | undefined;
let configureCalls = 0;

registerImplementation(probeKind, {
  configure(req) {
    configureCalls++;
    configured = {
      password: fingerprint(req.config.get("openstack:password")),
      authUrl: req.config.get("openstack:authUrl"),
      // A key without a namespace belongs to the project (PULUMI_NODEJS_PROJECT).
      projectSetting: req.config.get("setting"),
    };
  },
  async check(olds, news) {
    const failures = news.failCheck ? [{ property: "failCheck", reason: String(news.failCheck) }] : [];
    return { inputs: { ...news, checkedOlds: olds, notSet: undefined }, failures };
  },
  async diff(_id, olds, news) {
    const keys = Object.keys(news).filter((key) => key !== "__provider");
    return {
      changes: keys.some((key) => JSON.stringify(news[key]) !== JSON.stringify(olds[key])),
      replaces: keys.filter(
        (key) => isUnknown(news[key]) || (key.startsWith("replace") && news[key] !== olds[key]),
      ),
      deleteBeforeReplace: news.deleteBeforeReplace === true,
    };
  },
  async create(inputs) {
    if (inputs.failAfterCreate) {
      throw Object.assign(new Error(`probe: ${inputs.failAfterCreate}`), {
        id: "probe-partial",
        properties: { ...inputs, half: true, notSet: undefined },
        reasons: ["the object exists but did not become ready"],
      });
    }
    if (inputs.fail) throw new Error(`probe: ${inputs.fail}`);
    // Log lines through the client core, as a provider does: [["info", "text"], ...].
    for (const [level, message] of (inputs.log ?? []) as [keyof openstack.Logger, string][]) {
      core.log[level](message);
    }
    // A long wait with progress lines, as a resource waits for the cloud: until the file exists.
    if (inputs.waitForFile) {
      await core.waitFor({
        what: `probe file ${inputs.waitForFile}`,
        timeoutMs: 10_000, // under the 20 s of a test's mocha timeout: a wait that never ends fails as itself
        progressIntervalMs: 20,
        onProgress: (message) => core.log.info(message),
        poll: async () =>
          fs.existsSync(inputs.waitForFile) ? { done: true, value: true } : { done: false, state: "absent" },
      });
    }
    // What a real provider does first: resolve credentials (from the stack config configure handed the
    // core) and find its endpoint in the catalog.
    const scope = inputs.connect ? await core.connect({}).scope("compute") : undefined;
    // Read `configured` once create runs: a configure that finished late would show here as undefined.
    return {
      id: "probe-1",
      outs: {
        ...inputs,
        log: undefined, // lines to log are not state (and a test logs a secret to see it redacted)
        configured,
        configureCalls,
        coreStackConfig: withFingerprint(core.getStackConfig()),
        scope,
        notSet: undefined,
        list: [1, undefined, { deep: undefined }],
      },
    };
  },
  async read(id, props) {
    if (id === "probe-gone") return {};
    return { id, props: { ...props, readCount: Number(props?.readCount ?? 0) + 1, notSet: undefined } };
  },
  async update(_id, olds, news) {
    return { outs: { ...news, previousValue: olds.value, notSet: undefined } };
  },
  async delete(_id, props) {
    if (props.failDelete) throw new Error(`probe: ${props.failDelete}`);
  },
});

function withFingerprint(config: Record<string, unknown> | undefined) {
  return config && { ...config, password: fingerprint(config.password) };
}
