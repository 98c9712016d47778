// Cinder v3 attachments API (FACTS §5): URLs, request/response types and one function per call.
// No Pulumi here. Every response that carries connection_info registers its secret values for redaction
// before anything else can see it.
import { Session, isNotFound, registerSecret } from "../openstack";

/** The lowest volume API microversion of each feature (FACTS §5.1, §5.9). */
export const ATTACHMENTS_MIN = "3.27";
export const COMPLETE_MIN = "3.44";
export const MODE_MIN = "3.54";
/** The highest microversion that changes anything for attachments: what we send when the cloud has it. */
export const ATTACHMENTS_BEST = MODE_MIN;

/** Cinder's attach_status values (FACTS §5.4). */
export type AttachStatus =
  "reserved" | "attaching" | "attached" | "detached" | "error_attaching" | "error_detaching" | "deleted";

/** An attachment as Cinder's views describe it; the detail fields are absent in summaries. */
export interface CinderAttachment {
  id: string;
  /** The attachment's attach_status (Cinder calls the field `status`). */
  status: string;
  /** The instance (server) uuid, or null (the JSON key is `instance`). */
  instanceId: string | null;
  volumeId: string;
  /** ISO time, or null when unset (Cinder sends ""). Detail only. */
  attachedAt?: string | null;
  detachedAt?: string | null;
  /** "rw", "ro", or the string "null" before a mode is set. Detail only. */
  attachMode?: string;
  /** The driver's connection data. SECRET: may hold CHAP credentials. Detail only. */
  connectionInfo?: Record<string, unknown>;
}

/** What a POST /attachments asks for. */
export interface CreateAttachmentRequest {
  volumeId: string;
  instanceId?: string;
  /** os-brick connector properties; with one, Cinder initializes the connection at once. */
  connector?: Record<string, unknown>;
  /** 3.54+. */
  mode?: "rw" | "ro";
}

/** Filters, sort and paging of the list calls (FACTS §5.1). */
export interface ListAttachmentsQuery {
  volumeId?: string;
  instanceId?: string;
  /** Matched against the attachment's attach_status (sent as `attach_status`, see below). */
  status?: string;
  /** Admin only; Cinder silently ignores it for other callers. */
  allTenants?: boolean;
  /** Cinder's `sort`: "key[:asc|desc][,key2[:dir]]". */
  sort?: string;
  /** The detail view (adds times, mode and connection info). */
  detail?: boolean;
  /** At most this many attachments in all. */
  limit?: number;
  /** Attachments asked for per request (Cinder caps it at its osapi_max_limit, 1000 by default). */
  pageSize?: number;
}

const COLLECTION = "/attachments";
const itemPath = (id: string) => `${COLLECTION}/${encodeURIComponent(id)}`;

// Keys of connection_info whose values are credentials: CHAP (auth_*, discovery_auth_*), RBD keyrings and
// secrets, NVMe-oF DH-CHAP keys, tokens. Registered as secrets, so that they are redacted wherever a
// message or log line could carry them.
const SECRET_KEY = /pass|secret|key|token|auth_user|user_?name/i;

/** Registers every credential found in connection info (any depth) for redaction. */
export function registerConnectionSecrets(info: unknown, secretParent = false): void {
  if (Array.isArray(info)) {
    for (const item of info) registerConnectionSecrets(item, secretParent);
  } else if (info !== null && typeof info === "object") {
    for (const [key, value] of Object.entries(info)) {
      registerConnectionSecrets(value, secretParent || SECRET_KEY.test(key));
    }
  } else if (secretParent && (typeof info === "string" || typeof info === "number")) {
    registerSecret(String(info));
  }
}

const emptyToNull = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : null;

/** Maps Cinder's JSON (summary or detail view) to `CinderAttachment`, registering its secrets first. */
export function attachmentFromApi(raw: any): CinderAttachment {
  const out: CinderAttachment = {
    id: raw.id,
    status: raw.status,
    instanceId: raw.instance ?? null,
    volumeId: raw.volume_id,
  };
  if ("connection_info" in raw) {
    registerConnectionSecrets(raw.connection_info);
    out.connectionInfo = raw.connection_info ?? {};
  }
  if ("attached_at" in raw) out.attachedAt = emptyToNull(raw.attached_at);
  if ("detached_at" in raw) out.detachedAt = emptyToNull(raw.detached_at);
  if ("attach_mode" in raw) out.attachMode = raw.attach_mode;
  return out;
}

/**
 * POST /attachments: reserves the volume, and with a connector initializes the connection. The answer is
 * built from Cinder's object before the backend work (FACTS §5.3): re-read it for the real status.
 * Not idempotent: never retried by the transport.
 */
