// Lookups over Cinder's attachments API (volume 3.27+, FACTS §5): the list (summary or detail, every page)
// and one attachment with its connection info, which is returned as a Pulumi secret.
import * as pulumi from "@pulumi/pulumi";
import { Session } from "../../provider/openstack";
import {
  ATTACHMENTS_BEST,
  ATTACHMENTS_MIN,
  AttachStatus,
  CinderAttachment,
  listAttachments,
  showAttachment,
} from "../../provider/blockstorage/attachments";
import {
  LookupArgumentError,
  LookupInputs,
  LookupScopeArgs,
  lookupSession,
  optionalChoice,
  outputForm,
} from "./common";
import { optionalUuid, requiredUuid } from "./ids";

const STATUSES: readonly AttachStatus[] = [
  "reserved",
  "attaching",
  "attached",
  "detached",
  "error_attaching",
  "error_detaching",
  "deleted",
];
const SORT = /^[a-z_]+(:(asc|desc))?(,[a-z_]+(:(asc|desc))?)*$/;

export interface GetBlockStorageAttachmentsArgs extends LookupScopeArgs {
  /** Only attachments of this volume. */
  volumeId?: string;
  /** Only attachments for this instance (server). */
  instanceId?: string;
  /** Only attachments in this attach status: reserved, attaching, attached, error_attaching, ... */
  status?: AttachStatus;
  /** Every project's attachments (needs the admin role; Cinder would silently ignore it otherwise). */
  allTenants?: boolean;
  /** Cinder's sort, e.g. `"created_at:asc"` or `"attach_status,created_at:desc"`. Default: newest first. */
  sort?: string;
  /** Return at most this many attachments. Default: all. */
  limit?: number;
  /** Attachments asked for per request while paging. Default: 1000 (Cinder's own cap). */
  pageSize?: number;
  /** Use the detail list (adds attachedAt, detachedAt, attachMode). Default: false. */
  detail?: boolean;
}

/** One attachment of the list; the detail fields only with `detail: true`. Never the connection info. */
export interface BlockStorageAttachmentInfo {
  id: string;
  /** The attach status. */
  status: string;
  volumeId: string;
  instanceId?: string;
  attachedAt?: string;
  detachedAt?: string;
  /** "rw", "ro" or "null". */
  attachMode?: string;
}

export interface GetBlockStorageAttachmentsResult {
  attachments: BlockStorageAttachmentInfo[];
}

export interface GetBlockStorageAttachmentArgs extends LookupScopeArgs {
  attachmentId: string;
}

export interface GetBlockStorageAttachmentResult extends BlockStorageAttachmentInfo {
  /** What the host needs to connect the volume; it can hold CHAP credentials, hence a secret. */
  connectionInfo: pulumi.Output<Record<string, any>>;
}

function info(a: CinderAttachment): BlockStorageAttachmentInfo {
  const out: BlockStorageAttachmentInfo = { id: a.id, status: a.status, volumeId: a.volumeId };
  if (a.instanceId) out.instanceId = a.instanceId;
  if (a.attachedAt) out.attachedAt = a.attachedAt;
  if (a.detachedAt) out.detachedAt = a.detachedAt;
  if (a.attachMode !== undefined) out.attachMode = a.attachMode;
  return out;
}

function optionalPositiveInteger(lookup: string, value: unknown, property: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new LookupArgumentError(
      lookup,
      property,
      `must be a positive integer, got ${JSON.stringify(value)}`,
    );
  return value;
}

async function attachmentsMicroversion(s: Session, lookup: string): Promise<string> {
  await s.requireMicroversion("block-storage", ATTACHMENTS_MIN, `the attachments API (${lookup})`);
  return s.microversion("block-storage", ATTACHMENTS_BEST);
}

/**
 * Cinder attachments matching the filters, from every page (Cinder's marker paging), newest first unless
 * `sort` says otherwise. Without `allTenants`, only the attachments of the caller's project.
 */
export async function getBlockStorageAttachments(
  args: GetBlockStorageAttachmentsArgs = {},
): Promise<GetBlockStorageAttachmentsResult> {
  const lookup = "getBlockStorageAttachments";
  const volumeId = optionalUuid(lookup, args, "volumeId");
  const instanceId = optionalUuid(lookup, args, "instanceId");
  const status = optionalChoice(lookup, args, "status", STATUSES);
  const limit = optionalPositiveInteger(lookup, args.limit, "limit");
  const pageSize = optionalPositiveInteger(lookup, args.pageSize, "pageSize");
  for (const flag of ["allTenants", "detail"] as const) {
    if (args[flag] !== undefined && typeof args[flag] !== "boolean")
      throw new LookupArgumentError(lookup, flag, `must be true or false, got ${JSON.stringify(args[flag])}`);
  }
  if (args.sort !== undefined && (typeof args.sort !== "string" || !SORT.test(args.sort))) {
    throw new LookupArgumentError(
      lookup,
      "sort",
      `must be "key[:asc|desc][,key[:asc|desc]...]" (e.g. "created_at:asc"), got ${JSON.stringify(args.sort)}`,
    );
  }
  const s = lookupSession(lookup, args);
  if (args.allTenants) {
    const roles = await s.roles();
    if (roles !== undefined && !roles.includes("admin")) {
      throw new LookupArgumentError(
        lookup,
        "allTenants",
        `needs the admin role (the credentials have ${roles.join(", ") || "no role"}): Cinder ignores ` +
          "all_tenants from other users and would list only their own project's attachments",
      );
    }
  }
  const mv = await attachmentsMicroversion(s, lookup);
  const found = await listAttachments(
    s,
    mv,
    {
      volumeId,
      instanceId,
      status,
      allTenants: args.allTenants,
      sort: args.sort,
      limit,
      pageSize,
      detail: args.detail,
    },
    `${lookup}: listing Cinder attachments`,
  );
  return { attachments: found.map(info) };
}

/** The plain result of `getBlockStorageAttachment`, as the Output form carries it (all of it secret). */
export interface BlockStorageAttachmentDetails extends BlockStorageAttachmentInfo {
  connectionInfo: Record<string, any>;
}

async function readAttachment(args: GetBlockStorageAttachmentArgs): Promise<BlockStorageAttachmentDetails> {
  const lookup = "getBlockStorageAttachment";
  const attachmentId = requiredUuid(lookup, args, "attachmentId");
  const s = lookupSession(lookup, args);
  const mv = await attachmentsMicroversion(s, lookup);
  const found = await showAttachment(
    s,
    mv,
    attachmentId,
    `${lookup}: reading Cinder attachment ${attachmentId}`,
  );
  return { ...info(found), connectionInfo: found.connectionInfo ?? {} };
}

/** One Cinder attachment with its connection info (a secret). Fails with Cinder's 404 when there is none. */
export async function getBlockStorageAttachment(
  args: GetBlockStorageAttachmentArgs,
): Promise<GetBlockStorageAttachmentResult> {
  const { connectionInfo, ...rest } = await readAttachment(args);
  return { ...rest, connectionInfo: pulumi.secret(connectionInfo) };
}

/** `getBlockStorageAttachments` with `pulumi.Input` arguments. */
export const getBlockStorageAttachmentsOutput = outputForm(getBlockStorageAttachments);

/**
 * `getBlockStorageAttachment` with `pulumi.Input` arguments. The whole result is a secret, because it carries
 * the connection info.
 */
export function getBlockStorageAttachmentOutput(
  args: LookupInputs<GetBlockStorageAttachmentArgs>,
): pulumi.Output<BlockStorageAttachmentDetails> {
  return pulumi.secret(outputForm(readAttachment)(args));
}
