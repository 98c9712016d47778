// Manila v2 on the simulator: /share/... (service) and /_sim/manila/... (control).
import type { FastifyInstance } from "fastify";
import { registerServiceControl } from "../control/routes";
import { registerService } from "../core/service";
import type { World } from "../core/world";
import { register as registerControl } from "./control";
import { register as registerShareNetworks } from "./routes/shareNetworks";
import { register as registerShares } from "./routes/shares";
import { register as registerShareServers } from "./routes/shareServers";
import { register as registerVersions } from "./routes/versions";

export function register(app: FastifyInstance, world: World): void {
  registerService(app, world, "share", (scope) => {
    registerVersions(scope, world);
    registerShares(scope, world);
    registerShareNetworks(scope, world);
    registerShareServers(scope, world);
  });
  registerServiceControl(app, "manila", (scope) => registerControl(scope, world));
}
