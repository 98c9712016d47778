// Registers the nova API on the simulator. Scaffold: routes are added by the nova work.
import type { FastifyInstance } from "fastify";
import type { World } from "../core/world";

export function register(_app: FastifyInstance, _world: World): void {}