export async function createAttachment(
  s: Session,
  mv: string,
  request: CreateAttachmentRequest,
  action: string,
): Promise<CinderAttachment> {
  const attachment: Record<string, unknown> = { volume_uuid: request.volumeId };
  if (request.instanceId !== undefined) attachment.instance_uuid = request.instanceId;
  if (request.connector !== undefined) attachment.connector = request.connector;
  if (request.mode !== undefined) attachment.mode = request.mode;
  const { data } = await s.request("block-storage", "POST", COLLECTION, {
    body: { attachment },
    microversion: mv,
    action,
  });
  return attachmentFromApi(data.attachment);
}

/** GET /attachments/{id} (detail view). */
export async function showAttachment(
  s: Session,
  mv: string,
  id: string,
  action: string,
): Promise<CinderAttachment> {
  const { data } = await s.request("block-storage", "GET", itemPath(id), { microversion: mv, action });
  return attachmentFromApi(data.attachment);
}

/** PUT /attachments/{id} with a connector: (re)initializes the connection; the attachment is `attaching` after. */
export async function updateAttachment(
  s: Session,
  mv: string,
  id: string,
  connector: Record<string, unknown>,
  action: string,
): Promise<CinderAttachment> {
  const { data } = await s.request("block-storage", "PUT", itemPath(id), {
    body: { attachment: { connector } },
    microversion: mv,
    action,
  });
  return attachmentFromApi(data.attachment);
}

/** POST /attachments/{id}/action os-complete (3.44+): attachment `attached`, volume `in-use`. Idempotent. */
export async function completeAttachment(s: Session, mv: string, id: string, action: string): Promise<void> {
  await s.request("block-storage", "POST", `${itemPath(id)}/action`, {
    body: { "os-complete": {} },
    microversion: mv,
    idempotent: true, // completing twice is harmless (recorded on Cinder 21: 204 again)
    action,
  });
}

/** DELETE /attachments/{id}: returns the volume's remaining attachments (summaries). */
export async function deleteAttachment(
  s: Session,
  mv: string,
  id: string,
  action: string,
): Promise<CinderAttachment[]> {
  const { data } = await s.request("block-storage", "DELETE", itemPath(id), { microversion: mv, action });
  return ((data?.attachments as unknown[]) ?? []).map(attachmentFromApi);
}

const DEFAULT_PAGE_SIZE = 1000;
/** How often a listing starts over when the marker it pages from was deleted meanwhile. */
const MAX_RESTARTS = 3;

/**
 * GET /attachments[/detail], every page. Cinder's attachment lists carry no "next" links, so pages are
 * followed with `marker` (the last id seen) until a page comes back empty: a short page alone proves
 * nothing, because the cloud may cap the page size below what was asked. `limit` caps the total. When the
 * marker attachment is deleted between two pages (Cinder answers 404 for it), the listing starts over and
 * skips what it has already.
 *
 * The status filter is sent as `attach_status`: Cinder's `status` filter is not a column of the
 * attachments table and matches nothing (recorded on Cinder 21).
 */
export async function listAttachments(
  s: Session,
  mv: string,
  query: ListAttachmentsQuery,
  action: string,
): Promise<CinderAttachment[]> {
  const path = query.detail ? `${COLLECTION}/detail` : COLLECTION;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const out: CinderAttachment[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  let restarts = 0;
  for (;;) {
    const want = query.limit === undefined ? pageSize : Math.min(pageSize, query.limit - out.length);
    if (want <= 0) return out;
    let data: any;
    try {
      ({ data } = await s.request("block-storage", "GET", path, {
        microversion: mv,
        action,
        query: {
          volume_id: query.volumeId,
          instance_id: query.instanceId,
          attach_status: query.status,
          all_tenants: query.allTenants ? 1 : undefined,
          sort: query.sort,
          limit: want,
          marker,
        },
      }));
    } catch (err) {
      if (marker === undefined || !isNotFound(err) || restarts >= MAX_RESTARTS) throw err;
      restarts++;
      marker = undefined; // the marker vanished: start over, skipping what was seen
      continue;
    }
    const page = ((data?.attachments as unknown[]) ?? []).map(attachmentFromApi);
    const fresh = page.filter((item) => !seen.has(item.id));
    if (fresh.length === 0) return out; // an empty page, or one that repeats itself
    for (const item of fresh) {
      if (query.limit !== undefined && out.length >= query.limit) return out;
      seen.add(item.id);
      out.push(item);
    }
    marker = page[page.length - 1].id;
  }
}

/**
 * One GET /attachments (summaries) for filters that match a handful of attachments (a volume and an
 * instance): Cinder's own page size (1000 by default) holds them all, so no second request is needed.
 */
export async function findAttachments(
  s: Session,
  mv: string,
  filters: Pick<ListAttachmentsQuery, "volumeId" | "instanceId">,
  action: string,
): Promise<CinderAttachment[]> {
  const { data } = await s.request("block-storage", "GET", COLLECTION, {
    microversion: mv,
    action,
    query: { volume_id: filters.volumeId, instance_id: filters.instanceId },
  });
  return ((data?.attachments as unknown[]) ?? []).map(attachmentFromApi);
}
