// Nova's settings under `config.services.nova` (README "Simulator"), with their checks.

/** What `hardware.check_shares_supported` concludes for a server (FACTS §2.5 step 5). */
export type SharesSupport = "supported" | "not-supported" | "not-configured";

/** Settings under `config.services.nova`. */
export interface NovaSettings {
  /** Compute capability for virtiofs shares, for servers without their own setting (control API). */
  sharesSupport: SharesSupport;
  /** CONF.my_shared_fs_storage_ip: the NFS access rule's target. */
  sharedFsStorageIp: string;
  /** [manila] share_apply_policy_timeout: how many polls allow_share waits for the rule to be active. */
  shareApplyPolicyTimeout: number;
  /** What the compute does with a volume attach: "attached", or "fail" (the attachment and BDM are rolled back). */
  volumeAttachOutcome: "attached" | "fail";
  /** Policy rules denied to non-admin callers, as a customised policy file would. */
  policyDenied: string[];
}

export const DEFAULT_NOVA_SETTINGS: NovaSettings = {
  sharesSupport: "supported",
  sharedFsStorageIp: "192.0.2.10",
  shareApplyPolicyTimeout: 10,
  volumeAttachOutcome: "attached",
  policyDenied: [],
};

/** Checks `services.nova` from a config file; `fail` names the property. */
export function checkNovaSettings(value: unknown, fail: (property: string, rule: string) => never): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("", "must be a mapping");
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    switch (key) {
      case "sharesSupport":
        if (!["supported", "not-supported", "not-configured"].includes(v as string)) {
          fail(key, "must be supported, not-supported or not-configured");
        }
        break;
      case "sharedFsStorageIp":
        if (typeof v !== "string" || v === "") fail(key, "must be a non-empty string");
        break;
      case "shareApplyPolicyTimeout":
        if (!Number.isInteger(v) || (v as number) < 1) fail(key, "must be a positive integer");
        break;
      case "volumeAttachOutcome":
        if (v !== "attached" && v !== "fail") fail(key, "must be attached or fail");
        break;
      case "policyDenied":
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
          fail(key, "must be a list of policy rule names");
        break;
      default:
        fail(key, `is not a Nova setting (known: ${Object.keys(DEFAULT_NOVA_SETTINGS).join(", ")})`);
    }
  }
}
