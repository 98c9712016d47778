// nova's state machines, apart from HTTP (see FACTS.md). Scaffold: filled in by the nova work.
import type { World } from "../core/world";

export class NovaModel {
  constructor(readonly world: World) {}

  /**
   * The Cinder attachment id Nova records for this server's attachment of `volumeId` (what
   * `GET /servers/{id}/os-volume_attachments/{volume_id}` reports as attachment_id), or undefined.
   * Cinder's ConflictNovaUsingAttachment guard asks this (FACTS §5.6 DELETE).
   */
  volumeAttachmentIdFor(_serverId: string, _volumeId: string): string | undefined {
    return undefined; // Scaffold until Nova's volume attachments exist.
  }

  /** Forgets every resource (control API reset). */
  reset(): void {}
}
