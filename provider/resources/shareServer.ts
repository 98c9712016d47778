// ShareServer: manage a backend share server into Manila, or adopt one Manila already has; reset its status
// as a one-off action; unmanage, delete or retain it on destroy (FACTS §4, design.md, issue 6).
//
// Outputs repeat the inputs verbatim. What Manila reports lives under names that never collide with an
// input: `currentHost`, `currentIdentifier` and `currentShareNetworkId` are the live values of the manage
// inputs `host`, `identifier` and `shareNetworkId` (which are absent when adopting).
import {
  connect,
  isBadRequest,
  isConnectionError,
  log,
  OpenStackError,
  Scope,
  Session,
  waitFor,
  WaitTimeoutError,
} from "../openstack";
import * as api from "../sharedfilesystems/shareServers";
import { InitFailedError, isUnknown, ResourceImplementation } from "./common";

export type OnDelete = "unmanage" | "delete" | "retain";

export interface ShareServerInputs {
  host?: string;
  identifier?: string;
  shareNetworkId?: string;
  shareNetworkSubnetId?: string;
  driverOptions?: Record<string, string>;
  shareServerId?: string;
  resetStatus?: string;
  onDelete?: OnDelete;
  forceUnmanage?: boolean;
  timeoutSeconds?: number;
  cloud?: string;
  region?: string;
}

/** What Manila reports, under output names distinct from every input. */
export interface ShareServerLiveOutputs {
  status: string;
  currentHost: string;
  currentIdentifier?: string;
  currentShareNetworkId: string;
  shareNetworkName: string;
  shareNetworkSubnetIds: string[];
  projectId: string;
  backendDetails: Record<string, string>;
  isAutoDeletable?: boolean;
  taskState?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  /** Where the share server lives (region, project, endpoint), recorded at create. */
  scope: Scope;
}

export type ShareServerOutputs = ShareServerInputs & ShareServerLiveOutputs;

const MANAGE_INPUTS = [
  "host",
  "identifier",
  "shareNetworkId",
  "shareNetworkSubnetId",
  "driverOptions",
] as const;
const REQUIRED_TO_MANAGE = ["host", "identifier", "shareNetworkId"] as const;
/** Inputs that change in place; `resetStatus` is the only one that calls the API. */
const IN_PLACE_INPUTS = ["resetStatus", "onDelete", "forceUnmanage", "timeoutSeconds"] as const;
export const SHARE_SERVER_INPUTS = [
  ...MANAGE_INPUTS,
  "shareServerId",
  ...IN_PLACE_INPUTS,
  "cloud",
  "region",
] as const;
const LIVE_OUTPUTS: readonly (keyof ShareServerLiveOutputs)[] = [
  "status",
  "currentHost",
  "currentIdentifier",
  "currentShareNetworkId",
  "shareNetworkName",
  "shareNetworkSubnetIds",
  "projectId",
  "backendDetails",
  "isAutoDeletable",
  "taskState",
  "createdAt",
  "updatedAt",
  "scope",
];
const ON_DELETE: readonly OnDelete[] = ["unmanage", "delete", "retain"];
const DEFAULT_TIMEOUT_SECONDS = 600;
const SFS = "shared-file-system";

// ------------------------------------------------------------------------------------------------- check

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Validator = (value: unknown) => string | undefined;
const nonEmptyString: Validator = (v) =>
  typeof v === "string" && v.trim() !== "" ? undefined : `must be a non-empty string, got ${show(v)}`;
const uuidOf =
  (what: string): Validator =>
  (v) =>
    typeof v === "string" && UUID.test(v) ? undefined : `must be the ID (a UUID) of ${what}, got ${show(v)}`;
const oneOf =
  (allowed: readonly string[]): Validator =>
  (v) =>
    typeof v === "string" && allowed.includes(v)
      ? undefined
      : `must be one of ${allowed.join(", ")}, got ${show(v)}`;

