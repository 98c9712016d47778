// Version documents and the error shapes of microversion negotiation, on all three services.
import { Scenario, ScenarioDefinition } from "./recorder";
import { Service } from "../support/client";

export const MAX_MICROVERSION: Record<Service, string> = { manila: "2.73", cinder: "3.70", nova: "2.93" };
const NO_SUCH_ID = "11111111-2222-3333-4444-555555555555";

async function versionDocuments(s: Scenario): Promise<void> {
  const paths: Record<Service, string[]> = {
    manila: ["/", "/v2", "/v2/"],
    cinder: ["/", "/v3", "/v3/"],
    nova: ["/", "/v2.1", "/v2.1/", "/v2", "/v2/"],
  };
  for (const service of ["manila", "cinder", "nova"] as const) {
    for (const p of paths[service]) await s.call(`${service} GET ${p}`, service, "GET", p);
  }
}

async function microversionErrors(s: Scenario): Promise<void> {
  const p = s.client.endpoints.projectId;
  // Manila: reads only X-OpenStack-Manila-API-Version
  const mServers = `/v2/${p}/share-servers`;
  await s.call("manila: missing share server at max", "manila", "GET", `${mServers}/${NO_SUCH_ID}`, {
    mv: "2.73",
  });
  await s.call("manila: list share servers without any microversion header (2.0)", "manila", "GET", mServers);
  for (const v of ["2.x", "latest", "2", " 2.73", "2.073"]) {
    await s.call(`manila: malformed microversion ${JSON.stringify(v)}`, "manila", "GET", mServers, { mv: v });
  }
  for (const v of ["2.74", "3.0", "1.0", "1.9"]) {
    await s.call(`manila: microversion ${v} out of range`, "manila", "GET", mServers, { mv: v });
  }
  await s.call("manila: manage below its microversion (2.48)", "manila", "POST", `${mServers}/manage`, {
    mv: "2.48",
    body: { share_server: { host: "ostest@alpha", share_network_id: NO_SUCH_ID, identifier: "x" } },
  });
  await s.call("manila: the new-style header only (ignored by Manila)", "manila", "GET", mServers, {
    headers: { "OpenStack-API-Version": "shared-file-system 2.73" },
  });
  await s.call("manila: unknown path", "manila", "GET", `/v2/${p}/no-such-collection`, { mv: "2.73" });

  // Cinder: reads OpenStack-API-Version, entry "volume"
  const cAtt = `/v3/${p}/attachments`;
  await s.call("cinder: missing attachment at max", "cinder", "GET", `${cAtt}/${NO_SUCH_ID}`, { mv: "3.70" });
  await s.call("cinder: attachments without a microversion header (3.0)", "cinder", "GET", cAtt);
  await s.call("cinder: attachments below their microversion (3.26)", "cinder", "GET", cAtt, { mv: "3.26" });
  await s.call(
    "cinder: os-complete below its microversion (3.43)",
    "cinder",
    "POST",
    `${cAtt}/${NO_SUCH_ID}/action`,
    {
      mv: "3.43",
      body: { "os-complete": null },
    },
  );
  for (const v of ["3.x", "3", "latest"]) {
    await s.call(`cinder: microversion ${JSON.stringify(v)}`, "cinder", "GET", cAtt, { mv: v });
  }
  for (const v of ["3.71", "4.0", "2.0"]) {
    await s.call(`cinder: microversion ${v} out of range`, "cinder", "GET", cAtt, { mv: v });
  }
  for (const h of ["compute 2.93", "volume", "", "volume 3.70, compute 2.1", "VOLUME 3.70"]) {
    await s.call(`cinder: OpenStack-API-Version ${JSON.stringify(h)}`, "cinder", "GET", cAtt, {
      headers: { "OpenStack-API-Version": h },
    });
  }
  await s.call("cinder: unknown path", "cinder", "GET", `/v3/${p}/no-such-collection`, { mv: "3.70" });

  // Nova: OpenStack-API-Version "compute X" or the legacy X-OpenStack-Nova-API-Version
  await s.call("nova: missing server at max", "nova", "GET", `/v2.1/servers/${NO_SUCH_ID}`, { mv: "2.93" });
  await s.call("nova: servers without a microversion header (2.1)", "nova", "GET", "/v2.1/servers");
  for (const v of ["2.x", "2", "latest"]) {
    await s.call(`nova: microversion ${JSON.stringify(v)}`, "nova", "GET", "/v2.1/servers", { mv: v });
  }
  for (const v of ["2.94", "3.0", "2.0"]) {
    await s.call(`nova: microversion ${v} out of range`, "nova", "GET", "/v2.1/servers", { mv: v });
  }
  await s.call("nova: legacy header X-OpenStack-Nova-API-Version 2.93", "nova", "GET", "/v2.1/servers", {
    headers: { "X-OpenStack-Nova-API-Version": "2.93" },
  });
  await s.call(
    "nova: server shares (2.97, beyond this Nova) at its max",
    "nova",
    "GET",
    `/v2.1/servers/${NO_SUCH_ID}/shares`,
    { mv: "2.93" },
  );
  await s.call("nova: server shares asking for 2.97", "nova", "GET", `/v2.1/servers/${NO_SUCH_ID}/shares`, {
    mv: "2.97",
  });
  await s.call("nova: unknown path", "nova", "GET", "/v2.1/no-such-collection", { mv: "2.93" });
}

export const versionScenarios: ScenarioDefinition[] = [
  {
    id: "versions",
    description: "GET of each service's root and major-version documents (no microversion header)",
    run: versionDocuments,
  },
  {
    id: "microversion-errors",
    description:
      "Error shapes: 404 for a missing object, 400 malformed microversion, 406 out of range, 404 for a method below its " +
      "microversion, and what each service echoes; Cinder with a header that names no volume entry",
    run: microversionErrors,
  },
];
