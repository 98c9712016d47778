// Nova's instance actions (os-instance-actions; nova/objects/instance_action.py, nova/db/main/api.py
// action_*): what a request did to a server, recorded under the request id its response carried, with one
// event per step (wrap_instance_event / EventReporter: "<service>_<method>", a start, a finish and a result).
// Recorded where Nova records them: the API for stop, start, lock, unlock, resetState, detach_volume and the
// share actions; the conductor for create and attach_volume (after the reservation: an attach that fails
// before it leaves no action). The listing and showing rules are the controller's
// (nova/api/openstack/compute/instance_actions.py); the JSON per microversion is in views.ts.
import { randomUUID } from "crypto";
import { badRequest, notFound } from "../core/faults";
import type { Principal } from "../core/identity";
import type { Version } from "../core/microversion";
import { COMPUTE_HOST, nonNegative, type NovaModel, type Server } from "./model";

/** nova/compute/instance_actions.py: the names the simulator records. */
export const ACTIONS = {
  create: "create",
  stop: "stop",
  start: "start",
  lock: "lock",
  unlock: "unlock",
  resetState: "resetState",
  attachVolume: "attach_volume",
  detachVolume: "detach_volume",
  attachShare: "attach_share",
  detachShare: "detach_share",
} as const;

export interface ActionEvent {
  /** "<prefix>_<method>", e.g. compute_attach_volume, api_lock. */
  event: string;
  startTime: Date;
  finishTime: Date | null;
  /** null while the step runs. */
  result: "Success" | "Error" | null;
  /** The Python traceback of a failed step (admins only). */
  traceback: string | null;
  /** The service host that ran the step (admins only, 2.62+). */
  host: string;
  /** The failure's message (admins only, 2.84+). */
  details: string | null;
}

export interface InstanceAction {
  /** The database id: the tie-break of the newest-first order. */
  id: number;
  action: string;
  instanceUuid: string;
  requestId: string;
  userId: string;
  projectId: string;
  startTime: Date;
  /** The start, then each event's start and finish (changes-since/-before filter on it). */
  updatedAt: Date;
  /** null, or "Error" once an event failed. */
  message: string | null;
  /** In creation order (shown newest first). */
  events: ActionEvent[];
}

/** A step under way; `finish()` records Success, `finish(message)` Error with that message. */
export interface EventReporter {
  finish(error?: string): void;
}

/** CONF.api.max_limit. */
const MAX_LIMIT = 1000;

export class InstanceActionsModel {
  private readonly actions: InstanceAction[] = [];
  private lastId = 0;

  constructor(readonly nova: NovaModel) {}

  reset(): void {
    this.actions.length = 0;
  }

  /** InstanceAction.action_start, under the caller's request id. */
  start(context: Principal, serverId: string, action: string): InstanceAction {
    const now = new Date();
    const record: InstanceAction = {
      id: ++this.lastId,
      action,
      instanceUuid: serverId,
      requestId: context.requestId ?? `req-${randomUUID()}`,
      userId: context.userId,
      projectId: context.projectId,
      startTime: now,
      updatedAt: now,
      message: null,
      events: [],
    };
    this.actions.push(record);
    return record;
  }

  /** EventReporter.__enter__: `<event>` starts on `action` (run by `host`: the one all-in-one host). */
  event(action: InstanceAction, name: string, host = COMPUTE_HOST): EventReporter {
    const event: ActionEvent = {
      event: name,
      startTime: new Date(),
      finishTime: null,
      result: null,
      traceback: null,
      host,
      details: null,
    };
    action.events.push(event);
    action.updatedAt = event.startTime;
    let open = true;
    return {
      finish: (error?: string) => {
        if (!open) return;
        open = false;
        event.finishTime = action.updatedAt = new Date();
        event.result = error === undefined ? "Success" : "Error";
        if (error !== undefined) {
          event.details = error;
          event.traceback = `Traceback (most recent call last):\n  File "nova/compute/utils.py", in decorated_function\n    return function(self, context, *args, **kwargs)\n${error}\n`;
          action.message = "Error";
        }
      },
    };
  }

