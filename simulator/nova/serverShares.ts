// Nova share mappings (os-server-shares, 2.97; FACTS §2): the API's checks in the controller's order, the
// compute's allow_share/deny_share against the Manila model (as Nova's service user, with 2.82 locks), and
// the mapping state machine of §2.7 including the power-on/off side effects.
import { randomUUID } from "crypto";
import { ApiFault, badRequest, conflict, forbidden, notFound } from "../core/faults";
import type { Principal } from "../core/identity";
import type { Share } from "../manila/model";
import { ACTIONS, type EventReporter } from "./instanceActions";
import { NOVA_SERVICE, TRANSITIONS, pyStr, type NovaModel, type Server } from "./model";

export type MappingStatus = "attaching" | "detaching" | "active" | "inactive" | "error";

export interface ShareMapping {
  /** The mapping's own uuid (admin-only in responses). */
  uuid: string;
  serverId: string;
  /** The Manila share id (what the URL names). */
  shareId: string;
  status: MappingStatus;
  tag: string;
  exportLocation: string;
  shareProto: string;
}

/** The DB column share_mapping.tag is String(48) though the schema allows 255 (FACTS §2.2, §6.4). */
export const TAG_COLUMN_LENGTH = 48;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const TAG_RE = /^[a-zA-Z0-9-]*$/;

export class ServerSharesModel {
  readonly mappings = new Map<string, ShareMapping>();
  /** `@utils.synchronized(share_id)` on the compute: the mapping whose allow/deny holds each share's lock. */
  private readonly shareLocks = new Map<string, string>();

  constructor(readonly nova: NovaModel) {}

  reset(): void {
    this.mappings.clear();
    this.shareLocks.clear();
  }

  /** Takes the share's lock for `mapping`; false while another mapping's allow/deny holds it. */
  private lock(mapping: ShareMapping): boolean {
    const holder = this.shareLocks.get(mapping.shareId);
    if (
      holder !== undefined &&
      holder !== mapping.uuid &&
      [...this.mappings.values()].some((m) => m.uuid === holder)
    ) {
      return false;
    }
    this.shareLocks.set(mapping.shareId, mapping.uuid);
    return true;
  }

  private unlock(mapping: ShareMapping): void {
    if (this.shareLocks.get(mapping.shareId) === mapping.uuid) this.shareLocks.delete(mapping.shareId);
  }

  mappingsOf(serverId: string): ShareMapping[] {
    return [...this.mappings.values()].filter((m) => m.serverId === serverId);
  }

  private find(serverId: string, shareId: string): ShareMapping | undefined {
    return this.mappingsOf(serverId).find((m) => m.shareId === shareId);
  }

  /** Instance mapping (404), policy on the server's project (403), then the instance itself. */
  private serverFor(
    principal: Principal,
    serverId: string,
    rule: string,
    level: "reader" | "member",
  ): Server {
    const server = this.nova.mappedServer(serverId);
    this.nova.authorize(principal, `os_compute_api:os-server-shares:${rule}`, server.projectId, level);
    return server;
  }

  list(principal: Principal, serverId: string, query: Record<string, unknown>): ShareMapping[] {
    rejectQuery(query);
    this.serverFor(principal, serverId, "index", "reader");
    return this.mappingsOf(serverId);
  }

  show(
    principal: Principal,
    serverId: string,
    shareId: string,
    query: Record<string, unknown>,
  ): ShareMapping {
    rejectQuery(query);
    this.serverFor(principal, serverId, "show", "reader");
    const mapping = this.find(serverId, shareId);
    if (!mapping) throw notFound(`Share ${shareId} could not be found.`);
    return mapping;
  }

  /** POST: FACTS §2.5 in order; the mapping starts `attaching` and allow_share runs as "share.attach". */
  create(principal: Principal, serverId: string, body: unknown): ShareMapping {
    const { shareId, tag } = validateCreateBody(body);
    const server = this.serverFor(principal, serverId, "create", "member");
    this.nova.checkState(server, "create share", {
      vmStates: ["stopped"],
      taskStates: "any",
      mustHaveLaunched: false,
    });
    const support = server.sim.sharesSupport ?? this.nova.settings().sharesSupport;
    if (support === "not-supported")
      throw forbidden("Feature not supported until computes have not been updated.");
    if (support === "not-configured") {
      throw conflict(
        "Feature not supported because either compute or instance are not configured correctly.",
      );
    }
    const share = this.manilaShareAsUser(principal, shareId);
    if (share.status !== "available") {
      throw conflict(`Share ${shareId} is in '${share.status}' instead of 'available' status.`);
    }
    const locations = this.nova.world.manila.exportLocations(principal, share.id);
    const exportLocation = (locations.find((e) => e.preferred) ?? locations[0])?.path;
    if (exportLocation === undefined) throw conflict(`Share ${shareId} export location is missing.`);
    if (!["NFS", "CEPHFS"].includes(share.shareProto)) {
      throw conflict(`Share protocol ${share.shareProto} is not supported.`);
    }
    const mapping: ShareMapping = {
      uuid: randomUUID(),
      serverId,
      shareId: share.id,
      status: "attaching",
      tag: tag ?? share.id,
      exportLocation,
      shareProto: share.shareProto,
    };
    const duplicate = () =>
      conflict(`Share '${mapping.shareId}' or tag '${mapping.tag}' already associated to this server.`);
    if (this.find(serverId, share.id)) throw duplicate();
    if (mapping.tag.length > TAG_COLUMN_LENGTH) {
      // MySQL (strict) and PostgreSQL refuse the INSERT; DBDataError is not an expected error: a 500.
      throw new ApiFault(
        500,
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'oslo_db.exception.DBDataError'>",
      );
    }
    if (this.mappingsOf(serverId).some((m) => m.tag === mapping.tag)) throw duplicate(); // unique (instance, tag)
    this.mappings.set(mapping.uuid, mapping);
    const action = this.nova.actions.start(principal, serverId, ACTIONS.attachShare);
    this.scheduleAllow(mapping, 0, this.nova.actions.event(action, "compute_allow_share"));
    return mapping;
  }

