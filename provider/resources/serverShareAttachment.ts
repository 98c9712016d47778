// ServerShareAttachment: a Manila share attached to a Nova server (os-server-shares, compute 2.97+).
// Nova attaches and detaches shares only while the server is SHUTOFF (or, for a detach, in ERROR), and a
// server started while a mapping is attaching or detaching goes to ERROR (FACTS §2.5-2.8): every power
// change goes through the server guard (compute/serverGuard.ts), shared with every resource kind.
import {
  Scope,
  connect,
  isNotFound,
  isReadOnly,
  isTransientFailure,
  log,
  resendUnlessApplied,
  retryWhileBusy,
  Session,
  OpenStackError,
} from "../openstack";
import {
  PowerRestoreError,
  ServerGuard,
  waitLogged,
  warnIfPendingRestore,
  withServer,
} from "../compute/serverGuard";
import {
  SERVER_SHARES_MICROVERSION,
  ServerShare,
  createServerShare,
  deleteServerShare,
  getServerShare,
  listServerShares,
} from "../compute/serverShares";
import { getShare, listShareExportLocations } from "../sharedfilesystems/shares";
import { InitFailedError, ResourceImplementation, isUnknown } from "./common";

export type PowerPolicy = "stop-and-restore" | "require-stopped";
export const POWER_POLICIES: readonly PowerPolicy[] = ["stop-and-restore", "require-stopped"];

/** The inputs, as the user gave them (design.md: outputs repeat them verbatim). */
export interface ServerShareAttachmentInputs {
  serverId: string;
  shareId: string;
  tag?: string;
  powerPolicy?: PowerPolicy;
  timeoutSeconds?: number;
  cloud?: string;
  region?: string;
}

/** The outputs: the inputs plus what Nova reports, and the scope the attachment lives in. */
export interface ServerShareAttachmentOutputs extends ServerShareAttachmentInputs {
  /** attaching, inactive (server stopped), active, detaching or error. */
  status: string;
  /** The tag the guest mounts (Nova's default: the share id). */
  mountTag: string;
  /** Admin-only fields: present only when the credentials can see them. */
  uuid?: string;
  exportLocation?: string;
  /** Region, project and compute endpoint at create: a 404 elsewhere is never "gone". */
  scope: Scope;
}

const INPUT_KEYS = [
  "serverId",
  "shareId",
  "tag",
  "powerPolicy",
  "timeoutSeconds",
  "cloud",
  "region",
] as const;
/** Inputs whose change replaces the attachment (Nova has no update of a share mapping). */
const REPLACING_KEYS = ["serverId", "shareId", "tag"] as const;

export const DEFAULT_TIMEOUT_SECONDS = 600;
export const MAX_TIMEOUT_SECONDS = 86_400;
/** Nova's schema allows 255 characters, but share_mapping.tag is VARCHAR(48) (FACTS §2.2, §6.4). */
export const MAX_TAG_LENGTH = 48;
const TAG_PATTERN = /^[A-Za-z0-9-]+$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Manila protocols Nova can attach (FACTS §2.5 step 9). */
const ATTACHABLE_PROTOCOLS = ["NFS", "CEPHFS"];

export const attachmentId = (serverId: string, shareId: string) => `${serverId}/${shareId}`;

/** Splits `<serverId>/<shareId>`. */
export function parseAttachmentId(id: string): { serverId: string; shareId: string } {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new Error(`"${id}" is not a ServerShareAttachment id: expected <serverId>/<shareId>`);
  }
  return { serverId: parts[0], shareId: parts[1] };
}

/** The tag the guest will see: the one asked for, else Nova's default, the share id. */
const effectiveTag = (inputs: Partial<ServerShareAttachmentInputs>) => inputs.tag ?? inputs.shareId;

function inputsOf(props: Partial<ServerShareAttachmentInputs>): ServerShareAttachmentInputs {
  const out: Record<string, unknown> = {};
  for (const key of INPUT_KEYS) if (props[key] !== undefined) out[key] = props[key];
  return out as unknown as ServerShareAttachmentInputs;
}

