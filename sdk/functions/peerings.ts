import type * as pulumi from "@pulumi/pulumi";
import { readPeering, readPeerings, type PeeringInfo } from "../../provider/functions/peerings";
import { noArgs, peeringArgs } from "../../provider/functions/catalog";
import type { ConnectionArgs } from "../connection";
import { outputOf, runFunction } from "./common";

export type { PeeringInfo };

/** Arguments of {@link getPeeringOutput}. */
export interface GetPeeringOutputArgs {
    /** The peer name, as given when the peering was made. */
    name: pulumi.Input<string>;
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `peering:read`. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link getPeering}. */
export type GetPeeringArgs = pulumi.Unwrap<GetPeeringOutputArgs>;

/**
 * One peering (`GET /v1/peering/:name`): its state, the peer's id, server name and addresses, the
 * services imported and exported, and the stream's last heartbeat. Fails when there is none of that name.
 * @example
 * export const dc2State = mesh.getPeeringOutput({ name: "dc2" }).state;
 */
export function getPeering(args: GetPeeringArgs): Promise<PeeringInfo> {
    return runFunction("getPeering", peeringArgs, args, (client, q) => readPeering(client, q.name));
}
/** {@link getPeering} with Inputs, as an Output. */
export function getPeeringOutput(args: GetPeeringOutputArgs): pulumi.Output<PeeringInfo> {
    return outputOf(args, getPeering);
}

/** Arguments of {@link getPeeringsOutput}. */
export interface GetPeeringsOutputArgs {
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `peering:read`. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link getPeerings}. */
export type GetPeeringsArgs = pulumi.Unwrap<GetPeeringsOutputArgs>;

/** What {@link getPeerings} returns. */
export interface GetPeeringsResult {
    /** Every peering of the cluster, by name. */
    peerings: PeeringInfo[];
}

/**
 * Every peering of the cluster (`GET /v1/peerings`), sorted by name.
 * @example
 * const { peerings } = await mesh.getPeerings();
 */
export async function getPeerings(args: GetPeeringsArgs = {}): Promise<GetPeeringsResult> {
    return { peerings: await runFunction("getPeerings", noArgs, args, (client) => readPeerings(client)) };
}
/** {@link getPeerings} with Inputs, as an Output. */
export function getPeeringsOutput(args: GetPeeringsOutputArgs = {}): pulumi.Output<GetPeeringsResult> {
    return outputOf(args, getPeerings);
}
