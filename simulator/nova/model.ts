// nova's state machines, apart from HTTP (see FACTS.md). Scaffold: filled in by the nova work.
import type { World } from "../core/world";

export class NovaModel {
  constructor(readonly world: World) {}

  /** Forgets every resource (control API reset). */
  reset(): void {}
}
