// Nova os-instance-actions (FACTS §3.8): what Nova recorded about one request on a server, found by the
// request id its answer carried, with one event per step ("compute_attach_volume": start, finish, result).
// URLs, result types, one function per call. No Pulumi here.
import { Session } from "../openstack";
import { serverPath } from "./servers";

/** From 2.51 the events are shown to the server's project too (before, to admins only). */
export const INSTANCE_ACTION_EVENTS = "2.51";

export interface InstanceActionEvent {
  /** "<service>_<method>", e.g. compute_attach_volume. */
  event: string;
  /** "Success", "Error", or null while the step runs. */
  result: string | null;
  startTime: string;
  finishTime: string | null;
  /** The failure's message (2.84+; admins only by default). */
  details?: string | null;
}

export interface InstanceAction {
  /** attach_volume, detach_volume, stop, ... */
  action: string;
  requestId: string;
  /** "Error" once one of its steps failed (shown to everyone who may see the action). */
  message: string | null;
  /** Absent when the caller may not see them (below 2.51 for non-admins). */
  events?: InstanceActionEvent[];
}

const item = (serverId: string, requestId: string) =>
  `${serverPath(serverId)}/os-instance-actions/${encodeURIComponent(requestId)}`;

function actionFromApi(raw: any): InstanceAction {
  const out: InstanceAction = {
    action: String(raw?.action),
    requestId: String(raw?.request_id),
    message: raw?.message ?? null,
  };
  if (Array.isArray(raw?.events)) {
    out.events = raw.events.map((e: any) => ({
      event: String(e.event),
      result: e.result ?? null,
      startTime: e.start_time,
      finishTime: e.finish_time ?? null,
      ...("details" in e ? { details: e.details } : {}),
    }));
  }
  return out;
}

/**
 * GET /servers/{id}/os-instance-actions/{request_id}. 404 "Action ... not found" while Nova has recorded
 * nothing under that request id (an attach at 2.101: until its conductor reserved the volume); 403 where a
 * policy hides instance actions.
 */
export async function showInstanceAction(
  s: Session,
  mv: string,
  serverId: string,
  requestId: string,
  action: string,
): Promise<InstanceAction> {
  const { data } = await s.request("compute", "GET", item(serverId, requestId), { microversion: mv, action });
  return actionFromApi(data?.instanceAction);
}

const isError = (e: InstanceActionEvent) => e.result?.toLowerCase() === "error";

/** The step that failed, when the caller may see the events. */
export const failedStep = (a: InstanceAction) => (a.events ?? []).find(isError);

/** The action failed: a step finished with "Error" (or, where events are hidden, its message says so). */
export const actionFailed = (a: InstanceAction) => a.message === "Error" || failedStep(a) !== undefined;