  /** A step the API runs inline (`@wrap_instance_event(prefix='api')`): its outcome is `run`'s. */
  during<T>(action: InstanceAction, name: string, run: () => T): T {
    const event = this.event(action, name);
    try {
      const value = run();
      event.finish();
      return value;
    } catch (error) {
      event.finish(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** The server's actions, newest first. */
  of(serverId: string): InstanceAction[] {
    return this.actions.filter((a) => a.instanceUuid === serverId).sort(newestFirst);
  }

  /**
   * GET .../os-instance-actions: from 2.58 `limit` and `marker` (a request id) page, `changes-since`
   * filters on updated_at (and from 2.66 `changes-before`); other parameters are 400 from 2.58, ignored
   * before. Returns the page and the limit in force (for the next link).
   */
  list(
    principal: Principal,
    serverId: string,
    query: Record<string, string>,
    mv: Version,
  ): { actions: InstanceAction[]; limit?: number } {
    const paged = mv.atLeast("2.58");
    const since = paged ? changeTime(query, "changes-since") : undefined;
    const before = paged ? changeTime(query, "changes-before") : undefined;
    if (paged) {
      const known = ["limit", "marker", "changes-since", ...(mv.atLeast("2.66") ? ["changes-before"] : [])];
      rejectUnknown(query, known);
    }
    const limit = paged ? Math.min(nonNegative(query, "limit") ?? MAX_LIMIT, MAX_LIMIT) : undefined;
    const server = this.nova.getServer(principal, serverId);
    this.nova.authorize(principal, "os_compute_api:os-instance-actions:list", server.projectId, "reader");
    if (since && before && before < since) {
      throw badRequest("The value of changes-since must be less than or equal to changes-before.");
    }
    const all = this.of(serverId);
    let actions = all.filter((a) => (!since || a.updatedAt >= since) && (!before || a.updatedAt <= before));
    if (paged && query.marker !== undefined) {
      // The marker is looked up among all the server's actions; the page starts after its place.
      const marker = all.find((a) => a.requestId === query.marker);
      if (!marker) throw badRequest(`Marker ${query.marker} could not be found.`);
      actions = actions.filter((a) => newestFirst(a, marker) > 0);
    }
    return { actions: limit === undefined ? actions : actions.slice(0, limit), limit };
  }

  /** GET .../os-instance-actions/{request_id}: 404 "Action <id> not found" for another request. */
  show(
    principal: Principal,
    serverId: string,
    requestId: string,
    query: Record<string, string>,
    mv: Version,
  ): { action: InstanceAction; server: Server } {
    if (mv.atLeast("2.102")) rejectUnknown(query, []);
    const server = this.nova.getServer(principal, serverId);
    this.nova.authorize(principal, "os_compute_api:os-instance-actions:show", server.projectId, "reader");
    const action = this.of(serverId).find((a) => a.requestId === requestId);
    if (!action) throw notFound(`Action ${requestId} not found`);
    return { action, server };
  }
}

/** Nova's order: created_at desc, then id desc. */
const newestFirst = (a: InstanceAction, b: InstanceAction) =>
  b.startTime.getTime() - a.startTime.getTime() || b.id - a.id;

/** additionalProperties false: Nova's query-schema message. */
function rejectUnknown(query: Record<string, string>, known: string[]): void {
  const extra = Object.keys(query).find((k) => !known.includes(k));
  if (extra !== undefined) {
    throw badRequest(
      `Invalid input for query parameters ${extra}. Value: ${query[extra]}. Additional properties are not allowed ('${extra}' was unexpected)`,
    );
  }
}

/** A `format: date-time` query parameter (ISO 8601 with a date and a time). */
function changeTime(query: Record<string, string>, key: string): Date | undefined {
  const text = query[key];
  if (text === undefined) return undefined;
  const time = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)
    ? new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`)
    : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw badRequest(
      `Invalid input for query parameters ${key}. Value: ${text}. '${text}' is not a 'date-time'`,
    );
  }
  return time;
}
