// manila's state machines, apart from HTTP (see FACTS.md). Scaffold: filled in by the manila work.
import type { World } from "../core/world";

export class ManilaModel {
  constructor(readonly world: World) {}

  /** Forgets every resource (control API reset). */
  reset(): void {}
}