function outputsOf(
  inputs: ServerShareAttachmentInputs,
  mapping: ServerShare,
  scope: Scope,
): ServerShareAttachmentOutputs {
  const outs: ServerShareAttachmentOutputs = {
    ...inputsOf(inputs),
    status: mapping.status,
    mountTag: mapping.tag,
    scope,
  };
  if (mapping.uuid !== undefined) outs.uuid = mapping.uuid;
  if (mapping.exportLocation !== undefined) outs.exportLocation = mapping.exportLocation;
  return outs;
}

// ------------------------------------------------------------------------------------------------ check

type Failure = { property: string; reason: string };

function checkInputs(news: Record<string, unknown>): Failure[] {
  const failures: Failure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const known = (key: string) => news[key] !== undefined && !isUnknown(news[key]);
  for (const key of ["serverId", "shareId"]) {
    const value = news[key];
    if (value === undefined || value === null || value === "") fail(key, "is required");
    else if (isUnknown(value)) continue;
    else if (typeof value !== "string" || !UUID_PATTERN.test(value)) {
      fail(key, `must be a UUID (8-4-4-4-12 hexadecimal digits), got ${JSON.stringify(value)}`);
    }
  }
  if (known("tag")) {
    const tag = news.tag;
    if (typeof tag !== "string") fail("tag", `must be a string, got ${JSON.stringify(tag)}`);
    else if (tag.length < 1 || tag.length > MAX_TAG_LENGTH) {
      fail(
        "tag",
        `must be 1-${MAX_TAG_LENGTH} characters (Nova stores at most ${MAX_TAG_LENGTH}), got ${tag.length}`,
      );
    } else if (!TAG_PATTERN.test(tag)) {
      fail("tag", `may contain only letters, digits and hyphens (Nova's rule), got ${JSON.stringify(tag)}`);
    }
  }
  if (known("powerPolicy") && !POWER_POLICIES.includes(news.powerPolicy as PowerPolicy)) {
    fail(
      "powerPolicy",
      `must be "stop-and-restore" or "require-stopped", got ${JSON.stringify(news.powerPolicy)}`,
    );
  }
  if (known("timeoutSeconds")) {
    const t = news.timeoutSeconds;
    if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > MAX_TIMEOUT_SECONDS) {
      fail(
        "timeoutSeconds",
        `must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, got ${JSON.stringify(t)}`,
      );
    }
  }
  for (const key of ["cloud", "region"]) {
    if (known(key) && (typeof news[key] !== "string" || (news[key] as string).trim() === "")) {
      fail(key, `must be a non-empty string, got ${JSON.stringify(news[key])}`);
    }
  }
  return failures;
}

// ------------------------------------------------------------------------------------------------- diff

function diffInputs(olds: Partial<ServerShareAttachmentOutputs>, news: Record<string, unknown>) {
  const changed = INPUT_KEYS.filter((key) => isUnknown(news[key]) || olds[key] !== news[key]);
  const replaces: string[] = REPLACING_KEYS.filter((key) => changed.includes(key));
  // A tag given explicitly as the default Nova applied (the share id) is the same mount tag: no replacement.
  if (
    replaces.includes("tag") &&
    !changed.includes("shareId") &&
    !isUnknown(news.tag) &&
    effectiveTag(olds) === effectiveTag(news as Partial<ServerShareAttachmentInputs>)
  ) {
    replaces.splice(replaces.indexOf("tag"), 1);
  }
  // Create-before-delete would meet the old mapping: the same share on the same server (taken over, then
  // deleted with the old resource) or the same tag on it (Nova's unique (server, tag)). Unknown = maybe.
  const maybeSame = (key: (typeof INPUT_KEYS)[number]) => !changed.includes(key) || isUnknown(news[key]);
  const maybeSameTag =
    isUnknown(news.tag) ||
    (news.tag === undefined && isUnknown(news.shareId)) ||
    effectiveTag(olds) === effectiveTag(news as Partial<ServerShareAttachmentInputs>);
  const deleteBeforeReplace =
    replaces.length > 0 && maybeSame("serverId") && (maybeSame("shareId") || maybeSameTag);
  return { changed, replaces, deleteBeforeReplace };
}

