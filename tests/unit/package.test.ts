import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

// Pins that the toolchain depends on (see ../shared/docs/pulumi-dynamic-providers.md).
describe("package pins", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));

  it("pins TypeScript 5 (7.x breaks ts-node and Pulumi's closure serializer)", () => {
    assert.match(pkg.devDependencies.typescript, /^5\.\d+\.\d+$/);
  });

  it("pins @pulumi/pulumi exactly as a dev dependency and declares it as a peer", () => {
    assert.match(pkg.devDependencies["@pulumi/pulumi"], /^\d+\.\d+\.\d+$/);
    assert.ok(pkg.peerDependencies["@pulumi/pulumi"]);
  });
});
