// The server guard: every operation of every resource kind on one Nova server goes through `withServer`.
//
// - One at a time per server in this process (the core's keyed `withLock`, key `server:<id>`), since
//   Pulumi's host runs a burst of creates concurrently and Nova refuses (or breaks) overlapping power changes.
// - Power restore that survives a crash: before stopping an ACTIVE server the guard writes the state to
//   restore into the server's metadata (RESTORE_NOTE_KEY); it deletes the item once the server runs again.
//   An operation that finds an item left by a process that no longer runs takes the restore over.
// - One stop/start per burst: an operation that stopped the server and succeeded leaves it stopped while
//   other operations on that server are queued; the last one starts it. The earlier ones wait for that start
//   before they return, so every operation of the burst reports the server's final state.
// - Never a start (nor a stop) while a share mapping of the server is `attaching` or `detaching`: Nova would
//   put the server in ERROR (FACTS §2.7).
import * as os from "os";
import {
  OpenStackError,
  Session,
  compareMicroversions,
  isNotFound,
  isReadOnly,
  log,
  readOnce,
  resendUnlessApplied,
  retryWhileBusy,
  waitFor,
  withLock,
} from "../openstack";
import type { PollResult, WaitOptions } from "../openstack";
import { SERVER_SHARES_MICROVERSION, isInFlight, listServerShares } from "./serverShares";
import {
  Server,
  deleteServerMetadataItem,
  getServer,
  setServerMetadataItem,
  startServer,
  stopServer,
} from "./servers";

/** The server metadata item that records the power state to restore while the guard holds a server stopped. */
export const RESTORE_NOTE_KEY = "pulumi-openstack-storage:restore-power";

/** What the metadata item holds (JSON, well under Nova's 255-character value limit). */
export interface RestoreNote {
  /** The status to restore: "ACTIVE". */
  state: string;
  /** `<hostname>#<pid>` of the provider process that stopped the server. */
  by: string;
  /** When the server was stopped (ISO 8601). */
  at: string;
}

/** How often a long wait logs its progress (tests shorten it). */
export const progressSettings = { intervalMs: 10_000 };

/** `waitFor` with progress lines in the core's log (which the host points at Pulumi's log). */
export function waitLogged<T>(options: Pick<WaitOptions<T>, "what" | "timeoutMs" | "poll">): Promise<T> {
  return waitFor<T>({
    ...options,
    progressIntervalMs: progressSettings.intervalMs,
    onProgress: (message) => log.info(message),
  });
}

/** Options of `withServer`. */
export interface GuardOptions {
  /** What the operation does, for messages and logs: "attaching share S to server V". */
  action: string;
  /** The deadline of each wait (server stop, start, settle; mappings leaving attaching/detaching). */
  timeoutMs: number;
}

/** What an operation inside `withServer` gets. */
export interface ServerGuard {
  readonly serverId: string;
  /**
   * The server as read once this operation holds the server (after earlier operations finished), or
   * undefined when Nova answered 404 (see `notFound`).
   */
  readonly server: Server | undefined;
  /** The 404 of that read, for `Session.isGone` (a 404 is only "gone" in the recorded scope). */
  readonly notFound: OpenStackError | undefined;
  /** True when the server was stopped by the guard and will be started again when the operation ends. */
  readonly willRestore: boolean;
  /** Reads the server again, first waiting until no task runs on it (nor a build). Throws on 404. */
  settle(): Promise<Server>;
  /**
   * Makes sure the server is SHUTOFF: an ACTIVE server is noted (RESTORE_NOTE_KEY), stopped and awaited;
   * the guard starts it again when the operation (or the burst it belongs to) ends, also on failure. A
   * SHUTOFF server stays as it is. Any other status is an error that names it. Power policies are the
   * caller's: call this only when the user's policy allows stopping the server.
   */
  stop(): Promise<Server>;
}

/**
 * Thrown by `withServer` when the operation succeeded but starting the server again failed. `result` is
 * what the operation returned (e.g. to build an init-failed error that records the object in Pulumi).
 */
export class PowerRestoreError extends Error {
  constructor(
    message: string,
    readonly result: unknown,
  ) {
    super(message);
    this.name = "PowerRestoreError";
  }
}

/** How a restore ended: `error` when it failed; `summary` says what was done, for messages. */
interface RestoreOutcome {
  summary: string;
  error?: Error;
}

/** Settled by the operation that restores power, for those that handed the restore over to it. */
interface BurstEnd {
  promise: Promise<RestoreOutcome>;
  settle(outcome: RestoreOutcome): void;
}

/** What this process knows about one server. */
interface ServerRecord {
  /** Operations waiting for the server's lock. */
  queued: number;
  /** The status to restore when the current burst ends (the note is in the server's metadata). */
  restoreTo?: string;
  /** True when `restoreTo` was taken over from a note left by a process that is gone. */
  adopted?: boolean;
  burstEnd?: BurstEnd;
}

