// BlockStorageAttachment: a Cinder v3 attachment (FACTS §5). Reserve (no connector) or connect (with one),
// complete (3.44) when asked, a new connector in place (PUT, then complete again), delete. The id is the
// attachment id. `connectionInfo` is secret: the SDK class marks it (additionalSecretOutputs), and its
// credentials are registered for redaction the moment a response carries them.
import { Scope, Session, connect, isConflict, log } from "../openstack";
import {
  ATTACHMENTS_BEST,
  ATTACHMENTS_MIN,
  COMPLETE_MIN,
  CinderAttachment,
  MODE_MIN,
  completeAttachment,
  createAttachment,
  deleteAttachment,
  findAttachments,
  showAttachment,
  updateAttachment,
} from "../blockstorage/attachments";
import { volumeReadyToAttach } from "../blockstorage/volumes";
import { InitFailedError, ResourceImplementation } from "./common";
import { InputChecks, changedInputs, pickInputs, timeoutMs } from "./inputs";

const KIND = "BlockStorageAttachment";

export interface BlockStorageAttachmentInputs {
  volumeId: string;
  instanceId?: string;
  connector?: Record<string, unknown>;
  mode?: "rw" | "ro";
  complete?: boolean;
  timeoutSeconds?: number;
  cloud?: string;
  region?: string;
}

export interface BlockStorageAttachmentOutputs extends BlockStorageAttachmentInputs {
  /** The attachment's attach_status. */
  status: string;
  /** The attach mode Cinder reports ("rw", "ro" or "null"). */
  attachMode: string;
  /** Secret. */
  connectionInfo: Record<string, unknown>;
  /** Where the attachment lives (checked by read and delete). */
  scope: Scope;
}

const INPUTS = [
  "volumeId",
  "instanceId",
  "connector",
  "mode",
  "complete",
  "timeoutSeconds",
  "cloud",
  "region",
] as const;
// A connector and a completion cannot be taken back: removing either replaces too (see diff). `cloud` and
// `region` change in place: the update checks that the new credentials still point where the attachment is.
const REPLACING = ["volumeId", "instanceId", "mode"];

/** Whether the attachment is to be completed: as asked, else when there is a connector. */
const wantsComplete = (i: Pick<BlockStorageAttachmentInputs, "complete" | "connector">) =>
  i.complete ?? i.connector !== undefined;

const describe = (i: { volumeId: string; instanceId?: string }) =>
  `Cinder attachment of volume ${i.volumeId}${i.instanceId ? ` for instance ${i.instanceId}` : ""}`;

/**
 * The microversion to send: the best the cloud has up to 3.54, after checking that it can do what `needs`
 * asks (before any mutation).
 */
async function volumeMicroversion(
  s: Session,
  needs: Pick<BlockStorageAttachmentInputs, "complete" | "connector" | "mode"> = {},
): Promise<string> {
  await s.requireMicroversion("block-storage", ATTACHMENTS_MIN, "the attachments API");
  if (wantsComplete(needs))
    await s.requireMicroversion("block-storage", COMPLETE_MIN, "completing an attachment (complete)");
  if (needs.mode !== undefined)
    await s.requireMicroversion("block-storage", MODE_MIN, "the attach mode (mode)");
  return s.microversion("block-storage", ATTACHMENTS_BEST);
}

/** The outputs: the inputs as given, then what Cinder reports. */
function outputsOf(
  inputs: BlockStorageAttachmentInputs,
  attachment: CinderAttachment,
  scope: Scope,
): BlockStorageAttachmentOutputs {
  return {
    ...(pickInputs(inputs, INPUTS) as BlockStorageAttachmentInputs),
    status: attachment.status,
    attachMode: attachment.attachMode ?? "null",
    connectionInfo: attachment.connectionInfo ?? {},
    scope,
  };
}

/** Outputs for an init-failed error: without connection info, which must never travel in an error. */
function safeOutputs(outputs: BlockStorageAttachmentOutputs): object {
  const { connectionInfo: _secret, ...rest } = outputs;
  return rest;
}

/**
 * Finds an attachment an interrupted earlier create made: one of this volume for this instance that is
 * still live. Without an instance id Cinder's list cannot tell ours from anyone else's, so nothing is found.
 */
async function findEarlierAttempt(
  s: Session,
  mv: string,
  inputs: BlockStorageAttachmentInputs,
  action: string,
): Promise<CinderAttachment | undefined> {
  if (inputs.instanceId === undefined) return undefined;
  const found = await findAttachments(
    s,
    mv,
    { volumeId: inputs.volumeId, instanceId: inputs.instanceId },
    action,
  );
  const live = found.find((a) => ["reserved", "attaching", "attached"].includes(a.status));
  return live && showAttachment(s, mv, live.id, action);
}

/** Connects (when a connector is new or was never applied) and completes as the inputs ask. */
async function converge(
  s: Session,
  mv: string,
  attachment: CinderAttachment,
  inputs: BlockStorageAttachmentInputs,
  options: { connectorChanged: boolean; action: string },
): Promise<CinderAttachment> {
  let connected = Object.keys(attachment.connectionInfo ?? {}).length > 0;
  let current = attachment;
  if (inputs.connector !== undefined && (options.connectorChanged || !connected)) {
    current = await updateAttachment(s, mv, attachment.id, inputs.connector, options.action);
    connected = true;
  }
  const needsComplete = wantsComplete(inputs) && (options.connectorChanged || current.status !== "attached");
  if (needsComplete) await completeAttachment(s, mv, attachment.id, options.action);
  return showAttachment(s, mv, attachment.id, options.action);
}

