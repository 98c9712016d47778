// Differences between the simulator's and the real services' traces that are not simulator bugs: artifacts
// of the Debian test deployment (its fake drivers). Each is written down in FINDINGS.md §6.
import type { KnownDifference } from "../scenarios/agreement";

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    key: "connectionInfo",
    reason:
      "Cinder's FakeLoggingVolumeDriver returns a flat connection info without target or credentials; the " +
      "simulator models an LVM/iSCSI backend (FINDINGS.md §4, §6)",
  },
  {
    key: "attachedDevice",
    reason:
      "Nova's fake virt driver names disks /dev/sdX (root /dev/sda); libvirt with virtio, which the simulator " +
      "models, names them /dev/vdX (FINDINGS.md §6)",
  },
];
