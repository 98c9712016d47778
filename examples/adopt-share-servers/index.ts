// Adopting the Manila share servers a backend already has, and managing one more into Manila.
//
// Share servers are usually made by Manila itself (the first share on a share network creates one) or exist on
// the storage backend before Manila knew them. This stack finds the first kind with the getShareServers lookup
// and adopts each (Pulumi tracks them; nothing in Manila changes), and brings one of the second kind under
// Manila with a manage (Pulumi owns it: destroying the stack unmanages it again). Manila's share-server API is
// admin-only: run it with admin credentials.
import * as pulumi from "@pulumi/pulumi";
import * as storage from "pulumi-openstack-storage";

const config = new pulumi.Config();
/** The share service backend, `host@backend`, whose share servers this stack adopts and manages. */
const backendHost = config.require("backendHost");
/** Optional: the backend's identifier of a server Manila does not know yet, to manage into Manila. */
const manageIdentifier = config.get("manageIdentifier") || undefined;

export = async () => {
  // Looked up each time the program runs: a server that appears later is adopted by the next `pulumi up`; one
  // that goes away is dropped from the stack without any API call (adopted servers are retained on delete).
  // Every status is adopted, so that one going to `error` shows in its `status` instead of leaving the stack.
  const existing = await storage.getShareServers({ host: backendHost });

  const adopted = existing
    .filter((server) => server.identifier !== manageIdentifier) // managed below once it exists
    .map((server) => new storage.ShareServer(`adopted-${server.id}`, { shareServerId: server.id }));

  const managed = manageIdentifier
    ? new storage.ShareServer("managed", {
        host: backendHost,
        identifier: manageIdentifier,
        shareNetworkId: config.require("manageShareNetworkId"),
        // What destroying the stack does: unmanage (the default when managed) keeps it on the backend.
        onDelete: "unmanage",
      })
    : undefined;

  return {
    adoptedIds: adopted.map((server) => server.id),
    adoptedStatuses: adopted.map((server) => server.status),
    managedId: managed?.id,
    managedStatus: managed?.status,
    /** What the driver reports about the managed server, e.g. its service IP. */
    managedBackendDetails: managed?.backendDetails,
  };
};
