// VolumeAttachment: a Cinder volume attached to a Nova server through os-volume_attachments (FACTS §3), at
// every microversion up to 2.101 (asynchronous attach). The attach and the detach are followed on Cinder:
// the attachments of this volume for this server; until a 2.101 attach shows there, on its instance action.
// id = `<serverId>/<volumeId>`. The inputs are repeated verbatim; what Nova reports lives under
// attachedDevice, currentTag, currentDeleteOnTermination, attachmentId and bdmUuid, so that a device or tag
// the cloud chose never makes diff replace the attachment.
import {
  Scope,
  Session,
  connect,
  isBadRequest,
  isBusyConflict,
  isForbidden,
  isTransientFailure,
  isNotFound,
  log,
  resendUnlessApplied,
  retryWhileBusy,
  waitFor,
  WaitTimeoutError,
} from "../openstack";
import {
  ATTACHMENTS_BEST,
  ATTACHMENTS_MIN,
  CinderAttachment,
  findAttachments,
} from "../blockstorage/attachments";
import { showVolume, volumeReadyToAttach } from "../blockstorage/volumes";
import { actionFailed, failedStep, InstanceAction, showInstanceAction } from "../compute/instanceActions";
import { ServerGuard, withServer } from "../compute/serverGuard";
import { Server } from "../compute/servers";
import {
  AcceptedRequest,
  NOVA_VOLUME,
  NOVA_VOLUME_BEST,
  NovaVolumeAttachment,
  SHOWS_PENDING,
  atLeast,
  attachVolume,
  detachVolume,
  showVolumeAttachment,
  showVolumeAttachmentAnyState,
  updateDeleteOnTermination,
} from "../compute/volumeAttachments";
import { InitFailedError, ResourceImplementation } from "./common";
import { InputChecks, changedInputs, pickInputs, timeoutMs } from "./inputs";

const KIND = "VolumeAttachment";

export interface VolumeAttachmentInputs {
  serverId: string;
  volumeId: string;
  device?: string;
  tag?: string;
  deleteOnTermination?: boolean;
  timeoutSeconds?: number;
  cloud?: string;
  region?: string;
}

export interface VolumeAttachmentOutputs extends VolumeAttachmentInputs {
  /** The device Nova reports (absent while it has none, e.g. on a shelved-offloaded server). */
  attachedDevice?: string;
  /** The tag Nova reports (compute 2.70+). */
  currentTag?: string;
  /** Nova's delete_on_termination (compute 2.79+). */
  currentDeleteOnTermination?: boolean;
  /** The Cinder attachment id (compute 2.89+). */
  attachmentId?: string;
  /** Nova's block device mapping uuid (compute 2.89+). */
  bdmUuid?: string;
  /** Where the attachment lives (the compute endpoint, region and project), checked by read and delete. */
  scope: Scope;
}

const INPUTS = [
  "serverId",
  "volumeId",
  "device",
  "tag",
  "deleteOnTermination",
  "timeoutSeconds",
  "cloud",
  "region",
] as const;
// `cloud` and `region` change in place: the update checks that the new credentials still point where the
// attachment is.
const REPLACING = ["serverId", "volumeId", "device", "tag"];

