// Where the services started by start.sh listen: run/endpoints.json, written once they are ready.
import { readFileSync } from "fs";
import * as path from "path";

export interface RealEndpoints {
  /** The one project every caller uses (noauth takes it from the token; Nova talks to Cinder as it). */
  projectId: string;
  /** Base URLs without a version path, e.g. http://127.0.0.1:20067 */
  manila: string;
  cinder: string;
  nova: string;
  placement: string;
  neutron: string;
  /** DHSS=True share type on the dummy backend alpha. */
  shareType: string;
  /** host@backend of that backend, as share-server manage wants it. */
  shareBackendHost: string;
  flavorId: string;
}

export const RUN_DIR = process.env.REAL_OPENSTACK_RUN_DIR ?? path.join(__dirname, "..", "run");

export function loadEndpoints(): RealEndpoints {
  const file = path.join(RUN_DIR, "endpoints.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as RealEndpoints;
  } catch (err) {
    throw new Error(
      `cannot read ${file} (${(err as Error).message}): start the services first ` +
        "(tests/real-openstack/start.sh, or npm run test:openstack which starts and stops them)",
    );
  }
}
