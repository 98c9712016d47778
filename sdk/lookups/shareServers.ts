// Lookups of Manila share servers (admin-only API): the list with filters, and one server with its
// backend details. Fields follow the cloud's microversion (2.99 or its newest below).
import * as api from "../../provider/sharedfilesystems/shareServers";
import type { ShareServerStatus } from "../shareServer";
import {
  LookupArgumentError,
  LookupScopeArgs,
  lookupSession,
  LookupSessionOptions,
  optionalChoice,
  optionalString,
  outputForm,
  requiredString,
} from "./common";

/** A share server as Manila reports it; fields the cloud's microversion or the list view lacks are absent. */
export type ShareServerInfo = api.ShareServer;

export interface GetShareServersArgs extends LookupScopeArgs {
  /** Only servers of this share service host, `host@backend` (exact match). */
  host?: string;
  /** Only servers in this status. */
  status?: ShareServerStatus;
  /** Only servers of this share network. */
  shareNetworkId?: string;
  /** Only servers whose share network belongs to this project. */
  projectId?: string;
}

export interface GetShareServerArgs extends LookupScopeArgs {
  /** The share server's ID. */
  shareServerId: string;
}

/** A share server with what only the detailed view has: backend details and creation time. */
export type ShareServerDetails = ShareServerInfo & {
  backendDetails: Record<string, string>;
  createdAt: string | null;
};

/**
 * The share servers Manila has, filtered (every filter an exact match; none given: all of them). The list view
 * has no backend details or creation time: use `getShareServer` for those. Needs the admin role.
 */
export async function getShareServers(
  args: GetShareServersArgs = {},
  options: LookupSessionOptions = {},
): Promise<ShareServerInfo[]> {
  const lookup = "getShareServers";
  const host = optionalString(lookup, args, "host");
  if (host !== undefined && !api.MANILA_HOST.test(host)) {
    throw new LookupArgumentError(
      lookup,
      "host",
      `must be a share service host in the form host@backend, got "${host}"`,
    );
  }
  const filters: api.ShareServerFilters = {
    host,
    status: optionalChoice(lookup, args, "status", api.SHARE_SERVER_STATUSES),
    shareNetworkId: optionalString(lookup, args, "shareNetworkId"),
    projectId: optionalString(lookup, args, "projectId"),
  };
  return api.listShareServers(lookupSession(lookup, args, options), filters);
}

/** One share server with its backend details. Fails clearly when Manila has none with that ID. Needs the admin role. */
export async function getShareServer(
  args: GetShareServerArgs,
  options: LookupSessionOptions = {},
): Promise<ShareServerDetails> {
  const lookup = "getShareServer";
  const id = requiredString(lookup, args, "shareServerId");
  const session = lookupSession(lookup, args, options);
  const server = await api.findShareServer(session, id);
  if (!server) {
    throw new Error(
      `${lookup}: Manila has no share server ${id} (endpoint ${await session.endpoint("shared-file-system")})`,
    );
  }
  return { ...server, backendDetails: server.backendDetails ?? {}, createdAt: server.createdAt ?? null };
}

/** `getShareServers` with Input arguments, for use in a program: `getShareServersOutput({host: ...})`. */
export const getShareServersOutput = outputForm((args: GetShareServersArgs) => getShareServers(args));

/** `getShareServer` with Input arguments: `getShareServerOutput({shareServerId: server.id})`. */
export const getShareServerOutput = outputForm((args: GetShareServerArgs) => getShareServer(args));