  /** Nova asks Manila as the user: 404 (and 400) → 404, 403 → 403 (FACTS §2.5 step 6). */
  private manilaShareAsUser(principal: Principal, shareId: string): Share {
    try {
      return this.nova.world.manila.getShare(principal, shareId);
    } catch (error) {
      if (error instanceof ApiFault && (error.status === 404 || error.status === 400)) {
        throw notFound(`Share ${shareId} could not be found.`);
      }
      if (error instanceof ApiFault && error.status === 403) {
        throw forbidden(
          `ForbiddenException: 403: Client Error for url: ${this.nova.world.baseUrl}/share/v2/shares/${shareId}, ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** DELETE: FACTS §2.6; any mapping status may be deleted again; deny_share runs as "share.detach". */
  delete(principal: Principal, serverId: string, shareId: string): void {
    const server = this.serverFor(principal, serverId, "delete", "member");
    this.nova.checkState(server, "delete share", {
      vmStates: ["stopped", "error"],
      taskStates: "any",
      mustHaveLaunched: false,
    });
    const mapping = this.find(serverId, shareId);
    if (!mapping) throw notFound(`Share ${shareId} could not be found.`);
    mapping.status = "detaching";
    const action = this.nova.actions.start(principal, serverId, ACTIONS.detachShare);
    this.scheduleDeny(mapping, this.nova.actions.event(action, "compute_deny_share"));
  }

  private scheduleDeny(mapping: ShareMapping, event: EventReporter): void {
    this.nova.after(TRANSITIONS.shareDetach, mapping.uuid, () => {
      if (mapping.status !== "detaching") return false;
      if (!this.lock(mapping)) {
        this.scheduleDeny(mapping, event);
        return false;
      }
      const outcome = this.deny(mapping);
      this.unlock(mapping);
      if (outcome === "deleted") event.finish();
      else if (this.mappings.has(mapping.uuid))
        event.finish(`Share ${mapping.shareId} could not be detached.`);
      return outcome;
    });
  }

  /** The access rule allow_share/deny_share use: NFS by IP (this compute's), CephFS by cephx user "nova". */
  private accessFor(mapping: ShareMapping): { type: string; to: string } {
    return mapping.shareProto === "CEPHFS"
      ? { type: "cephx", to: "nova" }
      : { type: "ip", to: this.nova.settings().sharedFsStorageIp };
  }

  private rule(mapping: ShareMapping) {
    const { type, to } = this.accessFor(mapping);
    return this.nova.world.manila
      .rulesOf(mapping.shareId)
      .find((r) => r.accessType === type && r.accessTo === to);
  }

  /**
   * allow_share: if no active rule exists, create one as admin with the 2.82 locks, then poll (one poll
   * per "share.attach" period, up to share_apply_policy_timeout) until it is active → inactive; any
   * Manila refusal, or the timeout → error.
   */
  private scheduleAllow(mapping: ShareMapping, poll: number, event: EventReporter): void {
    this.nova.after(TRANSITIONS.shareAttach, mapping.uuid, () => {
      if (this.mappings.get(mapping.uuid) !== mapping || mapping.status !== "attaching") {
        this.unlock(mapping);
        return false;
      }
      if (!this.lock(mapping)) {
        this.scheduleAllow(mapping, poll, event); // waits for the other allow/deny of this share
        return false;
      }
      const finish = (status: MappingStatus) => {
        this.unlock(mapping);
        event.finish(
          status === "error"
            ? `Share access could not be granted to share id ${mapping.shareId}.`
            : undefined,
        );
        return this.setStatus(mapping, status);
      };
      const manila = this.nova.world.manila;
      if (!manila.shares.has(mapping.shareId)) return finish("error");
      if (this.rule(mapping)?.state === "active") return finish("inactive");
      if (poll === 0) {
        const { type, to } = this.accessFor(mapping);
        try {
          manila.allowAccess(NOVA_SERVICE, mapping.shareId, {
            accessType: type,
            accessTo: to,
            accessLevel: "rw",
            lockVisibility: true,
            lockDeletion: true,
            lockReason: "Lock by nova",
          });
        } catch (error) {
          if (error instanceof ApiFault) return finish("error");
          throw error;
        }
      } else if (poll >= this.nova.settings().shareApplyPolicyTimeout) {
        return finish("error"); // ShareAccessGrantError: too many retries
      }
      this.scheduleAllow(mapping, poll + 1, event);
      return false;
    });
  }

  /**
   * deny_share: revoke the rule (unrestrict) unless another mapping of the share on this host still needs
   * it, then delete the mapping. Manila saying the share or rule is gone still deletes the mapping;
   * a refusal (400) leaves it in error.
   */
  private deny(mapping: ShareMapping): string | false {
    if (this.mappings.get(mapping.uuid) !== mapping) return false;
    const manila = this.nova.world.manila;
    // Revocable only if every mapping of the share is (this instance's and inactive or error) or detaching.
    const stillUsed = [...this.mappings.values()].some(
      (m) =>
        m.shareId === mapping.shareId &&
        !(
          (m.serverId === mapping.serverId && ["inactive", "error"].includes(m.status)) ||
          m.status === "detaching"
        ),
    );
    const rule = this.rule(mapping);
    if (!stillUsed && rule && manila.shares.has(mapping.shareId)) {
      try {
        manila.denyAccess(NOVA_SERVICE, mapping.shareId, rule.id, true);
      } catch (error) {
        if (!(error instanceof ApiFault)) throw error;
        if (error.status === 400) return this.setStatus(mapping, "error");
        if (error.status !== 404) return false; // an uncaught Forbidden: the mapping stays as it is
      }
    }
    this.mappings.delete(mapping.uuid);
    return "deleted";
  }

  private setStatus(mapping: ShareMapping, status: MappingStatus): MappingStatus {
    mapping.status = status;
    return status;
  }

  /**
   * _power_on / _power_off_instance: every mapping becomes active / inactive (activate_all, deactivate_all),
   * or the server goes to ERROR when one is still attaching or detaching. False when it did.
   */
  power(server: Server, action: "start" | "stop"): boolean {
    const busy = this.mappingsOf(server.id).find((m) => m.status === "attaching" || m.status === "detaching");
    if (busy) {
      this.nova.setError(
        server,
        `Share ${busy.shareId} used by instance ${server.id} is in an unexpected state.`,
      );
      return false;
    }
    for (const m of this.mappingsOf(server.id)) m.status = action === "start" ? "active" : "inactive";
    return true;
  }

  /**
   * _shutdown_instance (server delete): each mapping inactive, then denied. Errors are ignored, so a
   * mapping Manila refused stays behind (dangling, as in Nova) and keeps its access rule in use.
   */
  shutdown(server: Server): void {
    for (const m of this.mappingsOf(server.id)) {
      m.status = "inactive";
      this.deny(m);
    }
  }
}

function rejectQuery(query: Record<string, unknown>): void {
  const [key] = Object.keys(query);
  if (key !== undefined) {
    throw badRequest(
      `Invalid input for query parameters ${key}. Value: ${pyStr(query[key])}. Additional properties are not allowed ('${key}' was unexpected)`,
    );
  }
}

/** schemas/server_shares.py `create`: additionalProperties false at both levels, uuid share_id, tag pattern. */
function validateCreateBody(body: unknown): { shareId: string; tag?: string } {
  const invalid = (field: string, value: unknown, reason: string) =>
    badRequest(`Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${reason}`);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      `Invalid input for field/attribute body. Value: ${pyStr(body)}. 'share' is a required property`,
    );
  }
  const extra = Object.keys(body).find((k) => k !== "share");
  if (extra) throw badRequest(`Additional properties are not allowed ('${extra}' was unexpected)`);
  const share = (body as Record<string, unknown>).share;
  if (typeof share !== "object" || share === null || Array.isArray(share)) {
    throw invalid("share", share, `${pyStr(share)} is not of type 'object'`);
  }
  const s = share as Record<string, unknown>;
  const unexpected = Object.keys(s).find((k) => k !== "share_id" && k !== "tag");
  if (unexpected)
    throw invalid("share", s, `Additional properties are not allowed ('${unexpected}' was unexpected)`);
  if (!("share_id" in s)) throw invalid("share", s, "'share_id' is a required property");
  if (typeof s.share_id !== "string" || !UUID_RE.test(s.share_id)) {
    throw invalid("share_id", s.share_id, `${pyStr(s.share_id)} is not a 'uuid'`);
  }
  if ("tag" in s) {
    const t = s.tag;
    if (typeof t !== "string") throw invalid("tag", t, `${pyStr(t)} is not of type 'string'`);
    if (t.length < 1) throw invalid("tag", t, `'${t}' is too short`);
    if (t.length > 255) throw invalid("tag", t, `'${t}' is too long`);
    if (!TAG_RE.test(t)) throw invalid("tag", t, `'${t}' does not match '^[a-zA-Z0-9-]*$'`);
  }
  return { shareId: s.share_id, tag: s.tag as string | undefined };
}
