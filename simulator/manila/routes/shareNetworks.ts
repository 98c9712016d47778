// Share networks and their subnets (one default subnet, plus subnets per availability zone from 2.51).
import type { FastifyInstance } from "fastify";
import { ApiFault, badRequest } from "../../core/faults";
import type { World } from "../../core/world";
import { shareNetworkView, subnetView } from "../views";
import { entity, params, query, route, viewContext } from "./common";

export function register(scope: FastifyInstance, world: World): void {
  const model = world.manila;

  route(scope, "post", "/share-networks", {}, async (request) => {
    const data = entity(request.body, "share_network");
    if (!data) throw new ApiFault(422, "Unprocessable Entity");
    const network = model.createShareNetwork(request.principal, {
      name: data.name,
      description: data.description,
      neutronNetId: data.neutron_net_id,
      neutronSubnetId: data.neutron_subnet_id,
      availabilityZone: request.mv.atLeast("2.51") ? data.availability_zone : undefined,
    });
    return { share_network: shareNetworkView(viewContext(request, world), network) };
  });
  for (const [path, detail] of [
    ["/share-networks", false],
    ["/share-networks/detail", true],
  ] as const) {
    route(scope, "get", path, {}, async (request) => {
      const ctx = viewContext(request, world);
      const networks = model.listShareNetworks(request.principal, query(request));
      return { share_networks: networks.map((n) => shareNetworkView(ctx, n, detail)) };
    });
  }
  route(scope, "get", "/share-networks/:network_id", {}, async (request) => ({
    share_network: shareNetworkView(
      viewContext(request, world),
      model.getShareNetwork(request.principal, params(request).network_id),
    ),
  }));
  route(scope, "delete", "/share-networks/:network_id", {}, async (request, reply) => {
    model.deleteShareNetwork(request.principal, params(request).network_id);
    return reply.code(202).send();
  });

  const v251 = { config: { minVersion: "2.51" } };
  route(scope, "get", "/share-networks/:network_id/subnets", v251, async (request) => {
    const ctx = viewContext(request, world);
    const subnets = model.listSubnets(request.principal, params(request).network_id);
    return { share_network_subnets: subnets.map((s) => subnetView(ctx, s)) };
  });
  route(scope, "post", "/share-networks/:network_id/subnets", v251, async (request) => {
    const data = entity(request.body, "share-network-subnet");
    if (!data) throw badRequest("Share Network Subnet is missing from the request body.");
    const subnet = model.createSubnet(
      request.principal,
      params(request).network_id,
      {
        neutronNetId: data.neutron_net_id,
        neutronSubnetId: data.neutron_subnet_id,
        availabilityZone: data.availability_zone,
        metadata: request.mv.atLeast("2.78") ? data.metadata : undefined,
      },
      request.mv.atLeast("2.70"),
    );
    return { share_network_subnet: subnetView(viewContext(request, world), subnet) };
  });
  route(scope, "get", "/share-networks/:network_id/subnets/:subnet_id", v251, async (request) => {
    const { network_id, subnet_id } = params(request);
    return {
      share_network_subnet: subnetView(
        viewContext(request, world),
        model.getSubnet(request.principal, network_id, subnet_id),
      ),
    };
  });
  route(scope, "delete", "/share-networks/:network_id/subnets/:subnet_id", v251, async (request, reply) => {
    const { network_id, subnet_id } = params(request);
    model.deleteSubnet(request.principal, network_id, subnet_id);
    return reply.code(202).send();
  });
}
