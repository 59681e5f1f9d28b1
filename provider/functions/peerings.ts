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

/** One cluster peering as Consul holds it (`GET /v1/peering/:name`). */
export interface PeeringInfo {
    /** The peer name. Consul: `Name`. */
    name: string;
    /** The peering's id on this cluster. Consul: `ID`. */
    id: string;
    /** PENDING, ESTABLISHING, ACTIVE, FAILING, DELETING or TERMINATED. */
    state: string;
    /** The peering's id on the other cluster. Consul: `PeerID`. */
    peerId?: string;
    /** The server name the peer's servers present. Consul: `PeerServerName`. */
    peerServerName?: string;
    /** The peer's server addresses, `host:port`. Consul: `PeerServerAddresses`. */
    peerServerAddresses: string[];
    /** The peer's datacenter. Consul: `Remote.Datacenter`. */
    remoteDatacenter?: string;
    /** The peer's admin partition. Consul: `Remote.Partition`. */
    remotePartition?: string;
    /** Services the peer exports to this cluster. Consul: `StreamStatus.ImportedServices`. */
    importedServices: string[];
    /** Services this cluster exports to the peer. Consul: `StreamStatus.ExportedServices`. */
    exportedServices: string[];
    /** Time of the last heartbeat from the peer, RFC 3339. Consul: `StreamStatus.LastHeartbeat`. */
    lastHeartbeat?: string;
    /** Time of the last message received, RFC 3339. Consul: `StreamStatus.LastReceive`. */
    lastReceive?: string;
    /** Time of the last message sent, RFC 3339. Consul: `StreamStatus.LastSend`. */
    lastSend?: string;
    /** When the peering was marked for deletion, RFC 3339. Consul: `DeletedAt`. */
    deletedAt?: string;
    /** The peering's metadata. Consul: `Meta`. */
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