// ----------------------------------------------------------------------------------------------- create

/** What one create, read or delete works with. */
interface Context {
  s: Session;
  serverId: string;
  shareId: string;
  /** "attaching share S to server V": the first words of every message. */
  action: string;
  timeoutMs: number;
  policy: PowerPolicy;
}

function contextOf(inputs: ServerShareAttachmentInputs, action: string): Context {
  return {
    s: connect({ cloud: inputs.cloud, region: inputs.region }),
    serverId: inputs.serverId,
    shareId: inputs.shareId,
    action,
    timeoutMs: (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    policy: inputs.powerPolicy ?? "stop-and-restore",
  };
}

function requireCompute297(ctx: Context): Promise<string> {
  return ctx.s.requireMicroversion(
    "compute",
    SERVER_SHARES_MICROVERSION,
    "server share attachments (os-server-shares)",
  );
}

/** GET the mapping; undefined on a 404 (whose meaning the caller decides). */
async function findMapping(ctx: Context): Promise<ServerShare | undefined> {
  try {
    return await getServerShare(ctx.s, ctx.serverId, ctx.shareId, `${ctx.action}: reading the attachment`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Polls the mapping until `done` says so; `undefined` is handed over when it is gone (404). Throws at
 * the deadline, saying what it waited for.
 */
function waitForMapping<T>(
  ctx: Context,
  what: string,
  done: (mapping: ServerShare | undefined) => T | undefined,
): Promise<T> {
  return waitLogged<T>({
    what: `${what} (${ctx.action})`,
    timeoutMs: ctx.timeoutMs,
    poll: async () => {
      const mapping = await findMapping(ctx);
      const value = done(mapping);
      return value !== undefined ? { done: true, value } : { done: false, state: mapping?.status ?? "gone" };
    },
  });
}

/** Waits until the mapping leaves `attaching`. */
const waitAttached = (ctx: Context) =>
  waitForMapping(ctx, `the attachment of share ${ctx.shareId} to leave "attaching"`, (m) =>
    m === undefined ? ({ status: "gone" } as ServerShare) : m.status === "attaching" ? undefined : m,
  );

/** Waits until the mapping is gone (404); a mapping that ends in `error` is an error. */
const waitDetached = (ctx: Context) =>
  waitForMapping(ctx, `the attachment of share ${ctx.shareId} to be removed`, (m) => {
    if (m === undefined) return true;
    if (m.status === "error") {
      throw new Error(
        `${ctx.action}: Nova reports the detach in status "error" (it could not revoke the share's access rule; ` +
          `see \`openstack server event list ${ctx.serverId}\`); the attachment is still there`,
      );
    }
    return undefined;
  });

/** DELETE the mapping (a 404 means it is gone already) and wait until it is gone. */
async function detach(ctx: Context): Promise<void> {
  const detaching = `${ctx.action}: detaching share ${ctx.shareId}`;
  try {
    await retryWhileBusy(() => deleteServerShare(ctx.s, ctx.serverId, ctx.shareId, detaching), {
      what: detaching,
      timeoutMs: ctx.timeoutMs,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await waitDetached(ctx);
}

/** The Manila checks Nova makes (FACTS §2.5 steps 6-9), made first so that a failure stops nothing. */
async function checkShareUsable(ctx: Context): Promise<void> {
  let share;
  try {
    share = await getShare(ctx.s, ctx.shareId, `${ctx.action}: reading share ${ctx.shareId}`);
  } catch (err) {
    if (isNotFound(err)) {
      throw new Error(
        `${ctx.action}: share ${ctx.shareId} does not exist, or is not visible to these credentials (Manila: ${err.message})`,
      );
    }
    throw err;
  }
  if (share.status !== "available") {
    throw new Error(
      `${ctx.action}: share ${ctx.shareId} is "${share.status}"; Nova attaches only "available" shares: ` +
        "wait until it is available (or fix it in Manila) and run again",
    );
  }
  if (!ATTACHABLE_PROTOCOLS.includes(share.shareProto)) {
    throw new Error(
      `${ctx.action}: share ${ctx.shareId} uses protocol ${share.shareProto}; Nova attaches only NFS and CEPHFS shares`,
    );
  }
  const exports = await listShareExportLocations(
    ctx.s,
    ctx.shareId,
    `${ctx.action}: reading the export locations`,
  );
  if (exports.length === 0) {
    throw new Error(
      `${ctx.action}: share ${ctx.shareId} has no export location (Manila has not exported it yet); Nova needs one`,
    );
  }
}

/** Makes sure the server is SHUTOFF, within the user's power policy. */
async function stopForChange(ctx: Context, guard: ServerGuard, change: "attach" | "detach"): Promise<void> {
  const server = await guard.settle();
  if (server.status === "SHUTOFF" || (change === "detach" && server.status === "ERROR")) return;
  if (server.status === "ACTIVE") {
    if (ctx.policy === "stop-and-restore") {
      await guard.stop();
      return;
    }
    throw new Error(
      `${ctx.action}: server ${ctx.serverId} is ACTIVE and powerPolicy is "require-stopped": Nova can ${change} a share ` +
        `only while the server is SHUTOFF. Stop it first (openstack server stop ${ctx.serverId}), or set ` +
        `powerPolicy to "stop-and-restore" to let the provider stop it and start it again`,
    );
  }
  throw new Error(
    `${ctx.action}: server ${ctx.serverId} is ${server.status}; Nova can ${change} a share only while the server is ` +
      `SHUTOFF${change === "detach" ? " or ERROR" : ""} (or ACTIVE with powerPolicy "stop-and-restore"). ` +
      `Bring the server to ACTIVE or SHUTOFF first`,
  );
}

/** The attach itself, under the server guard. Returns the mapping once it left `attaching`. */
async function attachUnderGuard(
  ctx: Context,
  guard: ServerGuard,
  tag: string | undefined,
): Promise<ServerShare> {
  if (!guard.server) {
    throw new Error(`${ctx.action}: server ${ctx.serverId} does not exist (${guard.notFound!.message})`);
  }
  const mappings = await listServerShares(ctx.s, ctx.serverId, `${ctx.action}: listing the server's shares`);
  let existing = mappings.find((m) => m.shareId === ctx.shareId);
  if (existing && tag !== undefined && existing.tag !== tag) {
    throw new Error(
      `${ctx.action}: share ${ctx.shareId} is already attached to server ${ctx.serverId} with tag "${existing.tag}", ` +
        `not "${tag}". Detach it first, or adopt it with tag "${existing.tag}" (or no tag)`,
    );
  }
  const wantedTag = tag ?? ctx.shareId;
  const tagOwner = mappings.find((m) => m.shareId !== ctx.shareId && m.tag === wantedTag);
  if (!existing && tagOwner) {
    throw new Error(
      `${ctx.action}: tag "${wantedTag}" is already used on server ${ctx.serverId} by share ${tagOwner.shareId}; ` +
        "mount tags are unique per server: choose another tag",
    );
  }
  if (existing && existing.status !== "error") {
    // Taken over (an interrupted run's attachment, or adopting one): see the README's rule.
    log.info(
      `${ctx.action}: share ${ctx.shareId} is already attached (status ${existing.status}); taking it over`,
    );
    if (existing.status === "detaching") {
      await waitDetached(ctx);
      existing = undefined;
    } else {
      return existing.status === "attaching" ? await settleAttach(ctx, await waitAttached(ctx)) : existing;
    }
  }
  await checkShareUsable(ctx);
  await stopForChange(ctx, guard, "attach");
  if (existing) {
    log.info(
      `${ctx.action}: an earlier attachment of share ${ctx.shareId} is in "error"; removing it and attaching again`,
    );
    await detach(ctx);
  }
  const created = await postAttach(ctx, tag, wantedTag);
  log.info(`${ctx.action}: attached (status ${created.status}); waiting for the compute host`);
  return settleAttach(ctx, await waitAttached(ctx));
}

/**
 * POSTs the attach, repeated while Nova answers that the server is busy (a task_state 409). After a
 * transient failure (no answer, 429, 502-504) the mapping is looked up, since Nova creates it before it
 * answers: found, the POST was applied; absent, it never arrived and is sent again. A POST is never
 * repeated blindly, and Nova refuses a second mapping of a share on a server anyway.
 */
function postAttach(ctx: Context, tag: string | undefined, wantedTag: string): Promise<ServerShare> {
  const attaching = `${ctx.action}: attaching`;
  return resendUnlessApplied(
    () =>
      retryWhileBusy(() => createServerShare(ctx.s, ctx.serverId, { shareId: ctx.shareId, tag }, attaching), {
        what: attaching,
        timeoutMs: ctx.timeoutMs,
      }),
    {
      applied: async (err) => {
        if (!isTransientFailure(err)) return undefined;
        const found = await findMapping(ctx);
        if (found && found.tag !== wantedTag) throw err;
        return found;
      },
      onResend: (err) =>
        log.info(`${attaching}: ${(err as Error).message}; Nova shows no attachment: sending it again`),
    },
  );
}

/** An attach that ended: `error` (or gone) is removed while the server is still stopped, then fails. */
async function settleAttach(ctx: Context, mapping: ServerShare): Promise<ServerShare> {
  if (mapping.status !== "error" && mapping.status !== "gone") return mapping;
  const reason =
    mapping.status === "gone"
      ? "the attachment disappeared while it was attaching"
      : `Nova reports the attachment in status "error" (the compute host could not grant it access to the share; see ` +
        `\`openstack server event list ${ctx.serverId}\`)`;
  if (mapping.status === "error") {
    try {
      await detach(ctx);
    } catch (err) {
      throw new Error(
        `${ctx.action}: ${reason}; removing the failed attachment also failed: ${(err as Error).message}`,
      );
    }
  }
  throw new Error(`${ctx.action}: ${reason}; the failed attachment was removed`);
}

async function create(inputs: ServerShareAttachmentInputs) {
  const ctx = contextOf(inputs, `attaching share ${inputs.shareId} to server ${inputs.serverId}`);
  const id = attachmentId(inputs.serverId, inputs.shareId);
  await requireCompute297(ctx);
  const scope = await ctx.s.scope("compute");
  let mapping: ServerShare;
  try {
    mapping = await withServer(ctx.s, ctx.serverId, ctx, (guard) => attachUnderGuard(ctx, guard, inputs.tag));
  } catch (err) {
    if (err instanceof PowerRestoreError) {
      // Attached, but the server could not be started again: Pulumi must record the attachment.
      throw new InitFailedError(err, id, outputsOf(inputs, err.result as ServerShare, scope));
    }
    throw err;
  }
  // After the restart (the burst's last one): the status the user will see (active on a running server).
  mapping = (await findMapping(ctx).catch(() => undefined)) ?? mapping;
  return { id, outs: outputsOf(inputs, mapping, scope) };
}

// ------------------------------------------------------------------------------------ read, update, delete

async function read(id: string, props?: Partial<ServerShareAttachmentOutputs>) {
  const { serverId, shareId } = parseAttachmentId(id);
  const inputs = {
    ...inputsOf(props ?? {}),
    serverId: props?.serverId ?? serverId,
    shareId: props?.shareId ?? shareId,
  };
  const ctx = contextOf(inputs, `reading the attachment of share ${shareId} to server ${serverId}`);
  // Credentials that now point at another region, project or endpoint: an error, never "gone".
  if (props?.scope) await ctx.s.assertScope(props.scope, "compute", `server share attachment ${id}`);
  await requireCompute297(ctx);
  const scope = props?.scope ?? (await ctx.s.scope("compute"));
  const readMapping = async (): Promise<ServerShare | undefined> => {
    try {
      return await getServerShare(ctx.s, serverId, shareId, ctx.action);
    } catch (err) {
      const what = `server share attachment ${id}`;
      if (await ctx.s.isGone(err, { recorded: scope, minMicroversion: SERVER_SHARES_MICROVERSION, what })) {
        return undefined;
      }
      throw err;
    }
  };
  let mapping: ServerShare | undefined;
  if (isReadOnly()) {
    // Drift repairs nothing, so it needs no guard: one request per attachment, and a look at the server
    // only when the mapping says it is stopped, to report a power restore an interrupted run left.
    mapping = await readMapping();
    if (mapping?.status === "inactive") await warnIfPendingRestore(ctx.s, serverId, ctx.action);
  } else {
    // Under the guard: a power restore an interrupted run left on this server is finished here too, and
    // then the status is read again (the restart turned it from inactive to active).
    let restored = false;
    mapping = await withServer(ctx.s, serverId, ctx, async (guard) => {
      const found = await readMapping();
      restored = guard.willRestore;
      return found;
    });
    if (mapping && restored) mapping = await readMapping();
  }
  if (!mapping) return {};
  const outs = outputsOf(inputs, mapping, scope);
  // `inputs` (Pulumi 3.216+): the user's inputs as they stand, for refresh and import.
  return { id, props: outs, inputs: inputsOf(outs) as ServerShareAttachmentOutputs };
}

async function update(id: string, olds: ServerShareAttachmentOutputs, news: ServerShareAttachmentInputs) {
  // Only powerPolicy, timeoutSeconds, cloud and region change in place (diff replaces on the others), and
  // none of them is stored in Nova. New credentials must still point where the attachment lives.
  if (olds.cloud !== news.cloud || olds.region !== news.region) {
    const s = connect({ cloud: news.cloud, region: news.region });
    await s.assertScope(olds.scope, "compute", `server share attachment ${id}`);
  }
  const { status, mountTag, uuid, exportLocation, scope } = olds;
  return {
    outs: outputsOf(news, { shareId: news.shareId, status, tag: mountTag, uuid, exportLocation }, scope),
  };
}

async function remove(id: string, props: ServerShareAttachmentOutputs) {
  const ctx = contextOf(props, `detaching share ${props.shareId} from server ${props.serverId}`);
  await requireCompute297(ctx);
  // A 404 of the server is "gone" at any microversion; one of the attachment only at 2.97+.
  const gone = async (err: OpenStackError | undefined, minMicroversion?: string) =>
    err !== undefined &&
    (await ctx.s.isGone(err, {
      recorded: props.scope,
      minMicroversion,
      what: `server share attachment ${id}`,
    }));
  await withServer(ctx.s, ctx.serverId, ctx, async (guard) => {
    if (!guard.server) {
      if (await gone(guard.notFound)) return; // the server is gone, and its attachments with it
      throw guard.notFound;
    }
    let mapping: ServerShare;
    try {
      mapping = await getServerShare(
        ctx.s,
        ctx.serverId,
        ctx.shareId,
        `${ctx.action}: reading the attachment`,
      );
    } catch (err) {
      if (isNotFound(err) && (await gone(err, SERVER_SHARES_MICROVERSION))) return; // already detached
      throw err;
    }
    if (mapping.status !== "detaching") {
      if (mapping.status === "attaching") await waitAttached(ctx); // never stop or detach mid-attach
      await stopForChange(ctx, guard, "detach");
    }
    await detach(ctx);
  });
}

export const serverShareAttachment: ResourceImplementation<
  ServerShareAttachmentInputs,
  ServerShareAttachmentOutputs
> = {
  async check(_olds, news) {
    const failures = checkInputs(news as unknown as Record<string, unknown>);
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    const { changed, replaces, deleteBeforeReplace } = diffInputs(
      olds,
      news as unknown as Record<string, unknown>,
    );
    return { changes: changed.length > 0, replaces, deleteBeforeReplace };
  },
  create,
  read,
  update,
  delete: remove,
  outputs: { adminOnly: ["uuid", "exportLocation"] },
};
