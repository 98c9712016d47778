// The real deployment is up and is the one the recordings and FINDINGS.md describe: every API answers its
// version document with the expected microversion range, and every service reports itself up.
import * as assert from "assert";
import { RawClient, Service } from "./support/client";
import { loadEndpoints } from "./support/endpoints";

const EXPECTED: Record<Service, { path: string; id: string; min: string; max: string }> = {
  manila: { path: "/v2/", id: "v2.0", min: "2.0", max: "2.73" },
  cinder: { path: "/v3/", id: "v3.0", min: "3.0", max: "3.70" },
  nova: { path: "/v2.1/", id: "v2.1", min: "2.1", max: "2.93" },
};

describe("real OpenStack services", () => {
  const client = new RawClient(loadEndpoints());
  const token = { "X-Auth-Token": `admin:${client.endpoints.projectId}` };

  for (const [service, want] of Object.entries(EXPECTED) as Array<[Service, (typeof EXPECTED)[Service]]>) {
    it(`${service} serves ${want.id} with microversions ${want.min} to ${want.max}`, async () => {
      const res = await client.send(service, { method: "GET", path: want.path, headers: token });
      assert.strictEqual(res.status, 200, res.text);
      const body = res.body as any;
      // Nova answers {"version": {...}}, Manila and Cinder {"versions": [{...}]}
      const doc = body.version ?? body.versions?.find((v: any) => v.id === want.id);
      assert.ok(doc, `no ${want.id} entry in ${res.text}`);
      assert.deepStrictEqual(
        { id: doc.id, status: doc.status, min: doc.min_version, max: doc.version },
        { id: want.id, status: "CURRENT", min: want.min, max: want.max },
      );
    });
  }

  const servicesUp: Array<[Service, string, Record<string, string>, string[]]> = [
    [
      "manila",
      `/v2/${client.endpoints.projectId}/services`,
      { "X-OpenStack-Manila-API-Version": "2.73" },
      ["manila-scheduler@ostest", "manila-share@ostest@alpha", "manila-share@ostest@beta"],
    ],
    [
      "cinder",
      `/v3/${client.endpoints.projectId}/os-services`,
      { "OpenStack-API-Version": "volume 3.70" },
      ["cinder-scheduler@ostest", "cinder-volume@ostest@fake"],
    ],
    [
      "nova",
      "/v2.1/os-services",
      { "OpenStack-API-Version": "compute 2.93" },
      ["nova-compute@ostest", "nova-conductor@ostest", "nova-scheduler@ostest"],
    ],
  ];
  for (const [service, path, headers, expected] of servicesUp) {
    it(`${service}: ${expected.join(", ")} are up`, async () => {
      const res = await client.send(service, { method: "GET", path, headers: { ...token, ...headers } });
      assert.strictEqual(res.status, 200, res.text);
      const up = ((res.body as any).services as any[])
        .filter((s) => s.state === "up")
        .map((s) => `${s.binary}@${s.host}`);
      for (const name of expected) assert.ok(up.includes(name), `${name} is not up; up: ${up.join(", ")}`);
    });
  }
});