const records = new Map<string, ServerRecord>();
const processTag = `${os.hostname()}#${process.pid}`;

function recordOf(serverId: string): ServerRecord {
  let record = records.get(serverId);
  if (!record) records.set(serverId, (record = { queued: 0 }));
  return record;
}

function burstEnd(): BurstEnd {
  let settle!: (outcome: RestoreOutcome) => void;
  const promise = new Promise<RestoreOutcome>((resolve) => (settle = resolve));
  return { promise, settle };
}

/**
 * Runs `fn` on server `serverId` under the server guard, and returns its result.
 *
 * Use it for every create, read, update and delete that concerns a server, whatever the resource kind:
 * ```ts
 * const s = connect({ cloud, region });
 * return withServer(s, serverId, { action: `attaching volume ${v} to server ${serverId}`, timeoutMs }, async (guard) => {
 *   if (!guard.server) ... // Nova said 404: decide with s.isGone(guard.notFound, { recorded: scope })
 *   if (mustBeStopped && guard.server.status === "ACTIVE") await guard.stop(); // only if the user's policy allows
 *   ... the operation's API calls ...
 * });
 * ```
 * - Waits for earlier operations on the same server in this process (every resource kind shares the lock).
 * - On entry, takes over a power restore that a dead process left in the server's metadata (a killed
 *   `pulumi up`); if the note belongs to another live process on this host, waits until that one is done.
 * - On exit, if the server was stopped by the guard: when this operation succeeded and others are queued for
 *   the server, leaves it stopped for them and waits until the last one has started it (one stop/start per
 *   burst); otherwise waits until no share mapping is attaching/detaching, starts it, waits for ACTIVE and
 *   deletes the note.
 * - Errors: an error thrown by `fn` is rethrown after the restore, its message extended with what happened
 *   to the power state ("server S was started again (ACTIVE)", or why not). When `fn` succeeded but the
 *   restore failed, `PowerRestoreError` is thrown, carrying `fn`'s result. A restore taken over from a dead
 *   process that cannot be done now (e.g. the server is in ERROR) is only logged as a warning; its note
 *   stays for a later operation.
 * - Do not nest `withServer` calls for the same server: the lock is not re-entrant.
 */
export async function withServer<T>(
  session: Session,
  serverId: string,
  options: GuardOptions,
  fn: (guard: ServerGuard) => Promise<T>,
): Promise<T> {
  const record = recordOf(serverId);
  record.queued++;
  const outcome = await withLock(`server:${serverId}`, async () => {
    record.queued--;
    const op = new GuardedOperation(session, serverId, options, record);
    let result: T | undefined;
    let failure: unknown;
    try {
      await op.enter();
      result = await fn(op);
    } catch (err) {
      failure = err;
    }
    if (record.restoreTo === undefined) return { result, failure };
    if (failure === undefined && record.queued > 0) {
      log.info(
        `server ${serverId} stays stopped for ${record.queued} queued operation(s); the last one starts it again`,
      );
      record.burstEnd ??= burstEnd();
      return { result, failure, pending: record.burstEnd.promise };
    }
    const restored = await op.restore(failure !== undefined);
    record.burstEnd?.settle(restored);
    record.burstEnd = undefined;
    return { result, failure, restored };
  }).finally(() => {
    if (record.queued === 0 && record.restoreTo === undefined && !record.burstEnd) records.delete(serverId);
  });

  const restored = outcome.pending ? await outcome.pending : outcome.restored;
  if (outcome.failure !== undefined) {
    if (restored && outcome.failure instanceof Error) {
      outcome.failure.message += `; ${restored.error?.message ?? restored.summary}`;
    }
    throw outcome.failure;
  }
  if (restored?.error) {
    throw new PowerRestoreError(`${options.action} succeeded, but ${restored.error.message}`, outcome.result);
  }
  return outcome.result as T;
}

/** Parses the note of a server, if it has one. */
export function restoreNoteOf(server: Server): RestoreNote | undefined {
  const raw = server.metadata[RESTORE_NOTE_KEY];
  if (raw === undefined) return undefined;
  try {
    const note = JSON.parse(raw);
    if (typeof note?.state === "string")
      return { state: note.state, by: String(note.by), at: String(note.at) };
  } catch {
    // not ours to parse: treat it as a request to restore ACTIVE
  }
  return { state: "ACTIVE", by: "unknown", at: "unknown" };
}

function warnPendingRestore(server: Server, note: RestoreNote): void {
  log.warn(
    `server ${server.id} is ${server.status} with a pending power restore to ${note.state} (metadata item ` +
      `${RESTORE_NOTE_KEY}, left by process ${note.by} at ${note.at}); not restored here (read-only): the next ` +
      "pulumi up or refresh that touches this server restores it",
  );
}

