// Peerings, read side: one peering by name, or every peering of the cluster, with their state,
// the peer's identity and addresses, the services flowing each way and the stream's heartbeat.
// (Consul never returns a peering token here.)
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { isNotFound } from "../consul/errors";
import { getParsed, list, optionalText, segment } from "./answer";

const peeringSchema = z.object({
    ID: z.string(),
    Name: z.string(),
    State: z.string(),
    DeletedAt: optionalText,
    Meta: z.record(z.string(), z.string()).nullish(),
    PeerID: optionalText,
    PeerServerName: optionalText,
    PeerServerAddresses: list(z.string()),
    StreamStatus: z
        .object({
            ImportedServices: list(z.string()),
            ExportedServices: list(z.string()),
            LastHeartbeat: optionalText,
            LastReceive: optionalText,
            LastSend: optionalText,
        })
        .nullish(),
    Remote: z.object({ Partition: optionalText, Datacenter: optionalText }).nullish(),
});

export interface PeeringInfo {
    name: string;
    id: string;
    /** PENDING, ESTABLISHING, ACTIVE, FAILING, DELETING or TERMINATED. */
    state: string;
    peerId?: string;
    peerServerName?: string;
    peerServerAddresses: string[];
    remoteDatacenter?: string;
    remotePartition?: string;
    importedServices: string[];
    exportedServices: string[];
    lastHeartbeat?: string;
    lastReceive?: string;
    lastSend?: string;
    deletedAt?: string;
    meta: Record<string, string>;
}

function info(p: z.infer<typeof peeringSchema>): PeeringInfo {
    const stream = p.StreamStatus;
    const optional = {
        peerId: p.PeerID,
        peerServerName: p.PeerServerName,
        remoteDatacenter: p.Remote?.Datacenter,
        remotePartition: p.Remote?.Partition,
        lastHeartbeat: stream?.LastHeartbeat,
        lastReceive: stream?.LastReceive,
        lastSend: stream?.LastSend,
        deletedAt: p.DeletedAt,
    };
    return {
        name: p.Name,
        id: p.ID,
        state: p.State,
        peerServerAddresses: p.PeerServerAddresses,
        importedServices: stream?.ImportedServices ?? [],
        exportedServices: stream?.ExportedServices ?? [],
        meta: p.Meta ?? {},
        // Absent fields stay absent (never `undefined` inside a result Pulumi serialises).
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
}

/** The peering named `name`; a clear error when the cluster has none of that name. */
export async function readPeering(client: ConsulClient, name: string): Promise<PeeringInfo> {
    try {
        return info(await getParsed(client, `/v1/peering/${segment(name, "name")}`, peeringSchema));
    } catch (err) {
        if (isNotFound(err)) throw new Error(`Consul at ${client.address} has no peering named "${name}"`, { cause: err });
        throw err;
    }
}

/** Every peering of the cluster, sorted by name. */
export async function readPeerings(client: ConsulClient): Promise<PeeringInfo[]> {
    const all = await getParsed(client, "/v1/peerings", list(peeringSchema));
    return all.map(info).sort((a, b) => a.name.localeCompare(b.name));
}
