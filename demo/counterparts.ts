// Stand-ins for the @pulumi/openstack resources of the examples. Their provider is a plugin that only the
// Pulumi engine can run, so where there is no engine (the demo, the program tests) the same objects are
// created directly with the cloud's own API (POST /servers, /volumes, /share-networks, /shares) and
// followed until they are ready, as @pulumi/openstack's provider would. What `create` returns is the state
// that provider would record: the inputs plus the id and the values the examples read.
import { randomBytes } from "crypto";
import {
  connect,
  isForbidden,
  isNotFound,
  resolveCredentials,
  ServiceType,
  Session,
  waitFor,
} from "../provider/openstack";

/** The @pulumi/openstack types that have a stand-in. */
export const COUNTERPART_TYPES = {
  server: "openstack:compute/instance:Instance",
  volume: "openstack:blockstorage/volume:Volume",
  shareNetwork: "openstack:sharedfilesystem/shareNetwork:ShareNetwork",
  share: "openstack:sharedfilesystem/share:Share",
} as const;

/** One object created for a @pulumi/openstack resource. */
export interface Counterpart {
  type: string;
  /** The Pulumi resource name. */
  name: string;
  id: string;
  /** What it is, for messages: "server app-server-3f9c2a1 (Nova, <id>)". */
  description: string;
  /** The state @pulumi/openstack would record: inputs, id and reported values. */
  state: Record<string, any>;
}

/** The OS_* variables of the cloud to use (e.g. `osEnvironment(sim)` for the simulator). */
export type OsEnvironment = Record<string, string>;

type Inputs = Record<string, any>;

/** How one kind is created, followed and deleted. */
interface Kind {
  service: ServiceType;
  /** The collection's path, e.g. "/servers". */
  path: string;
  /** The object's key in request and response bodies, e.g. "server". */
  key: string;
  /** The service's name, for messages. */
  serviceName: string;
  microversion?: string;
  body(name: string, inputs: Inputs, session: Session): Promise<Record<string, unknown>>;
  /** Whether the object is ready; throws when it failed. Absent: ready at once. */
  ready?(object: any): boolean;
  /** What @pulumi/openstack records besides the inputs, id and name. */
  state?(object: any, session: Session): Promise<Inputs>;
}

const KINDS: Record<string, Kind> = {
  [COUNTERPART_TYPES.server]: {
    service: "compute",
    path: "/servers",
    key: "server",
    serviceName: "Nova",
    async body(name, inputs, session) {
      const { data } = await session.request("compute", "GET", "/flavors");
      const flavor = data.flavors.find(
        (f: { id: string; name: string }) => f.id === inputs.flavorId || f.name === inputs.flavorName,
      );
      if (!flavor) throw new Error(`server ${name}: no flavor ${inputs.flavorId ?? inputs.flavorName}`);
      const networks = (inputs.networks ?? []).map((n: { uuid?: string }) => ({ uuid: n.uuid }));
      return { name, flavorRef: flavor.id, imageRef: inputs.imageId ?? inputs.imageName, networks };
    },
    ready: (server) => failedIf(server.status === "ERROR", server) || server.status === "ACTIVE",
    state: async (server) => ({ flavorId: server.flavor?.id, powerState: "active", created: server.created }),
  },
  [COUNTERPART_TYPES.volume]: {
    service: "block-storage",
    path: "/volumes",
    key: "volume",
    serviceName: "Cinder",
    body: async (name, inputs) => ({ name, size: inputs.size, description: inputs.description }),
    ready: (volume) => failedIf(volume.status === "error", volume) || volume.status === "available",
    state: async () => ({ attachments: [] }),
  },
  [COUNTERPART_TYPES.shareNetwork]: {
    service: "shared-file-system",
    path: "/share-networks",
    key: "share_network",
    serviceName: "Manila",
    body: async (name, inputs) => ({
      name,
      neutron_net_id: inputs.neutronNetId,
      neutron_subnet_id: inputs.neutronSubnetId,
    }),
    state: async (network) => ({ projectId: network.project_id }),
  },
  [COUNTERPART_TYPES.share]: {
    service: "shared-file-system",
    path: "/shares",
    key: "share",
    serviceName: "Manila",
    microversion: "2.9",
    body: async (name, inputs) => ({
      name,
      share_proto: inputs.shareProto,
      size: inputs.size,
      share_network_id: inputs.shareNetworkId,
    }),
    ready: (share) => failedIf(share.status === "error", share) || share.status === "available",
    async state(share, session) {
      const { data } = await session.request(
        "shared-file-system",
        "GET",
        `/shares/${share.id}/export_locations`,
        {
          microversion: "2.9",
        },
      );
      const locations = data.export_locations as { path: string; preferred: boolean }[];
      return { exportLocations: locations.map((l) => ({ path: l.path, preferred: String(l.preferred) })) };
    },
  },
};

