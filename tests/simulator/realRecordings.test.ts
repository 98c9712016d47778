// The simulator, playing Debian bookworm's releases (profile "debian-bookworm"), answers the recorded
// exchanges with the real Manila 15, Cinder 21 and Nova 26 (tests/real-openstack/recorded) exactly: status,
// body, and every header the services sent (request ids and URLs compared by shape). Only recordings that need
// no objects are replayed: version documents and microversion negotiation, where a service's generic layers
// (routing, middleware, wsgi) decide the answer.
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { startSimulator, type RunningSimulator } from "../../simulator/core/app";
import { SEED } from "../../simulator/core/identity";
import { RawClient, type Service } from "../real-openstack/support/client";

const RECORDINGS = ["versions.json", "microversion-errors.json"];
const MISSING_ID = "5e2a3b6c-0d1e-4f2a-8b3c-4d5e6f7a8b9c";

interface RecordedStep {
  step: string;
  request: { method: string; url: string; headers?: Record<string, string>; body?: unknown };
  response: { status: number; headers: Array<[string, string]>; body: unknown };
}

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;

describe("simulator (debian-bookworm profile) answers like the recorded real services", () => {
  let sim: RunningSimulator;
  let client: RawClient;
  const project = SEED.projects.find((p) => p.name === "admin")!.id;
  const placeholders: Array<[string, string]> = [];

  before(async () => {
    sim = await startSimulator({ auth: "noauth", profile: "debian-bookworm" });
    const bases = { manila: `${sim.url}/share`, cinder: `${sim.url}/volume`, nova: `${sim.url}/compute` };
    client = new RawClient({ ...bases, projectId: project } as any);
    // longest first: the service bases before the bare address
    placeholders.push(...Object.entries(bases).map(([s, url]) => [url, `<${s}>`] as [string, string]));
    placeholders.push([project, "<project-id>"], [MISSING_ID, "<uuid>"]);
  });
  after(() => sim.close());

  /** The simulator's text in the recording's terms (placeholders for its URLs, ids and request ids). */
  const recorded = (text: string) =>
    placeholders
      .reduce((out, [value, placeholder]) => out.split(value).join(placeholder), text)
      .replace(/req-[0-9a-f-]{36}/g, "req-<request-id>");
  const live = (text: string) =>
    text
      .replace(/<(manila|cinder|nova)>/, "")
      .replace(/<project-id>/g, project)
      .replace(/<uuid>/g, MISSING_ID);

  for (const file of RECORDINGS) {
    const steps = (
      JSON.parse(readFileSync(path.join(__dirname, "../real-openstack/recorded", file), "utf8"))
        .steps as RecordedStep[]
    ).filter((s) => s.request);
    describe(file, () => {
      for (const step of steps) {
        it(step.step, async () => {
          const service = /^<(manila|cinder|nova)>/.exec(step.request.url)![1] as Service;
          const res = await client.send(service, {
            method: step.request.method,
            path: live(step.request.url),
            headers: Object.fromEntries(
              Object.entries(step.request.headers ?? {}).map(([k, v]) => [k, live(v)]),
            ),
            body: step.request.body,
          });
          const headers = (list: Array<[string, string]>) =>
            list
              .filter(([name]) => !/^(date|content-length|connection|keep-alive|server)$/i.test(name))
              .map(([name, value]) => `${name.toLowerCase()}: ${recorded(value)}`)
              .sort();
          assert.deepEqual(
            {
              status: res.status,
              body: canonical(
                res.text === ""
                  ? null
                  : typeof res.body === "string"
                    ? recorded(res.body)
                    : JSON.parse(recorded(res.text)),
              ),
              headers: headers(res.rawHeaders),
            },
            {
              status: step.response.status,
              body: canonical(step.response.body),
              headers: headers(step.response.headers),
            },
          );
        });
      }
    });
  }
});
