// The simulated backend: an LVM-like iSCSI driver. It validates connectors and builds connection_info the
// way cinder's iSCSI target helper does (cinder/volume/targets/iscsi.py::_get_iscsi_properties), including
// CHAP credentials, so secret-handling code on the client side has a real secret to protect.
import { randomBytes } from "crypto";
import { ApiFault } from "../core/faults";

/** What a volume's export looks like on the backend ("provider_location"/"provider_auth"). */
export interface IscsiExport {
  portal: string;
  iqn: string;
  lun: number;
  chapUsername: string;
  chapPassword: string;
}

export const BACKEND_HOST = "simulator@lvm#lvm";

/** A new export for a volume, with fresh CHAP credentials (as the LVM driver creates at volume create). */
export function newExport(volumeId: string): IscsiExport {
  return {
    portal: "127.0.0.1:3260",
    iqn: `iqn.2010-10.org.openstack:volume-${volumeId}`,
    lun: 0,
    chapUsername: randomBytes(15).toString("base64url").slice(0, 20),
    chapPassword: randomBytes(12).toString("base64url").slice(0, 16),
  };
}

/**
 * ISCSITarget.validate_connector: the initiator name is required. The volume manager turns the driver's
 * InvalidConnectorException into InvalidInput (400 on PUT, 500 on POST; FACTS §5.6).
 */
export function validateConnector(connector: Record<string, unknown>): void {
  if (!("initiator" in connector)) {
    throw new ApiFault(400, "Invalid input received: Connector doesn't have required information: initiator");
  }
}

/**
 * The flattened connection_info the manager returns: the driver's `data` merged with the top level
 * (driver_volume_type), access_mode/encrypted/qos_specs/cacheable added by the manager, then attachment_id
 * and enforce_multipath.
 */
export function connectionInfo(
  volumeId: string,
  exp: IscsiExport,
  options: { attachmentId: string; readonly: boolean; connector: Record<string, unknown> },
): Record<string, unknown> {
  return {
    target_discovered: false,
    target_portal: exp.portal,
    target_iqn: exp.iqn,
    target_lun: exp.lun,
    volume_id: volumeId,
    auth_method: "CHAP",
    auth_username: exp.chapUsername,
    auth_password: exp.chapPassword,
    encrypted: false,
    qos_specs: null,
    access_mode: options.readonly ? "ro" : "rw",
    cacheable: false,
    driver_volume_type: "iscsi",
    attachment_id: options.attachmentId,
    enforce_multipath: options.connector.enforce_multipath ?? false,
  };
}
