// Reading `pulumi stack export` documents: what is picked, what is refused and how the message reads.
import { strict as assert } from "assert";
import { ENCRYPTED, ExportError, parseStackExport } from "../../cli/drift/stackExport";
import { SECRET_SIG, SECRET_VALUE, secretOf, stackExportOf } from "../support/stackExport";

const provider = "exports.handler = require('fs').writeFileSync('/tmp/never', 'x');";

const attachment = {
  kind: "BlockStorageAttachment",
  name: "data",
  id: "6b2c0d5e-7b3a-4a8e-9d63-6f1f0f2d8a11",
  inputs: { __provider: provider, volumeId: "v-1", connector: { host: "h" } },
  outputs: {
    __provider: provider,
    volumeId: "v-1",
    connector: { host: "h" },
    status: "attached",
    connectionInfo: { auth_password: "chap-secret-1" },
  },
  additionalSecretOutputs: ["connectionInfo"],
};

const parse = (doc: unknown) => parseStackExport(JSON.stringify(doc), "export.json");
const refused = (text: string) => {
  try {
    parseStackExport(text, "export.json");
  } catch (err) {
    assert.ok(err instanceof ExportError, String(err));
    return err.message;
  }
  return assert.fail("expected an ExportError");
};

describe("drift: reading a stack export", () => {
  it("picks the resources of this package, in order, without __provider; counts the others", () => {
    const other = {
      urn: "urn:pulumi:test::p::openstack:compute/instance:Instance::vm",
      type: "openstack:compute/instance:Instance",
      custom: true,
      id: "i-1",
    };
    const second = {
      ...attachment,
      kind: "VolumeAttachment",
      name: "vol",
      id: "s/v",
      additionalSecretOutputs: [],
    };
    const parsed = parse(stackExportOf([attachment, second], { others: [other] }));
    assert.equal(parsed.otherResources, 3, "the stack, the default provider and the instance");
    assert.deepEqual(
      parsed.resources.map((r) => [r.kind, r.name, r.id]),
      [
        ["BlockStorageAttachment", "data", attachment.id],
        ["VolumeAttachment", "vol", "s/v"],
      ],
    );
    const [first] = parsed.resources;
    assert.equal(
      first.urn,
      "urn:pulumi:test::test-project::pulumi-nodejs:dynamic/openstack-storage:BlockStorageAttachment::data",
    );
    assert.deepEqual(first.inputNames, ["volumeId", "connector"]);
    assert.ok(!("__provider" in first.outputs));
    assert.ok(!JSON.stringify(parsed.resources).includes("writeFileSync"), "the provider text is not kept");
  });

  it("replaces encrypted secrets by a marker and unwraps --show-secrets plaintext, wherever they are", () => {
    const encrypted = parse(stackExportOf([attachment])).resources[0];
    assert.equal(encrypted.outputs.connectionInfo, ENCRYPTED);
    assert.deepEqual(encrypted.secretOutputs, ["connectionInfo"]);
    const plain = parse(stackExportOf([attachment], { showSecrets: true })).resources[0];
    assert.deepEqual(plain.outputs.connectionInfo, { auth_password: "chap-secret-1" });

    const nested = {
      ...attachment,
      outputs: { ...attachment.outputs, connector: { host: secretOf("h") } },
      additionalSecretOutputs: [],
    };
    const parsed = parse(stackExportOf([nested])).resources[0];
    assert.deepEqual(parsed.outputs.connector, { host: ENCRYPTED });
    assert.deepEqual(parsed.secretOutputs, [], "only whole outputs count as secret outputs");
  });

  it("accepts an empty stack (no resources key) and versions 1 to 3", () => {
    const empty = { version: 3, deployment: { manifest: { time: "t", magic: "m", version: "v3" } } };
    assert.deepEqual(parse(empty), { resources: [], otherResources: 0 });
    assert.equal(parse({ ...stackExportOf([attachment]), version: 2 }).resources.length, 1);
  });

  it("refuses what is not JSON, naming the document and the parser's complaint", () => {
    assert.match(
      refused(""),
      /^export\.json is not valid JSON \(it is empty\): Unexpected end of JSON input/,
    );
    assert.match(
      refused("name: my-project\nruntime: nodejs\n"),
      /^export\.json is not valid JSON: Unexpected token/,
    );
    assert.match(refused('{"version": 3, "deployment": {'), /^export\.json is not valid JSON: /);
  });

  it("refuses JSON that is not a stack export, saying what was expected", () => {
    assert.equal(
      refused("[1, 2]"),
      'export.json is not a Pulumi stack export: it holds an array; expected the output of `pulumi stack export`: {"version": 3, "deployment": {"manifest": ..., "resources": [...]}}',
    );
    assert.match(
      refused(JSON.stringify({ config: { "openstack:authUrl": "x" } })),
      /^export\.json is not a Pulumi stack export: it has no version \(its top-level keys: config\); expected the output of `pulumi stack export`/,
    );
    // `pulumi stack export --file` writes the same document; a checkpoint's "latest" is not it.
    assert.match(
      refused(JSON.stringify({ version: 3, checkpoint: {} })),
      /it has no deployment \(its top-level keys: version, checkpoint\)/,
    );
    assert.match(
      refused(JSON.stringify({ version: "3", deployment: {} })),
      /"version" must be a positive integer, got "3"/,
    );
    assert.match(
      refused(JSON.stringify({ version: 4, deployment: {} })),
      /deployment version 4 is newer than this command understands \(3\)/,
    );
    assert.match(
      refused(JSON.stringify({ version: 3, deployment: [] })),
      /"deployment" must be an object, got an array/,
    );
    assert.match(
      refused(JSON.stringify({ version: 3, deployment: { resources: [] } })),
      /"deployment\.manifest" is missing/,
    );
    const manifest = { time: "t", magic: "m", version: "v3" };
    assert.match(
      refused(JSON.stringify({ version: 3, deployment: { manifest, resources: {} } })),
      /"deployment\.resources" must be an array, got object/,
    );
  });

  it("refuses a malformed resource, naming its index and URN", () => {
    const doc = stackExportOf([attachment]);
    (doc.deployment.resources as unknown[]).push("oops");
    assert.match(
      refused(JSON.stringify(doc)),
      /^export\.json: deployment\.resources\[3\] is not a resource \(it needs a "urn" and a "type"\)$/,
    );
    const noId = stackExportOf([{ ...attachment, id: "" }]);
    assert.match(
      refused(JSON.stringify(noId)),
      /deployment\.resources\[2\] \(urn:pulumi:test::test-project::.*::data\) has no "id"/,
    );
    const badOutputs = stackExportOf([attachment]);
    (badOutputs.deployment.resources[2] as Record<string, unknown>).outputs = "x";
    assert.match(refused(JSON.stringify(badOutputs)), /"outputs" must be an object, got string/);
    const badSecret = stackExportOf([
      { ...attachment, outputs: { status: { [SECRET_SIG]: SECRET_VALUE, plaintext: "{" } } },
    ]);
    assert.match(refused(JSON.stringify(badSecret)), /a secret's plaintext is not JSON/);
  });
});