/**
 * For a read in read-only mode (drift), which needs no guard since it repairs nothing: reads the server
 * and warns if it has a pending power restore. A missing server is left to the caller's own read. The
 * server is read once per drift run however many attachments it has (`readOnce`); each caller warns.
 */
export async function warnIfPendingRestore(
  session: Session,
  serverId: string,
  action: string,
): Promise<void> {
  const key = `server ${serverId} at ${await session.endpoint("compute")} for ${await session.projectId()}`;
  const server = await readOnce(key, () =>
    getServer(session, serverId, `${action}: reading server ${serverId}`).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }),
  );
  const note = server && restoreNoteOf(server);
  if (server && note) warnPendingRestore(server, note);
}

/** True when the note was written by another process of this host that still runs. */
function writtenByLiveProcess(note: RestoreNote): boolean {
  const [host, pid] = note.by.split("#");
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? "") || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One operation holding a server. */
class GuardedOperation implements ServerGuard {
  server: Server | undefined;
  notFound: OpenStackError | undefined;
  #supportsShares?: boolean;

  constructor(
    private readonly session: Session,
    readonly serverId: string,
    private readonly options: GuardOptions,
    private readonly record: ServerRecord,
  ) {}

  get willRestore(): boolean {
    return this.record.restoreTo !== undefined;
  }

  private async show(): Promise<Server | undefined> {
    try {
      const server = await getServer(
        this.session,
        this.serverId,
        `${this.options.action}: reading server ${this.serverId}`,
      );
      this.notFound = undefined;
      return (this.server = server);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.notFound = err;
      return (this.server = undefined);
    }
  }

  private wait<T>(what: string, poll: () => Promise<PollResult<T>>) {
    return waitLogged<T>({
      what: `${what} (${this.options.action})`,
      timeoutMs: this.options.timeoutMs,
      poll,
    });
  }

  /**
   * Reads the server; takes over a note left by a process that is gone. In read-only mode (the drift
   * command) a note is only reported, as a warning: neither waited for nor restored.
   */
  async enter(): Promise<void> {
    let server = await this.show();
    if (!server || this.record.restoreTo !== undefined) return;
    let note = restoreNoteOf(server);
    if (note && isReadOnly()) {
      warnPendingRestore(server, note);
      return;
    }
    if (note && writtenByLiveProcess(note)) {
      log.info(
        `server ${this.serverId} is being changed by process ${note.by} (since ${note.at}); waiting for it`,
      );
      server = await this.wait(
        `process ${note.by} to finish its operation on server ${this.serverId}`,
        async () => {
          const now = await this.show();
          const current = now && restoreNoteOf(now);
          return current && writtenByLiveProcess(current)
            ? { done: false, state: `noted by ${current.by}` }
            : { done: true, value: now };
        },
      );
      note = server && restoreNoteOf(server);
    }
    if (!note) return;
    log.warn(
      `server ${this.serverId}: an interrupted run (process ${note.by}, ${note.at}) stopped it and left metadata item ` +
        `${RESTORE_NOTE_KEY}; this operation restores its power state (${note.state}) when it ends`,
    );
    this.record.restoreTo = note.state;
    this.record.adopted = true;
  }

  async settle(): Promise<Server> {
    return this.wait(`server ${this.serverId} to finish its current task`, async () => {
      const server = await this.show();
      if (!server) throw this.notFound!;
      return server.taskState === null && server.status !== "BUILD"
        ? { done: true, value: server }
        : { done: false, state: describe(server) };
    });
  }

  /** True when the cloud has os-server-shares (no mapping can exist otherwise). */
  private async supportsShares(): Promise<boolean> {
    if (this.#supportsShares === undefined) {
      const { max } = await this.session.versions("compute");
      this.#supportsShares = max !== undefined && compareMicroversions(max, SERVER_SHARES_MICROVERSION) >= 0;
    }
    return this.#supportsShares;
  }

  /** Waits until no share mapping of the server is attaching or detaching (before any power change). */
  private async noMappingInFlight(change: string): Promise<void> {
    if (!(await this.supportsShares())) return;
    await this.wait(
      `the share mappings of server ${this.serverId} to leave attaching/detaching before ${change}`,
      async () => {
        const busy = (await listServerShares(this.session, this.serverId)).filter((m) =>
          isInFlight(m.status),
        );
        return busy.length === 0
          ? { done: true, value: undefined }
          : { done: false, state: busy.map((m) => `share ${m.shareId} ${m.status}`).join(", ") };
      },
    );
  }