const VALIDATORS: Record<(typeof SHARE_SERVER_INPUTS)[number], Validator> = {
  host: (v) =>
    typeof v === "string" && api.MANILA_HOST.test(v)
      ? undefined
      : `must be a Manila share service host in the form host@backend (without #pool), got ${show(v)}`,
  identifier: nonEmptyString,
  shareNetworkId: uuidOf("a share network"),
  shareNetworkSubnetId: uuidOf("a share network subnet"),
  driverOptions: (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return `must be a map of strings, got ${show(v)}`;
    for (const [key, item] of Object.entries(v)) {
      if (key === "") return "must not have an empty key";
      if (!isUnknown(item) && typeof item !== "string")
        return `must be a map of strings: "${key}" is ${show(item)}`;
    }
    return undefined;
  },
  shareServerId: uuidOf("an existing Manila share server"),
  resetStatus: oneOf(api.SHARE_SERVER_STATUSES),
  onDelete: oneOf(ON_DELETE),
  forceUnmanage: (v) => (typeof v === "boolean" ? undefined : `must be true or false, got ${show(v)}`),
  timeoutSeconds: (v) =>
    typeof v === "number" && Number.isFinite(v) && v > 0
      ? undefined
      : `must be a positive number of seconds, got ${show(v)}`,
  cloud: nonEmptyString,
  region: nonEmptyString,
};

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

const isSet = (value: unknown) => value !== undefined && value !== null;

/** "manage" or "adopt", from the inputs (check guarantees exactly one way in). */
function modeOf(inputs: ShareServerInputs): "manage" | "adopt" {
  return isSet(inputs.shareServerId) ? "adopt" : "manage";
}

function onDeleteOf(inputs: ShareServerInputs): OnDelete {
  return inputs.onDelete ?? (modeOf(inputs) === "adopt" ? "retain" : "unmanage");
}

