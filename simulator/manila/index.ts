// Registers the manila API on the simulator. Scaffold: routes are added by the manila work.
import type { FastifyInstance } from "fastify";
import type { World } from "../core/world";

export function register(_app: FastifyInstance, _world: World): void {}
