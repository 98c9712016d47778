// Cloud objects for resource tests, made through the simulator's own API as a seeded user, and the
// clouds.yaml that points the provider at the simulator (entries "simulator" = admin, "simulator-demo").
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cloudsYaml, type RunningSimulator } from "../../simulator/core/app";
import type { SimulatorClient, User } from "./simulatorClient";

export const IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b";
/** The flavor with hw:mem_page_size, as virtiofs shares need (FACTS §2.5 step 5). */
export const VIRTIOFS_FLAVOR = "42";
export const SERVERS = "/compute/v2.1/servers";

/** A server of `user`, ACTIVE, or SHUTOFF with `stopped`. */
export async function createServer(
  client: SimulatorClient,
  options: { user?: User; stopped?: boolean } = {},
): Promise<string> {
  const user = options.user ?? "demo";
  const res = await client.call(user, "POST", SERVERS, {
    body: { server: { name: "vm", flavorRef: VIRTIOFS_FLAVOR, imageRef: IMAGE_ID } },
  });
  if (res.status !== 202) throw new Error(`creating a server: ${res.status} ${JSON.stringify(res.body)}`);
  const id: string = res.body.server.id;
  await serverReaches(client, id, "ACTIVE");
  if (options.stopped) {
    await client.call(user, "POST", `${SERVERS}/${id}/action`, { body: { "os-stop": null } });
    await serverReaches(client, id, "SHUTOFF");
  }
  return id;
}

/** The server as admin sees it (status, metadata, OS-EXT-STS:*). */
export async function serverOf(client: SimulatorClient, id: string): Promise<any> {
  return (await client.call("admin", "GET", `${SERVERS}/${id}`)).body.server;
}

export function serverReaches(client: SimulatorClient, id: string, status: string): Promise<any> {
  return client.until(
    () => serverOf(client, id),
    (s) => s?.status === status && !s["OS-EXT-STS:task_state"],
  );
}

/** An available Manila share of `user` (NFS unless `proto` says otherwise), with an export location. */
export async function createShare(
  client: SimulatorClient,
  options: { user?: User; proto?: string } = {},
): Promise<string> {
  const user = options.user ?? "demo";
  const res = await client.call(user, "POST", "/share/v2/shares", {
    mv: "2.82",
    body: { share: { share_proto: options.proto ?? "NFS", size: 1 } },
  });
  if (res.status !== 200) throw new Error(`creating a share: ${res.status} ${JSON.stringify(res.body)}`);
  const id: string = res.body.share.id;
  await client.until(
    () => client.call("admin", "GET", `/share/v2/shares/${id}`, { mv: "2.82" }),
    (r) => r.body.share.status === "available",
  );
  return id;
}

/** Writes the simulator's clouds.yaml to a temporary file and points OS_CLIENT_CONFIG_FILE at it. */
export function useSimulatorClouds(sim: RunningSimulator): { restore(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-clouds-"));
  const file = path.join(dir, "clouds.yaml");
  fs.writeFileSync(file, cloudsYaml(sim));
  const previous = process.env.OS_CLIENT_CONFIG_FILE;
  process.env.OS_CLIENT_CONFIG_FILE = file;
  return {
    restore() {
      if (previous === undefined) delete process.env.OS_CLIENT_CONFIG_FILE;
      else process.env.OS_CLIENT_CONFIG_FILE = previous;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Service requests the simulator logged since `since` (epoch ms), as "METHOD path" strings. */
export async function requestsSince(client: SimulatorClient, since: number): Promise<string[]> {
  const { requests } = (await client.control("GET", `/requests?since=${since}`)).body;
  return requests.filter((r: any) => r.service !== "identity").map((r: any) => `${r.method} ${r.path}`);
}