function failedIf(failed: boolean, object: { id: string; status: string }): false {
  if (failed) throw new Error(`${object.id} went to ${object.status}`);
  return false;
}

const READY_TIMEOUT_MS = 60_000;

/** Creates and deletes the stand-ins, remembering what it created (in creation order). */
export class Counterparts {
  readonly created: Counterpart[] = [];
  private readonly session: Session;

  constructor(env: OsEnvironment) {
    this.session = connect({ credentials: resolveCredentials({}, { env, stackConfig: {} }) });
  }

  /** True for a resource type this class can stand in for. */
  static handles(type: string): boolean {
    return type in KINDS;
  }

  /**
   * Creates the object for a @pulumi/openstack resource and waits until it is ready. The object is
   * remembered as soon as it exists, so `deleteAll` removes it even when it never became ready.
   */
  async create(type: string, name: string, inputs: Inputs): Promise<Counterpart> {
    const kind = KINDS[type];
    if (!kind) throw new Error(`no stand-in for ${type} (resource ${name})`);
    // Like Pulumi's auto-naming: the resource name and a random suffix.
    const physicalName = inputs.name ?? `${name}-${randomBytes(4).toString("hex").slice(0, 7)}`;
    const noun = kind.key.replace("_", " ");
    const { data } = await this.session.request(kind.service, "POST", kind.path, {
      action: `creating ${noun} ${physicalName}`,
      body: { [kind.key]: await kind.body(physicalName, inputs, this.session) },
      microversion: kind.microversion,
    });
    const id: string = data[kind.key].id;
    const counterpart: Counterpart = {
      type,
      name,
      id,
      description: `${noun} ${physicalName} (${kind.serviceName}, ${id})`,
      state: { ...inputs, id, name: physicalName },
    };
    this.created.push(counterpart);
    const object = kind.ready ? await this.until(counterpart, "ready", kind.ready) : data[kind.key];
    Object.assign(counterpart.state, await kind.state?.(object, this.session));
    return counterpart;
  }

  /** Deletes everything created, newest first, waiting until each is gone. */
  async deleteAll(onDeleted: (counterpart: Counterpart) => void = () => {}): Promise<void> {
    while (this.created.length > 0) {
      const counterpart = this.created[this.created.length - 1];
      const kind = KINDS[counterpart.type];
      try {
        await this.requestDelete(counterpart, kind);
        await this.until(counterpart, "deleted", () => false);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      this.created.pop();
      onDeleted(counterpart);
    }
  }

  /**
   * DELETE, repeated while Manila refuses it because of a resource lock: right after a share is detached
   * from a server, the access rule Nova locked is still being removed, and its lock blocks the delete.
   */
  private requestDelete(counterpart: Counterpart, kind: Kind): Promise<void> {
    return waitFor({
      what: `Manila to release the locks on ${counterpart.description}`,
      timeoutMs: READY_TIMEOUT_MS,
      poll: async () => {
        try {
          await this.session.request(kind.service, "DELETE", `${kind.path}/${counterpart.id}`, {
            action: `deleting ${counterpart.description}`,
          });
          return { done: true, value: undefined };
        } catch (error) {
          if (isForbidden(error) && /resource lock/i.test(String((error as Error).message))) {
            return { done: false, state: "locked" };
          }
          throw error;
        }
      },
    });
  }

  /** Polls the object with the client core's one wait helper until `done` says so (or it is gone: 404). */
  private until(counterpart: Counterpart, what: string, done: (object: any) => boolean): Promise<any> {
    const kind = KINDS[counterpart.type];
    return waitFor({
      what: `${counterpart.description} to be ${what}`,
      timeoutMs: READY_TIMEOUT_MS,
      poll: async () => {
        const { data } = await this.session.request(kind.service, "GET", `${kind.path}/${counterpart.id}`, {
          microversion: kind.microversion,
        });
        const object = data[kind.key];
        return done(object) ? { done: true, value: object } : { done: false, state: object.status };
      },
    });
  }
}
