// Records what the real services answer, for the simulator's authors: one JSON file per scenario under
// recorded/. Needs the services running (start.sh). A scenario that fails is still written, marked
// "incomplete", and the run goes on; the exit code says whether all succeeded. Usage:
//   npx ts-node --transpile-only tests/real-openstack/record.ts [scenario-id-or-prefix ...]   (none = all)
import { execFileSync } from "child_process";
import * as path from "path";
import { loadEndpoints } from "./support/endpoints";
import { RawClient } from "./support/client";
import { Scenario, ScenarioDefinition } from "./record/recorder";
import { versionScenarios } from "./record/versions";
import { manilaScenarios } from "./record/manila";
import { cinderScenarios } from "./record/cinder";
import { novaScenarios } from "./record/nova";

const ALL: ScenarioDefinition[] = [
  ...versionScenarios,
  ...manilaScenarios,
  ...cinderScenarios,
  ...novaScenarios,
];

function packageVersions(): Record<string, string> {
  const names = ["manila-api", "cinder-api", "nova-api", "placement-api", "neutron-api"];
  const out = execFileSync("dpkg-query", ["-W", "-f", "${Package} ${Version}\\n", ...names], {
    encoding: "utf8",
  });
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string]),
  );
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const chosen = ALL.filter((d) => wanted.length === 0 || wanted.some((w) => d.id.startsWith(w)));
  if (chosen.length === 0)
    throw new Error(`no scenario matches ${wanted.join(" ")}; known: ${ALL.map((d) => d.id).join(", ")}`);
  const client = new RawClient(loadEndpoints());
  const provenance = {
    packages: packageVersions(),
    maxMicroversions: { manila: "2.73", cinder: "3.70", nova: "2.93" },
    deployment:
      "tests/real-openstack/start.sh: noauth everywhere, Manila dummy driver (DHSS=True; backend alpha, and beta whose " +
      "driver cannot unmanage share servers), Cinder FakeLoggingVolumeDriver, Nova fake virt driver; cinder-api treats " +
      "requests as service requests unless they carry X-Service-Roles (templates/python/realos_service_roles.py)",
  };
  const dir = path.join(__dirname, "recorded");
  let failed = 0;
  for (const def of chosen) {
    const started = Date.now();
    const s = new Scenario(def.id, def.description, client);
    let failure: string | undefined;
    try {
      await def.run(s);
    } catch (err) {
      failure = (err as Error).message;
      failed++;
    }
    const file = s.write(dir, provenance, failure);
    console.log(
      `${failure ? "INCOMPLETE" : "ok"} ${path.relative(process.cwd(), file)} (${((Date.now() - started) / 1000).toFixed(1)} s)${failure ? `: ${failure}` : ""}`,
    );
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