function timeoutMsOf(inputs: ShareServerInputs): number {
  return (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
}

/** Validates without any API call; values unknown in a preview are skipped (their presence still counts). */
function checkInputs(news: Record<string, unknown>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  for (const [key, value] of Object.entries(news)) {
    if (key === "__provider" || value === undefined) continue;
    if (!(SHARE_SERVER_INPUTS as readonly string[]).includes(key)) {
      failures.push({
        property: key,
        reason: `is not an input of ShareServer (inputs: ${SHARE_SERVER_INPUTS.join(", ")})`,
      });
    }
  }
  const manageGiven = MANAGE_INPUTS.filter((key) => isSet(news[key]));
  if (isSet(news.shareServerId) && manageGiven.length > 0) {
    failures.push({
      property: "shareServerId",
      reason:
        `adopts a share server Manila already has and cannot be combined with ${manageGiven.join(", ")}, ` +
        "which manage a backend server into Manila: give one or the other",
    });
  } else if (!isSet(news.shareServerId)) {
    for (const key of REQUIRED_TO_MANAGE) {
      if (!isSet(news[key])) {
        failures.push({
          property: key,
          reason:
            "is required to manage a backend share server (or give shareServerId to adopt an existing one)",
        });
      }
    }
  }
  for (const key of SHARE_SERVER_INPUTS) {
    const value = news[key];
    if (!isSet(value) || isUnknown(value)) continue;
    const reason = VALIDATORS[key](value);
    if (reason) failures.push({ property: key, reason });
  }
  return failures;
}

// ------------------------------------------------------------------------------------------------ helpers

function sessionFor(inputs: ShareServerInputs): Session {
  return connect({ cloud: inputs.cloud, region: inputs.region });
}

/** The inputs alone, exactly as given (no defaults). */
function inputsOf(values: ShareServerInputs): ShareServerInputs {
  const out: Record<string, unknown> = {};
  for (const key of SHARE_SERVER_INPUTS) if (values[key] !== undefined) out[key] = values[key];
  return out as ShareServerInputs;
}

function liveOutputsOf(outputs: ShareServerOutputs): ShareServerLiveOutputs {
  const out: Record<string, unknown> = {};
  for (const key of LIVE_OUTPUTS) if (outputs[key] !== undefined) out[key] = outputs[key];
  return out as unknown as ShareServerLiveOutputs;
}

function outputsOf(inputs: ShareServerInputs, live: api.ShareServer, scope: Scope): ShareServerOutputs {
  return {
    ...inputsOf(inputs),
    status: live.status,
    currentHost: live.host,
    currentIdentifier: live.identifier,
    currentShareNetworkId: live.shareNetworkId,
    shareNetworkName: live.shareNetworkName,
    shareNetworkSubnetIds: live.shareNetworkSubnetIds ?? [],
    projectId: live.projectId,
    backendDetails: live.backendDetails ?? {},
    isAutoDeletable: live.isAutoDeletable,
    taskState: live.taskState,
    createdAt: live.createdAt,
    updatedAt: live.updatedAt,
    scope,
  };
}

function describeDetails(details: Record<string, string> | undefined): string {
  const entries = Object.entries(details ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(", ") : "none";
}

function describeShares(shares: api.ShareOnServer[]): string {
  const shown = shares
    .slice(0, 10)
    .map((s) => `${s.name ? `"${s.name}" ` : ""}${s.id} (project ${s.projectId}, status ${s.status})`);
  return shown.join(", ") + (shares.length > 10 ? ` and ${shares.length - 10} more` : "");
}

/**
 * The share server now, or undefined when it is gone. "Not found" seen from another scope than `recorded`
 * (region, project, endpoint) is an error, never "gone".
 */
async function readLive(
  s: Session,
  id: string,
  recorded?: Partial<Scope>,
): Promise<api.ShareServer | undefined> {
  const live = await api.findShareServer(s, id);
  if (!live && recorded) await s.assertScope(recorded, SFS, `share server ${id}`);
  return live;
}

// ------------------------------------------------------------------------------ waits and the removals

interface RemovalContext {
  s: Session;
  id: string;
  /** The server's host, for "see the manila-share log on <host>". */
  host: string;
  timeoutMs: number;
  recorded?: Partial<Scope>;
  /**
   * The server as read before the request. Manila's API leaves the status of a server it is asked to delete
   * alone (the share manager sets `deleting` when it picks the request up), so a server deleted from `error`
   * still shows that reading's `error` for a moment: only a changed record can say the delete failed.
   */
  before?: api.ShareServer;
}

type Removal = "unmanage" | "delete";
const REMOVALS: Record<Removal, { doing: string; failed: string; explain: (force: boolean) => string }> = {
  unmanage: {
    doing: "unmanaging",
    failed: "unmanage_error",
    explain: (force) =>
      force
        ? "The driver failed even with force."
        : "The driver failed or cannot unmanage share servers; forceUnmanage: true removes the record from Manila regardless.",
  },
  delete: { doing: "deleting", failed: "error", explain: () => "Tearing it down on the backend failed." },
};

/** Waits until the server is gone after an unmanage or delete; its failure status ends the wait with an error. */
function waitUntilGone(ctx: RemovalContext, removal: Removal, force = false): Promise<void> {
  const { doing, failed, explain } = REMOVALS[removal];
  return waitFor({
    what: `share server ${ctx.id} to be gone (${doing})`,
    timeoutMs: ctx.timeoutMs,
    onProgress: (message) => log.info(message),
    poll: async () => {
      const live = await readLive(ctx.s, ctx.id, ctx.recorded);
      if (!live) return { done: true, value: undefined };
      const untouched = live.status === ctx.before?.status && live.updatedAt === ctx.before.updatedAt;
      if (live.status === failed && !untouched) {
        throw new Error(
          `${doing} share server ${ctx.id} failed: Manila set it to ${failed}. ${explain(force)} ` +
            `The cause is in the manila-share log on ${ctx.host} (look for share server ${ctx.id}).`,
        );
      }
      return { done: false, state: live.status };
    },
  });
}

/** After a lost connection on a non-repeatable call: did Manila act on it? (`acted` is the state it sets.) */
async function actedDespite(err: unknown, ctx: RemovalContext, acted: string): Promise<boolean> {
  if (!isConnectionError(err)) return false;
  const live = await readLive(ctx.s, ctx.id, ctx.recorded);
  return !live || live.status === acted;
}

/** Manila's answer, for messages that already say what was being done. */
function manilaSaid(err: OpenStackError): string {
  const details = [
    err.microversion && `microversion ${err.microversion}`,
    err.requestId && `request id ${err.requestId}`,
  ];
  return (
    `Manila answered ${err.status} ${err.faultName ?? ""}: "${err.serviceMessage}"`.replace(" :", ":") +
    (details.some(Boolean) ? `, ${details.filter(Boolean).join(", ")}` : "")
  );
}

/** "These shares still use it" (found by share_server_id), for Manila's in-use refusals. */
function inUseMessage(
  ctx: RemovalContext,
  err: OpenStackError,
  shares: api.ShareOnServer[],
  alternatives: string,
): string {
  const users = shares.length
    ? `these shares still use it: ${describeShares(shares)}. Delete or move them first`
    : "Manila says it is in use, though no share lists it (share groups or share instances can hold it too)";
  return `${err.action ?? `removing share server ${ctx.id}`}: ${users}, ${alternatives} (${manilaSaid(err)})`;
}

/** Unmanages the server and waits until Manila has forgotten it. Already gone counts as done. */
async function unmanageAndWait(ctx: RemovalContext, force: boolean): Promise<void> {
  try {
    await api.unmanageShareServer(ctx.s, ctx.id, force);
  } catch (err) {
    if (await ctx.s.isGone(err, { recorded: ctx.recorded, what: `share server ${ctx.id}` })) return;
    if (isBadRequest(err)) {
      const shares = await api.listSharesOnShareServer(ctx.s, ctx.id);
      if (shares.length > 0) {
        throw new Error(
          inUseMessage(ctx, err, shares, 'or set onDelete: "retain" to leave the share server in Manila'),
        );
      }
      throw err;
    }
    if (!(await actedDespite(err, ctx, "unmanage_starting"))) throw err;
  }
  await waitUntilGone(ctx, "unmanage", force);
}

/** Deletes the server (only when nothing uses it) and waits until it is gone. Already gone counts as done. */
async function deleteAndWait(ctx: RemovalContext): Promise<void> {
  try {
    await api.deleteShareServer(ctx.s, ctx.id);
  } catch (err) {
    if (await ctx.s.isGone(err, { recorded: ctx.recorded, what: `share server ${ctx.id}` })) return;
    if (err instanceof OpenStackError && err.status === 403) {
      throw new Error(
        `deleting share server ${ctx.id}: Manila deletes a share server only in status active or error (${manilaSaid(err)}). ` +
          "Wait for the operation in progress to finish; if you know the server is idle, reset its status " +
          '(resetStatus), or use onDelete: "unmanage" or "retain".',
      );
    }
    if (err instanceof OpenStackError && err.status === 409) {
      const shares = await api.listSharesOnShareServer(ctx.s, ctx.id);
      throw new Error(inUseMessage(ctx, err, shares, 'or use onDelete: "unmanage" or "retain"'));
    }
    throw err;
  }
  await waitUntilGone(ctx, "delete");
}

// ---------------------------------------------------------------------------------------------- manage

/**
 * POST manage (or find the manage an interrupted run started), wait for `active`, and on failure leave
 * nothing behind: a `manage_error` record is unmanaged; one stuck in `manage_starting` at the deadline is
 * first reset to `manage_error` (Manila cannot unmanage it otherwise).
 */
async function manage(s: Session, inputs: ShareServerInputs): Promise<api.ShareServer> {
  const request: api.ManageShareServerRequest = {
    host: inputs.host!,
    identifier: inputs.identifier!,
    shareNetworkId: inputs.shareNetworkId!,
    shareNetworkSubnetId: inputs.shareNetworkSubnetId,
    driverOptions: inputs.driverOptions,
  };
  const action = `managing backend share server "${request.identifier}" on ${request.host}`;
  const earlier = async () =>
    (
      await api.listShareServers(
        s,
        { host: request.host, identifier: request.identifier },
        `${action}: looking for an earlier attempt`,
      )
    ).find((server) => server.identifier === request.identifier);

  let server = await earlier();
  if (server && server.status !== "manage_starting") {
    throw new Error(
      `${action}: Manila already has it as share server ${server.id} (status ${server.status}, share network ` +
        `${server.shareNetworkId}). To bring that share server under this stack, adopt it: give ` +
        `shareServerId: "${server.id}" instead of host, identifier and shareNetworkId (with onDelete: "unmanage" ` +
        "to keep unmanaging it on destroy).",
    );
  }
  if (server) {
    log.info(
      `${action}: share server ${server.id} is still in manage_starting (an interrupted run?): waiting for it`,
    );
  } else {
    try {
      server = await api.manageShareServer(s, request, action);
    } catch (err) {
      // A lost connection leaves us not knowing whether Manila took the request: ask it.
      server = isConnectionError(err) ? await earlier() : undefined;
      if (!server) {
        if (isBadRequest(err) && /matches existing share servers/i.test(err.serviceMessage)) {
          throw new Error(
            `${err.message}. If that share server is the one you mean, adopt it with shareServerId instead of managing it`,
          );
        }
        throw err;
      }
    }
  }

  const id = server.id;
  const timeoutMs = timeoutMsOf(inputs);
  const ctx: RemovalContext = { s, id, host: request.host, timeoutMs };
  const into = `into share network ${request.shareNetworkId}${
    request.shareNetworkSubnetId ? ` (subnet ${request.shareNetworkSubnetId})` : ""
  }`;
  const poll = async () => {
    const live = await readLive(s, id);
    if (!live) throw new Error(`${action}: share server ${id} disappeared while Manila was managing it`);
    return live.status === "manage_starting"
      ? { done: false as const, state: live.status }
      : { done: true as const, value: live };
  };
  let final: api.ShareServer;
  let stuck = false;
  try {
    final = await waitFor({
      what: `share server ${id} (${request.identifier} on ${request.host}) to leave manage_starting`,
      timeoutMs,
      onProgress: (message) => log.info(message),
      poll,
    });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    // The manage may have ended just now; only a server still in manage_starting is reset.
    const last = await poll();
    stuck = !last.done;
    if (stuck) await api.resetShareServerStatus(s, id, "manage_error");
    final = last.done ? last.value : { ...server, status: "manage_error" };
  }
  if (final.status === "active") return final;
  const facts = `Share server ${id}: status ${final.status}, backend details: ${describeDetails(final.backendDetails)}.`;
  const problem = stuck
    ? `${action} ${into} did not finish: share server ${id} was still in manage_starting after ` +
      `${timeoutMs / 1000} s (timeoutSeconds). Manila cannot unmanage a server in manage_starting, so its status ` +
      `was reset to manage_error. A manage that never leaves manage_starting usually means that manila-share on ` +
      `${request.host} is down or its driver is not initialised, or that the backend does not handle share ` +
      `servers (driver_handles_share_servers = False): see the manila-share log on ${request.host}. If the ` +
      `backend is only slow, raise timeoutSeconds. ${facts}`
    : `${action} ${into} failed: Manila set share server ${id} to ${final.status}. Manila's API gives no reason ` +
      `for a failed manage; the cause is in the manila-share log on ${request.host} (look for share server ${id}). ` +
      facts;

  // Leave nothing the user did not ask for. The record never became a working server, so force is safe:
  // it only spares the driver an unmanage of something it never took over.
  try {
    await unmanageAndWait(ctx, true);
  } catch (cleanupError) {
    const scope = await s.scope(SFS);
    throw new InitFailedError(
      `${problem} Unmanaging the failed record failed too (${(cleanupError as Error).message}), so share server ` +
        `${id} is still in Manila and recorded in the stack: fix it and destroy the resource, or run again.`,
      id,
      outputsOf(inputs, final, scope),
      [problem],
    );
  }
  throw new Error(
    `${problem} The failed record (share server ${id}) was unmanaged, so nothing is left in Manila.`,
  );
}

// -------------------------------------------------------------------------------------- the provider

/** Microversion checks before any mutation: what these inputs will need from the cloud. */
async function requireCapabilities(s: Session, inputs: ShareServerInputs): Promise<void> {
  if (modeOf(inputs) === "manage") {
    await s.requireMicroversion(SFS, api.MANAGE_MICROVERSION, "managing share servers");
    if (inputs.shareNetworkSubnetId !== undefined) {
      await s.requireMicroversion(
        SFS,
        api.SUBNET_MICROVERSION,
        "the shareNetworkSubnetId input (below it Manila would silently ignore the subnet)",
      );
    }
  }
  if (inputs.resetStatus !== undefined) {
    await s.requireMicroversion(SFS, api.MANAGE_MICROVERSION, "the resetStatus input (reset_status)");
  }
  if (onDeleteOf(inputs) === "unmanage") {
    await s.requireMicroversion(SFS, api.MANAGE_MICROVERSION, 'onDelete "unmanage"');
  }
}

/** Applies the one-off reset_status action and reads the server again. */
async function resetStatus(
  s: Session,
  id: string,
  status: string,
  recorded: Scope,
): Promise<api.ShareServer> {
  await api.resetShareServerStatus(s, id, status);
  const live = await readLive(s, id, recorded);
  if (!live) throw new Error(`resetting the status of share server ${id}: it no longer exists`);
  return live;
}

export const shareServer: ResourceImplementation<ShareServerInputs, ShareServerOutputs> = {
  // Every output is visible to the (admin) reader; `updatedAt` moves with any change Manila makes.
  outputs: { volatile: ["updatedAt"] },

  async check(_olds, news) {
    return { inputs: news, failures: checkInputs(news as Record<string, unknown>) };
  },

  async diff(id, olds, news) {
    const changed = SHARE_SERVER_INPUTS.filter(
      (key) =>
        isUnknown(news[key]) || JSON.stringify(sorted(olds[key])) !== JSON.stringify(sorted(news[key])),
    );
    // Adopting the very server this resource manages changes how it is held, not which server it is.
    const adoptsItself = news.shareServerId === id;
    const replaces = changed.filter(
      (key) =>
        !(IN_PLACE_INPUTS as readonly string[]).includes(key) &&
        !(adoptsItself && (key === "shareServerId" || (MANAGE_INPUTS as readonly string[]).includes(key))),
    );
    return {
      changes: changed.length > 0,
      replaces,
      // A backend server can be in Manila only once: the old record must go before it is managed again.
      deleteBeforeReplace: replaces.length > 0 && modeOf(news) === "manage",
    };
  },

  async create(inputs) {
    const s = sessionFor(inputs);
    await requireCapabilities(s, inputs);
    const scope = await s.scope(SFS);
    let live: api.ShareServer;
    if (modeOf(inputs) === "adopt") {
      const id = inputs.shareServerId!;
      const found = await readLive(s, id);
      if (!found) {
        throw new Error(
          `adopting share server ${id}: Manila has no share server with this ID at ${scope.endpoint}` +
            `${scope.region ? ` (region ${scope.region})` : ""}. Check the ID, cloud and region.`,
        );
      }
      live = found;
    } else {
      live = await manage(s, inputs);
    }
    if (inputs.resetStatus !== undefined) {
      try {
        live = await resetStatus(s, live.id, inputs.resetStatus, scope);
      } catch (err) {
        throw new InitFailedError(
          `share server ${live.id}: ${(err as Error).message}`,
          live.id,
          outputsOf(inputs, live, scope),
          [(err as Error).message],
        );
      }
    }
    return { id: live.id, outs: outputsOf(inputs, live, scope) };
  },

  async read(id, props) {
    if (!props) {
      throw new Error(
        `ShareServer ${id} cannot be imported (dynamic providers have no import); adopt it instead: ` +
          `new ShareServer(name, { shareServerId: "${id}" })`,
      );
    }
    const s = sessionFor(props);
    const live = await readLive(s, id, props.scope);
    if (!live) return {};
    return { id, props: outputsOf(props, live, props.scope) };
  },

  async update(id, olds, news) {
    // onDelete, forceUnmanage, timeoutSeconds and adopting itself need no API call; resetStatus runs once
    // when it is set or changed (never to enforce it: its drift shows in `status`).
    if (news.resetStatus === undefined || news.resetStatus === olds.resetStatus) {
      return { outs: { ...inputsOf(news), ...liveOutputsOf(olds) } };
    }
    const s = sessionFor(news);
    await s.requireMicroversion(SFS, api.MANAGE_MICROVERSION, "the resetStatus input (reset_status)");
    await s.assertScope(olds.scope, SFS, `share server ${id}`);
    const live = await resetStatus(s, id, news.resetStatus, olds.scope);
    return { outs: outputsOf(news, live, olds.scope) };
  },

  async delete(id, props) {
    const onDelete = onDeleteOf(props);
    if (onDelete === "retain") {
      log.info(`share server ${id}: retained in Manila (onDelete "retain"); no API call`);
      return;
    }
    const s = sessionFor(props);
    const live = await readLive(s, id, props.scope);
    if (!live) return;
    const ctx: RemovalContext = {
      s,
      id,
      host: live.host,
      timeoutMs: timeoutMsOf(props),
      recorded: props.scope,
      before: live,
    };
    if (onDelete === "unmanage") {
      // An unmanage an interrupted run started: wait for it instead of asking again.
      const force = props.forceUnmanage === true;
      if (live.status === "unmanage_starting") await waitUntilGone(ctx, "unmanage", force);
      else await unmanageAndWait(ctx, force);
    } else if (live.status === "deleting") {
      await waitUntilGone(ctx, "delete");
    } else {
      await deleteAndWait(ctx);
    }
  },
};

/** A copy with object keys sorted, so that key order never counts as a change. */
function sorted(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
  );
}