export const blockStorageAttachment: ResourceImplementation<
  BlockStorageAttachmentInputs,
  BlockStorageAttachmentOutputs
> = {
  outputs: { secret: ["connectionInfo"] },

  async check(_olds, news) {
    const c = new InputChecks(news as any, KIND, INPUTS)
      .required("volumeId", "the id of the Cinder volume to attach")
      .uuid("volumeId", "a Cinder volume")
      .uuid("instanceId", "the instance (server) the attachment is for")
      .object("connector")
      .oneOf("mode", ["rw", "ro"])
      .boolean("complete")
      .common();
    if (c.known("complete") === true && !c.given("connector")) {
      c.fail(
        "complete",
        "needs a connector: Cinder completes only an attachment whose connection was initialized " +
          "(set connector, or leave complete unset)",
      );
    }
    return { inputs: news, failures: c.failures };
  },

  async diff(_id, olds, news) {
    const changed = changedInputs(olds, news, INPUTS);
    const replaces = changed.filter((key) => REPLACING.includes(key));
    if (changed.includes("connector") && olds.connector !== undefined && news.connector === undefined) {
      replaces.push("connector"); // Cinder cannot drop a connection from an attachment
    }
    if ((changed.includes("complete") || changed.includes("connector")) && wantsComplete(olds)) {
      const next = wantsComplete(news);
      if (next !== true) replaces.push("complete"); // nor take a completion back (an unknown may do so)
    }
    // The volume stays: a new attachment cannot reserve it while the old one holds it.
    const volumeChanges = changed.includes("volumeId") && typeof news.volumeId === "string";
    return {
      changes: changed.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && !(volumeChanges && news.volumeId !== olds.volumeId),
    };
  },

  async create(inputs) {
    const s = connect({ cloud: inputs.cloud, region: inputs.region });
    const action = `creating the ${describe(inputs)}`;
    const mv = await volumeMicroversion(s, inputs);
    const scope = await s.scope("block-storage");

    let attachment = await findEarlierAttempt(s, mv, inputs, action);
    if (attachment) {
      log.info(`${action}: found attachment ${attachment.id} from an earlier attempt; continuing with it`);
    } else {
      await volumeReadyToAttach(s, inputs.volumeId, { timeoutMs: timeoutMs(inputs), action });
      attachment = await createAttachment(
        s,
        mv,
        {
          volumeId: inputs.volumeId,
          instanceId: inputs.instanceId,
          connector: inputs.connector,
          mode: inputs.mode,
        },
        action,
      );
    }
    const created = attachment;
    try {
      const final = await converge(s, mv, created, inputs, { connectorChanged: false, action });
      return { id: created.id, outs: outputsOf(inputs, final, scope) };
    } catch (err) {
      throw new InitFailedError(err, created.id, safeOutputs(outputsOf(inputs, created, scope)));
    }
  },

  async read(id, props) {
    const s = connect({ cloud: props?.cloud, region: props?.region });
    const what = `Cinder attachment ${id}`;
    if (props?.scope) await s.assertScope(props.scope, "block-storage", what);
    const mv = await volumeMicroversion(s);
    let attachment: CinderAttachment;
    try {
      attachment = await showAttachment(s, mv, id, `reading the ${what}`);
    } catch (err) {
      if (await s.isGone(err, { recorded: props?.scope, minMicroversion: ATTACHMENTS_MIN, what })) return {};
      throw err;
    }
    const inputs: BlockStorageAttachmentInputs = props ?? {
      volumeId: attachment.volumeId,
      ...(attachment.instanceId ? { instanceId: attachment.instanceId } : {}),
    };
    return { id, props: outputsOf(inputs, attachment, props?.scope ?? (await s.scope("block-storage"))) };
  },

  async update(id, olds, news) {
    const s = connect({ cloud: news.cloud, region: news.region });
    const action = `updating the ${describe(news)} (${id})`;
    await s.assertScope(olds.scope, "block-storage", `Cinder attachment ${id}`);
    const mv = await volumeMicroversion(s, news);
    const connectorChanged = changedInputs(olds, news, ["connector"]).length > 0;
    let current: CinderAttachment | undefined;
    try {
      current = await showAttachment(s, mv, id, action);
      const final = await converge(s, mv, current, news, { connectorChanged, action });
      return { outs: outputsOf(news, final, olds.scope) };
    } catch (err) {
      if (!current) throw err; // nothing changed yet
      throw new InitFailedError(err, id, safeOutputs(outputsOf(news, current, olds.scope)));
    }
  },

  async delete(id, props) {
    const s = connect({ cloud: props.cloud, region: props.region });
    const what = `Cinder attachment ${id}`;
    const action = `deleting the ${describe(props)} (${id})`;
    await s.assertScope(props.scope, "block-storage", what);
    const mv = await volumeMicroversion(s);
    try {
      await deleteAttachment(s, mv, id, action);
    } catch (err) {
      if (await s.isGone(err, { recorded: props.scope, minMicroversion: ATTACHMENTS_MIN, what })) return;
      if (isConflict(err) && /ConflictNovaUsingAttachment/.test(err.serviceMessage)) {
        throw new Error(
          `${action}: Nova still uses this attachment for server ${props.instanceId ?? "(unknown)"}, so Cinder ` +
            `refuses to delete it (409 ConflictNovaUsingAttachment${err.requestId ? `, request id ${err.requestId}` : ""}). ` +
            "Detach the volume through Nova: manage this attachment with a VolumeAttachment resource (or run " +
            "`openstack server remove volume`), then drop this resource from the stack with `pulumi state delete`.",
        );
      }
      throw err;
    }
  },
};
