// cinder's state machines, apart from HTTP (see FACTS.md). Scaffold: filled in by the cinder work.
import type { World } from "../core/world";

export class CinderModel {
  constructor(readonly world: World) {}

  /** Forgets every resource (control API reset). */
  reset(): void {}
}