/** Nova's device pattern (schemas/volume_attachments.py). */
const DEVICE = /^(\/dev\/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$/;
/** parameter_types.tag: 1-60 characters, no "/" or ",". */
const TAG = /^[^/,]{1,60}$/;

const idOf = (i: { serverId: string; volumeId: string }) => `${i.serverId}/${i.volumeId}`;
const describe = (i: { serverId: string; volumeId: string }) =>
  `volume ${i.volumeId} on server ${i.serverId}`;

/** True when the server is shelved and offloaded (no host): Nova then attaches and detaches inline. */
const isShelvedOffloaded = (server: Server) =>
  server.vmState === "shelved_offloaded" || server.status === "SHELVED_OFFLOADED";

/**
 * Runs an operation under the server guard that every resource kind shares (one operation per server at a
 * time in this process; power restores left by a killed run are finished first).
 */
function onServer<T>(
  s: Session,
  i: VolumeAttachmentInputs,
  action: string,
  fn: (guard: ServerGuard) => Promise<T>,
): Promise<T> {
  return withServer(s, i.serverId, { action, timeoutMs: timeoutMs(i) }, fn);
}

/**
 * The compute microversion to send (the best up to 2.101), after checking before any mutation that the
 * cloud can carry what the inputs ask: a tag needs 2.49, deleteOnTermination 2.79. `false` is Nova's
 * behaviour before 2.79, so it needs nothing.
 */
async function computeMicroversion(s: Session, inputs: Partial<VolumeAttachmentInputs>): Promise<string> {
  if (inputs.tag !== undefined)
    await s.requireMicroversion("compute", NOVA_VOLUME.tag, "a volume attachment tag (tag)");
  if (inputs.deleteOnTermination === true)
    await s.requireMicroversion("compute", NOVA_VOLUME.deleteOnTermination, "deleteOnTermination");
  return s.microversion("compute", NOVA_VOLUME_BEST);
}

/** Cinder's attachments API, which the attach and detach are followed on. */
async function volumeMicroversion(s: Session): Promise<string> {
  await s.requireMicroversion("block-storage", ATTACHMENTS_MIN, "following volume attachments");
  return s.microversion("block-storage", ATTACHMENTS_BEST);
}

/** The outputs: the inputs exactly as given, then what Nova reports (only the fields it reports). */
function outputsOf(
  inputs: VolumeAttachmentInputs,
  live: NovaVolumeAttachment | undefined,
  scope: Scope,
): VolumeAttachmentOutputs {
  const outs = {
    ...(pickInputs(inputs, INPUTS) as VolumeAttachmentInputs),
    scope,
  } as VolumeAttachmentOutputs;
  if (live?.device) outs.attachedDevice = live.device;
  if (live?.tag) outs.currentTag = live.tag;
  if (live?.deleteOnTermination !== undefined) outs.currentDeleteOnTermination = live.deleteOnTermination;
  if (live?.attachmentId) outs.attachmentId = live.attachmentId;
  if (live?.bdmUuid) outs.bdmUuid = live.bdmUuid;
  return outs;
}

/** The call's result, or undefined when it fails with a 404. */
async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Nova's view of the attachment at `mv`, or undefined on a 404 (at 2.89+ also while it has no attachment id). */
const novaAttachment = (s: Session, mv: string, i: VolumeAttachmentInputs, action: string) =>
  unlessNotFound(showVolumeAttachment(s, mv, i.serverId, i.volumeId, action));

/** The Nova view for the outputs (also of an attachment 2.89+ hides), or undefined when Nova has none. */
const liveView = (s: Session, mv: string, i: VolumeAttachmentInputs, action: string) =>
  unlessNotFound(showVolumeAttachmentAnyState(s, mv, i.serverId, i.volumeId, action));

/** Cinder's attachments of this volume for this server. */
const cinderAttachments = (s: Session, cinderMv: string, i: VolumeAttachmentInputs, action: string) =>
  findAttachments(s, cinderMv, { volumeId: i.volumeId, instanceId: i.serverId }, action);

/**
 * Whether the attachment exists in any state: Nova shows it (at 2.88, which still shows attachments that
 * have no Cinder attachment id yet), or Cinder has an attachment of the volume for the server.
 */
async function attachmentEvidence(
  s: Session,
  computeMv: string,
  cinderMv: string,
  i: VolumeAttachmentInputs,
  action: string,
): Promise<{ nova?: NovaVolumeAttachment; cinder: CinderAttachment[] }> {
  const cinder = await cinderAttachments(s, cinderMv, i, action);
  const pendingMv = atLeast(computeMv, NOVA_VOLUME.attachmentIds) ? SHOWS_PENDING : computeMv;
  const nova = await novaAttachment(s, pendingMv, i, action);
  return { nova, cinder };
}

/** The attach failed after Nova took it (the volume fell back): nothing to record. */
class AttachFailedError extends Error {}

/** How to look at a POST or DELETE's own trace: `openstack server event show` with its request id. */
const eventCommand = (serverId: string, requestId?: string) =>
  requestId
    ? `openstack server event show ${serverId} ${requestId}`
    : `openstack server event list ${serverId}`;

/**
 * The error for an attach that Nova rolled back (nothing left in Nova or Cinder: nothing to record), with
 * the step that failed when the instance action says (`recorded`, read here when not given).
 */
async function attachFailure(
  s: Session,
  mv: string,
  i: VolumeAttachmentInputs,
  options: { action: string; requestId?: string; recorded?: InstanceAction },
): Promise<AttachFailedError> {
  const { action, requestId } = options;
  // Read for the message only: whatever stops that read (a policy, a fault) leaves the message shorter.
  const recorded =
    options.recorded ??
    (requestId
      ? await showInstanceAction(s, mv, i.serverId, requestId, action).catch(() => undefined)
      : undefined);
  const step = recorded && failedStep(recorded);
  const volume = await showVolume(s, i.volumeId, action);
  const why = step ? `step ${step.event} failed${step.details ? `: ${step.details}` : ""}; ` : "";
  return new AttachFailedError(
    `${action}: the attach failed after Nova accepted it: the volume is "${volume.status}" with no attachment ` +
      `to the server; Nova rolled the attach back (${why}see \`${eventCommand(i.serverId, requestId)}\`)`,
  );
}

/**
 * Waits until Cinder shows the volume attached to the server. `started` says that the attach was seen
 * under way (below 2.101 the POST answers after the reservation). Until then, the POST's instance action
 * (`requestId`) is read instead of Nova and Cinder: Nova records it once its conductor reserved the volume,
 * and it stays there however fast the attach then fails. Once under way, an attachment that vanishes from
 * both Nova and Cinder means Nova rolled the attach back (the action's failed step says why). Without a
 * request id, or where Nova does not show the action (a policy's 403), Nova's and Cinder's views alone
 * decide. Each conclusion rests on reads made in an order that a transition between them cannot fool.
 */
async function waitForAttached(
  s: Session,
  computeMv: string,
  cinderMv: string,
  i: VolumeAttachmentInputs,
  options: { started: boolean; action: string; requestId?: string },
): Promise<void> {
  let started = options.started;
  let requestId = options.requestId;
  let recorded: InstanceAction | undefined;
  /**
   * The instance action, or undefined while Nova has recorded none ("Action <id> not found"). Where Nova
   * does not show it (a policy's 403, or any other 404: no such API here, the server is gone), requestId is
   * dropped and Nova's and Cinder's views decide from then on.
   */
  const recordedAction = async () => {
    try {
      return await showInstanceAction(s, computeMv, i.serverId, requestId!, options.action);
    } catch (err) {
      if (isNotFound(err) && err.serviceMessage.includes(requestId!)) return undefined;
      if (!isForbidden(err) && !isNotFound(err)) throw err;
      log.info(
        `${options.action}: Nova does not show the attach's instance action (${err.message}); following Nova and Cinder`,
      );
      requestId = undefined;
      return undefined;
    }
  };
  await waitFor({
    what: `${describe(i)} to be attached`,
    timeoutMs: timeoutMs(i),
    onProgress: (message) => log.info(message),
    poll: async () => {
      if (!started && requestId) {
        // Recorded: the volume was reserved, so the attach started (and, failed or not, the reads below tell
        // where it is now: an attach that failed has been rolled back before its step finished). Not
        // recorded: not yet.
        recorded = await recordedAction();
        started = recorded !== undefined;
        if (!started && requestId) return { done: false, state: "Nova has not started yet" };
      }
      const ours = await cinderAttachments(s, cinderMv, i, options.action);
      if (ours.some((a) => a.status === "attached")) return { done: true, value: undefined };
      const failed = ours.find((a) => a.status.startsWith("error"));
      if (failed) {
        throw new Error(`${options.action}: Cinder attachment ${failed.id} went to "${failed.status}"`);
      }
      if (ours.length > 0) {
        started = true;
        return { done: false, state: `Cinder attachment ${ours.map((a) => a.status).join(", ")}` };
      }
      // No Cinder attachment (yet, or any more): Nova creates its block device mapping first and removes
      // it last, so it tells "not yet" from "rolled back".
      const { nova, cinder } = await attachmentEvidence(s, computeMv, cinderMv, i, options.action);
      if (nova || cinder.length > 0) {
        started = true;
        return { done: false, state: "Nova is preparing the attachment" };
      }
      if (!started) return { done: false, state: "Nova has not started yet" };
      throw await attachFailure(s, computeMv, i, {
        action: options.action,
        requestId,
        recorded: recorded && actionFailed(recorded) ? recorded : undefined,
      });
    },
  });
}

/**
 * Waits until neither Nova nor Cinder shows the attachment. Each poll reads the volume first: while it is
 * `detaching` with this server among its attachments, that one request says "not yet". Otherwise Nova and
 * Cinder are read after it: the detach failed when the volume was back to `in-use` and both still show the
 * attachment (Nova rolled the detach back); reading them after the volume keeps a detach that completes
 * between the reads from looking like that.
 */
async function waitForDetached(
  s: Session,
  computeMv: string,
  cinderMv: string,
  i: VolumeAttachmentInputs,
  options: { action: string; timeoutMs: number; requestId?: string },
): Promise<void> {
  await waitFor({
    what: `${describe(i)} to be detached`,
    timeoutMs: options.timeoutMs,
    onProgress: (message) => log.info(message),
    poll: async () => {
      const volume = await showVolume(s, i.volumeId, options.action);
      const ours = volume.attachments.some((a) => a.serverId === i.serverId);
      if (volume.status === "detaching" && ours) return { done: false, state: "volume detaching" };
      const seen = await attachmentEvidence(s, computeMv, cinderMv, i, options.action);
      if (!seen.nova && seen.cinder.length === 0) return { done: true, value: undefined };
      if (volume.status === "in-use" && seen.nova && seen.cinder.some((a) => a.status === "attached")) {
        throw new Error(
          `${options.action}: Nova gave the detach up: the volume is "in-use" and still attached to the server ` +
            `(see \`${eventCommand(i.serverId, options.requestId)}\`)`,
        );
      }
      return {
        done: false,
        state: volume.status === "detaching" ? "Nova cleans up" : `volume ${volume.status}`,
      };
    },
  });
}

/**
 * POSTs the attach, repeating it while Nova answers that the server is busy (a task_state 409) until the
 * deadline; a locked server, a wrong vm_state or a device in use fail at once with Nova's message.
 */
async function postAttach(
  s: Session,
  mv: string,
  i: VolumeAttachmentInputs,
  action: string,
): Promise<AcceptedRequest> {
  let attempts = 0;
  return retryWhileBusy(
    () => {
      attempts++;
      if (attempts > 1) log.info(`${action}: the server is busy, retrying (attempt ${attempts})`);
      return attachVolume(
        s,
        mv,
        i.serverId,
        {
          volumeId: i.volumeId,
          device: i.device,
          tag: i.tag,
          deleteOnTermination: atLeast(mv, NOVA_VOLUME.deleteOnTermination)
            ? i.deleteOnTermination
            : undefined,
        },
        action,
      );
    },
    { what: action, timeoutMs: timeoutMs(i), onProgress: (message) => log.info(message) },
  );
}

/** How long to look for the effects of an attach POST that got no answer, at 2.101+ (tests shorten it). */
export const unansweredPostSettings = { lookMs: 15_000 };

/**
 * POSTs the attach; when it fails without an answer (or with 429, 502-504), Nova may have received it, so
 * its effects are looked for: below 2.101 Nova makes the block device mapping and the reservation before it
 * answers (one look); from 2.101 its conductor makes them a moment later (looked for during
 * `unansweredPostSettings.lookMs`). Seen: `received` (the request id is unknown then). Not seen: the POST
 * never arrived and is sent again. An answered POST gives its request id.
 */
async function postAttachOnce(
  s: Session,
  mv: string,
  cinderMv: string,
  i: VolumeAttachmentInputs,
  action: string,
): Promise<{ received: boolean; requestId?: string }> {
  const seen = async () => {
    const e = await attachmentEvidence(s, mv, cinderMv, i, action);
    return e.nova !== undefined || e.cinder.length > 0;
  };
  const lookLonger = () =>
    waitFor({
      what: `signs that Nova received the attach (${action})`,
      timeoutMs: unansweredPostSettings.lookMs,
      poll: async () => ((await seen()) ? { done: true, value: true } : { done: false }),
    }).catch((err) => {
      if (err instanceof WaitTimeoutError) return false;
      throw err;
    });
  try {
    const answered = async (): Promise<{ received: boolean; requestId?: string }> => ({
      received: false,
      requestId: (await postAttach(s, mv, i, action)).requestId,
    });
    return await resendUnlessApplied(answered, {
      applied: async (err) => {
        if (!isTransientFailure(err)) return undefined;
        const found = await (atLeast(mv, NOVA_VOLUME.async) ? lookLonger() : seen());
        return found ? { received: true } : undefined;
      },
      onResend: (err) =>
        log.info(
          `${action}: ${(err as Error).message}; nothing shows that Nova received it: sending it again`,
        ),
    });
  } catch (err) {
    if (!isTransientFailure(err)) throw err;
    throw new Error(
      `${err.message}; nothing shows that Nova received the attach. Run \`pulumi up\` again: it takes over ` +
        "the attachment if Nova did make it",
    );
  }
}

/**
 * An attachment that already exists (an earlier run that was interrupted, or one made outside Pulumi) is
 * taken over: its tag must be the one asked for; deleteOnTermination is brought in line where Nova can.
 */
async function adopt(
  s: Session,
  mv: string,
  i: VolumeAttachmentInputs,
  existing: NovaVolumeAttachment | undefined,
  action: string,
): Promise<void> {
  log.info(`${action}: the volume is already attached to the server; taking that attachment over`);
  if (i.tag !== undefined && existing?.tag !== undefined && existing.tag !== i.tag) {
    throw new Error(
      `${action}: the server already has this volume attached with tag ${JSON.stringify(existing.tag)}, ` +
        `not ${JSON.stringify(i.tag)}; a tag cannot change in place: set tag to the existing one, or detach the volume first`,
    );
  }
  const wanted = i.deleteOnTermination ?? false;
  if (existing?.deleteOnTermination !== undefined && existing.deleteOnTermination !== wanted) {
    await setDeleteOnTermination(s, mv, i, wanted, action);
  }
}

async function setDeleteOnTermination(
  s: Session,
  mv: string,
  i: VolumeAttachmentInputs,
  value: boolean,
  action: string,
): Promise<void> {
  if (!atLeast(mv, NOVA_VOLUME.update)) {
    await s.requireMicroversion("compute", NOVA_VOLUME.update, "changing deleteOnTermination in place");
  }
  await updateDeleteOnTermination(s, mv, i.serverId, i.volumeId, value, action);
}

/**
 * Nova deletes a volume whose attachment has delete_on_termination when it detaches it from a
 * shelved-offloaded server (FACTS §3.6). Clear the flag first (2.85+), or refuse: never lose the volume.
 */
async function guardShelvedOffloaded(
  s: Session,
  mv: string,
  server: Server,
  i: VolumeAttachmentInputs,
  action: string,
): Promise<void> {
  if (!isShelvedOffloaded(server)) return;
  const refuse = (why: string) =>
    new Error(
      `${action}: the server is SHELVED_OFFLOADED, where Nova deletes the volume on detach when the attachment ` +
        `has delete_on_termination; ${why}. Unshelve the server first, or detach the volume yourself once you ` +
        `are sure of the flag`,
    );
  if (!atLeast(mv, NOVA_VOLUME.deleteOnTermination)) {
    throw refuse(`this cloud's compute API (${mv}) cannot show the flag, so the detach is refused`);
  }
  const live = await novaAttachment(s, mv, i, action);
  if (!live?.deleteOnTermination) return;
  if (!atLeast(mv, NOVA_VOLUME.update)) {
    throw refuse(`the flag is set and this cloud's compute API (${mv}) cannot clear it (2.85 needed)`);
  }
  log.info(`${action}: clearing delete_on_termination before detaching from a shelved-offloaded server`);
  await updateDeleteOnTermination(s, mv, i.serverId, i.volumeId, false, action);
}

export const volumeAttachment: ResourceImplementation<VolumeAttachmentInputs, VolumeAttachmentOutputs> = {
  async check(_olds, news) {
    const c = new InputChecks(news as any, KIND, INPUTS)
      .required("serverId", "the id of the Nova server")
      .required("volumeId", "the id of the Cinder volume")
      .uuid("serverId", "a Nova server")
      .uuid("volumeId", "a Cinder volume")
      .string("device", { pattern: DEVICE, says: "must be a device path such as /dev/vdb" })
      .string("tag", { pattern: TAG, says: 'must be 1-60 characters without "/" or ","' })
      .boolean("deleteOnTermination")
      .common();
    return { inputs: news, failures: c.failures };
  },

  async diff(_id, olds, news) {
    const changed = changedInputs(olds, news, INPUTS);
    const replaces = changed.filter((key) => REPLACING.includes(key));
    // The volume stays: unless it is multiattach, Nova refuses a second attachment while the old one lives.
    const otherVolume = typeof news.volumeId === "string" && news.volumeId !== olds.volumeId;
    return {
      changes: changed.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && !(changed.includes("volumeId") && otherVolume),
    };
  },

  async create(inputs) {
    const s = connect({ cloud: inputs.cloud, region: inputs.region });
    const action = `attaching ${describe(inputs)}`;
    const id = idOf(inputs);
    return onServer(s, inputs, action, async (guard) => {
      if (!guard.server) throw guard.notFound!; // Nova's "Instance ... could not be found"
      const mv = await computeMicroversion(s, inputs);
      const cinderMv = await volumeMicroversion(s);
      const scope = await s.scope("compute");

      const before = await attachmentEvidence(s, mv, cinderMv, inputs, action);
      let started = true;
      let requestId: string | undefined;
      if (before.nova || before.cinder.length > 0) {
        await adopt(s, mv, inputs, before.nova, action);
      } else {
        const volume = await volumeReadyToAttach(s, inputs.volumeId, {
          timeoutMs: timeoutMs(inputs),
          action,
        });
        if (volume.multiattach && !atLeast(mv, NOVA_VOLUME.multiattach)) {
          await s.requireMicroversion("compute", NOVA_VOLUME.multiattach, "attaching a multiattach volume");
        }
        const posted = await postAttachOnce(s, mv, cinderMv, inputs, action);
        // Below 2.101 the POST answered after the reservation; a POST seen through its effects started too.
        started = posted.received || !atLeast(mv, NOVA_VOLUME.async);
        requestId = posted.requestId;
      }
      try {
        await waitForAttached(s, mv, cinderMv, inputs, { started, action, requestId });
      } catch (err) {
        if (err instanceof AttachFailedError) throw err;
        // Timed out or failed while the attachment may exist: let the engine record it.
        throw new InitFailedError(err, id, outputsOf(inputs, undefined, scope));
      }
      const live = await liveView(s, mv, inputs, action);
      return { id, outs: outputsOf(inputs, live, scope) };
    });
  },

  async read(id, props) {
    const [serverId, volumeId] = id.split("/");
    const inputs: VolumeAttachmentInputs = props ?? { serverId, volumeId };
    const s = connect({ cloud: inputs.cloud, region: inputs.region });
    const what = `volume attachment ${id}`;
    const action = `reading the ${what}`;
    if (props?.scope) await s.assertScope(props.scope, "compute", what);
    const scope = props?.scope ?? (await s.scope("compute"));
    const mv = await s.microversion("compute", NOVA_VOLUME_BEST);
    let live: NovaVolumeAttachment | undefined;
    try {
      live = await showVolumeAttachment(s, mv, serverId, volumeId, action);
    } catch (err) {
      if (!(await s.isGone(err, { recorded: props?.scope, what }))) throw err;
      if (!atLeast(mv, NOVA_VOLUME.attachmentIds)) return {};
      // 2.89+ hides an attachment that has no Cinder attachment id (yet): gone only if Cinder agrees.
      const cinderMv = await volumeMicroversion(s);
      const evidence = await attachmentEvidence(s, mv, cinderMv, { serverId, volumeId }, action);
      if (!evidence.nova && evidence.cinder.length === 0) return {};
      live = evidence.nova ?? { serverId, volumeId };
    }
    return { id, props: outputsOf(inputs, live, scope) };
  },

  async update(id, olds, news) {
    const s = connect({ cloud: news.cloud, region: news.region });
    const action = `updating ${describe(news)}`;
    await s.assertScope(olds.scope, "compute", `volume attachment ${id}`);
    return onServer(s, news, action, async (guard) => {
      if (!guard.server) throw guard.notFound!;
      const mv = await computeMicroversion(s, news);
      const before = olds.deleteOnTermination ?? false;
      const after = news.deleteOnTermination ?? false;
      if (before !== after) await setDeleteOnTermination(s, mv, news, after, action);
      const live = await liveView(s, mv, news, action);
      return { outs: outputsOf(news, live, olds.scope) };
    });
  },

  async delete(id, props) {
    const s = connect({ cloud: props.cloud, region: props.region });
    const action = `detaching ${describe(props)}`;
    const what = `volume attachment ${id}`;
    await s.assertScope(props.scope, "compute", what);
    await onServer(s, props, action, async (guard) => {
      if (!guard.server) {
        if (await s.isGone(guard.notFound, { recorded: props.scope, what })) return; // the server is gone
        throw guard.notFound;
      }
      const mv = await s.microversion("compute", NOVA_VOLUME_BEST);
      const cinderMv = await volumeMicroversion(s);
      const deadline = Date.now() + timeoutMs(props);
      let requestId: string | undefined;
      try {
        await guardShelvedOffloaded(s, mv, guard.server!, props, action);
        requestId = await retryWhileBusy(() => startDetach(s, mv, props, action), {
          what: action,
          timeoutMs: timeoutMs(props),
          isBusy: (err) => isBusyConflict(err) || err instanceof VolumeBusyError,
          onProgress: (message) => log.info(message),
        });
      } catch (err) {
        if (await s.isGone(err, { recorded: props.scope, what })) return; // server, volume or attachment gone
        throw err;
      }
      await waitForDetached(s, mv, cinderMv, props, {
        action,
        timeoutMs: Math.max(deadline - Date.now(), 1),
        requestId,
      });
    });
  },
};

/** The volume is attaching (an attach still under way): the detach must wait for it. */
class VolumeBusyError extends Error {}

/**
 * DELETE, giving its request id; Cinder's "Unable to detach" 400 means the volume is not in-use: already
 * `detaching` (an earlier detach is under way: follow it) or still attaching (wait for it, as for a busy
 * server). `available` counts as attaching: Nova found its block device mapping (else the DELETE is a 404),
 * so a 2.101 attach is between the mapping and the reservation (or a rollback between its two cleanups).
 */
async function startDetach(
  s: Session,
  mv: string,
  i: VolumeAttachmentInputs,
  action: string,
): Promise<string | undefined> {
  try {
    return (await detachVolume(s, mv, i.serverId, i.volumeId, action)).requestId;
  } catch (err) {
    if (!isBadRequest(err) || !/Unable to detach volume/i.test(err.serviceMessage)) throw err;
    const volume = await showVolume(s, i.volumeId, action);
    if (volume.status === "detaching") return undefined;
    if (["available", "reserved", "attaching"].includes(volume.status)) {
      throw new VolumeBusyError(`${action}: the volume is still "${volume.status}"`);
    }
    throw err;
  }
}