  private waitForStatus(status: string, doing: string): Promise<Server> {
    return this.wait(`server ${this.serverId} to reach ${status}`, async () => {
      const server = await this.show();
      if (!server) throw this.notFound!;
      if (server.taskState === null && server.status === status) return { done: true, value: server };
      if (server.status === "ERROR" && server.taskState === null) {
        throw new Error(
          `${doing}: server ${this.serverId} went to ERROR${server.fault ? ` (${server.fault})` : ""}`,
        );
      }
      return { done: false, state: describe(server) };
    });
  }

  /**
   * Sends a power action; after a failure, accepts it if the server is already doing (or done) it. Nova
   * records the task before it answers, so after a transient failure a server that shows nothing of the
   * action never got it: the action is sent again.
   */
  private async power(send: () => Promise<void>, task: string, target: string, doing: string): Promise<void> {
    const sent = async () => {
      await retryWhileBusy(send, { what: doing, timeoutMs: this.options.timeoutMs });
      return true;
    };
    await resendUnlessApplied(sent, {
      applied: async (err) => {
        const now = await this.show();
        if (!now) throw err;
        if (now.taskState !== task && !(now.status === target && now.taskState === null)) return undefined;
        log.debug(
          `${doing}: the request failed (${(err as Error).message}) but the server is ${describe(now)}`,
        );
        return true;
      },
      onResend: (err) =>
        log.info(`${doing}: ${(err as Error).message}; the server shows nothing of it: sending it again`),
    });
  }

  async stop(): Promise<Server> {
    const server = await this.settle();
    if (server.status === "SHUTOFF") return server;
    if (server.status !== "ACTIVE") {
      throw new Error(
        `${this.options.action}: cannot stop server ${this.serverId}: it is ${describe(server)}`,
      );
    }
    await this.noMappingInFlight("stopping it");
    const doing = `${this.options.action}: stopping server ${this.serverId}`;
    if (this.record.restoreTo === undefined) {
      const note: RestoreNote = { state: "ACTIVE", by: processTag, at: new Date().toISOString() };
      await retryWhileBusy(
        () =>
          setServerMetadataItem(
            this.session,
            this.serverId,
            RESTORE_NOTE_KEY,
            JSON.stringify(note),
            `${doing}: recording its power state`,
          ),
        { what: doing, timeoutMs: this.options.timeoutMs },
      );
      this.record.restoreTo = note.state;
    }
    this.record.adopted = false; // this operation stops it: a failed restore is its error, not a warning
    log.info(`stopping server ${this.serverId} (${this.options.action}); it is started again afterwards`);
    await this.power(() => stopServer(this.session, this.serverId), "powering-off", "SHUTOFF", doing);
    return this.waitForStatus("SHUTOFF", doing);
  }

  /**
   * Brings the server back to `record.restoreTo` and deletes the note. `afterFailure` only changes the
   * wording. Never throws: the outcome says what happened.
   */
  async restore(afterFailure: boolean): Promise<RestoreOutcome> {
    const target = this.record.restoreTo!;
    const adopted = this.record.adopted === true;
    this.record.restoreTo = undefined;
    this.record.adopted = undefined;
    const doing = `starting server ${this.serverId} again`;
    try {
      let server = await this.settle().catch((err) => {
        if (this.notFound) return undefined; // deleted meanwhile: nothing to restore
        throw err;
      });
      if (!server) return { summary: `server ${this.serverId} no longer exists` };
      const started = server.status === "SHUTOFF" && target === "ACTIVE";
      if (started) {
        await this.noMappingInFlight("starting it");
        log.info(`starting server ${this.serverId} again${afterFailure ? " after a failure" : ""}`);
        await this.power(() => startServer(this.session, this.serverId), "powering-on", "ACTIVE", doing);
        server = await this.waitForStatus("ACTIVE", doing);
      } else if (server.status !== target) {
        throw new Error(`it is ${describe(server)}, which the guard does not start from`);
      }
      await deleteServerMetadataItem(
        this.session,
        this.serverId,
        RESTORE_NOTE_KEY,
        `${doing}: deleting metadata item ${RESTORE_NOTE_KEY}`,
      ).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
      return {
        summary: started
          ? `server ${this.serverId} was started again (${server.status})`
          : `server ${this.serverId} is ${server.status} (it needed no start)`,
      };
    } catch (err) {
      const state = this.server ? describe(this.server) : "in an unknown state";
      const message =
        `could not start server ${this.serverId} again: ${(err as Error).message}; it is left ${state} and its ` +
        `metadata item ${RESTORE_NOTE_KEY} records that it should be ${target}: the next operation on this server ` +
        `finishes the restore (or start it yourself and delete that item)`;
      if (adopted) {
        log.warn(`server ${this.serverId}: finishing an interrupted run's power restore failed: ${message}`);
        return { summary: `server ${this.serverId} could not be started again (${state}; see the warning)` };
      }
      return { summary: message, error: new Error(message) };
    }
  }
}

function describe(server: Server): string {
  return server.taskState ? `${server.status} (task ${server.taskState})` : server.status;
}
