// Nova (compute v2.1) on the simulator: /compute/... (service) and /_sim/nova/... (control).
import type { FastifyInstance } from "fastify";
import { registerServiceControl } from "../control/routes";
import { registerService } from "../core/service";
import type { World } from "../core/world";
import { register as registerControl } from "./control";
import { register as registerInstanceActions } from "./routes/instanceActions";
import { register as registerServerShares } from "./routes/serverShares";
import { register as registerServers } from "./routes/servers";
import { register as registerVersions } from "./routes/versions";
import { register as registerVolumeAttachments } from "./routes/volumeAttachments";

export function register(app: FastifyInstance, world: World): void {
  registerService(app, world, "compute", (scope) => {
    registerVersions(scope, world);
    registerServers(scope, world);
    registerServerShares(scope, world);
    registerVolumeAttachments(scope, world);
    registerInstanceActions(scope, world);
  });
  registerServiceControl(app, "nova", (scope) => registerControl(scope, world));
}
