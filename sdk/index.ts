// What users import: `import * as storage from "pulumi-openstack-storage"`.
export type { CommonArgs } from "./storageResource";
export * from "./serverShareAttachment";
export * from "./volumeAttachment";
export * from "./blockStorageAttachment";
export * from "./shareServer";
export * from "./lookups/serverShares";
export * from "./lookups/volumeAttachments";
export * from "./lookups/blockStorageAttachments";
export * from "./lookups/shareServers";
export { LookupArgumentError } from "./lookups/common";
export type { LookupScopeArgs, LookupInputs } from "./lookups/common";
