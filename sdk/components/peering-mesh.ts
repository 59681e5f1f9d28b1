import * as pulumi from "@pulumi/pulumi";
import { normalizeAddresses } from "../../provider/consul/connection";
import type { ConnectionArgs } from "../connection";
import { ExportedServices } from "../resources/exported-services";
import { Peering } from "../resources/peering";
import { PeeringToken } from "../resources/peering-token";
import { ServiceResolver, type ResolverFailoverArgs } from "../resources/service-resolver";

/** Consul's rule for peer names: a fleet's cluster names become peer names, so they follow it. */
const PEER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** One cluster of a {@link PeeringMesh} in the list form of {@link PeeringMeshArgs.clusters}. */
export interface PeeringMeshCluster {
    /**
     * The cluster's name in the fleet. It is also the name every other cluster gives its peering
     * with this one, so it follows Consul's peer-name rule: 1 to 63 lower-case letters, digits or
     * '-', starting and ending with a letter or digit. Consul: the peering's `Name` (`PeerName` of the token request).
     */
    name: string;
    /** Where this cluster is; see {@link ConnectionArgs}. */
    connection: pulumi.Input<ConnectionArgs>;
}

/** Explicit pairs: exactly these clusters peer (order inside a pair does not matter). */
export interface PeeringMeshPairsTopology {
    /** The pairs, by cluster name: `[["dc1", "dc2"], ["dc2", "dc3"]]`. Each becomes one peering. */
    pairs: Array<[string, string]>;
}

/** Hub and spokes: the hub peers with each spoke; spokes do not peer with each other. */
export interface PeeringMeshHubTopology {
    /** The hub cluster's name. */
    hub: string;
    /** The spokes' names. @default every cluster but the hub */
    spokes?: string[];
}

/**
 * Which clusters of a {@link PeeringMesh} peer with which: `"fullMesh"` (every cluster with every
 * other, n(n-1)/2 peerings), explicit pairs ({@link PeeringMeshPairsTopology}), or a hub and its
 * spokes ({@link PeeringMeshHubTopology}).
 */
export type PeeringMeshTopology = "fullMesh" | PeeringMeshPairsTopology | PeeringMeshHubTopology;

/** The two resources of one pair of a {@link PeeringMesh}. */
export interface PeeringMeshPeering {
    /** The PeeringToken on the acceptor (the cluster whose name sorts first). */
    token: PeeringToken;
    /** The Peering on the dialer, established with that token. */
    peering: Peering;
}

/** Arguments of a {@link PeeringMesh}. */
export interface PeeringMeshArgs {
    /**
     * The clusters of the fleet: `{ dc1: connection, dc2: connection }`, or a list of
     * `{ name, connection }` (the list form refuses a name given twice). Two names for one Consul
     * address (compared normalised, with the connection's `datacenter`) are refused at preview.
     */
    clusters: Record<string, pulumi.Input<ConnectionArgs>> | PeeringMeshCluster[];
    /** Which clusters peer; see {@link PeeringMeshTopology}. @default "fullMesh" */
    topology?: PeeringMeshTopology;
    /**
     * Per cluster, the services it exports and to which clusters: `{ dc1: { api: ["dc2", "dc3"] } }`.
     * Each cluster with exports gets one `exported-services` config entry (Consul: `Services[].Name` and `Services[].Consumers[].Peer`,
     * the consumer's cluster name) holding all its consumers: it is authoritative for that cluster's
     * `default` entry. A consumer must be peered with the exporter in the topology.
     * @default {} (nothing exported)
     */
    exports?: Record<string, Record<string, string[]>>;
    /**
     * Per cluster, services that fail over to cluster peers in the given order:
     * `{ dc1: { api: ["dc2", "dc3"] } }` writes dc1's `service-resolver` for api with
     * `Failover["*"].Targets = [{ Peer: "dc2" }, { Peer: "dc3" }]`. Each target must export the
     * service to that cluster in {@link PeeringMeshArgs.exports}.
     * @default {} (no resolver written)
     */
    failover?: Record<string, Record<string, string[]>>;
    /**
     * How long each peering waits until both sides are ACTIVE (Consul's peering `State`), in seconds.
     * @default 60
     */
    activeTimeoutSeconds?: pulumi.Input<number>;
}

/** One peering of the fleet: `acceptor` (whose name sorts first) generates the token, `dialer` establishes it. */
export interface PeeringMeshPair {
    /** `"<acceptor>~<dialer>"`, the key of {@link PeeringMesh.pairs} and part of the children's names. */
    key: string;
    /** The cluster whose name sorts first (code-point order): it generates the token (`PeeringToken`). */
    acceptor: string;
    /** The other cluster: it establishes the peering with the token (`Peering`). */
    dialer: string;
}

/** What a {@link PeeringMesh} builds, computed from its arguments alone (no Consul call). */
export interface PeeringMeshPlan {
    /** Cluster names, sorted. */
    clusters: string[];
    /** Every peering, sorted by key. */
    pairs: PeeringMeshPair[];
    /** Per exporting cluster: service -> consumer clusters (= peer names on the exporter), sorted. */
    exports: Record<string, Record<string, string[]>>;
    /** Per cluster: service -> peers to fail over to, in order. */
    failover: Record<string, Record<string, string[]>>;
}

/** `{ targets: [{ peer, service? }, ...] }` in the given order: a ServiceResolver failover that tries these peers in turn. */
export function peerFailover(peers: readonly string[], service?: string): ResolverFailoverArgs {
    return { targets: peers.map((peer) => (service === undefined ? { peer } : { peer, service })) };
}

function clusterEntries(clusters: PeeringMeshArgs["clusters"]): PeeringMeshCluster[] {
    if (Array.isArray(clusters)) return clusters;
    return Object.entries(clusters).map(([name, connection]) => ({ name, connection }));
}

function pairOf(a: string, b: string): PeeringMeshPair {
    const [acceptor, dialer] = a < b ? [a, b] : [b, a];
    return { key: `${acceptor}~${dialer}`, acceptor, dialer };
}

/**
 * Checks a fleet's arguments and computes its peerings, exports and failovers; throws an Error naming
 * the cluster (or pair, service) at fault: a name given twice or not a peer name, a topology, export or
 * failover naming an unknown cluster, a pair of a cluster with itself, an export to a cluster it is not
 * peered with, a failover to a peer that does not export the service to it.
 */
export function peeringMeshPlan(args: Pick<PeeringMeshArgs, "clusters" | "topology" | "exports" | "failover">): PeeringMeshPlan {
    const names = clusterEntries(args.clusters).map((c) => c.name);
    const known = new Set<string>();
    for (const name of names) {
        if (known.has(name)) throw new Error(`PeeringMesh: cluster "${name}" is named twice`);
        if (!PEER_NAME.test(name)) {
            throw new Error(
                `PeeringMesh: cluster name "${name}" is not a peer name (1-63 lower-case letters, digits or '-', starting and ending with a letter or digit)`,
            );
        }
        known.add(name);
    }
    const need = (name: string, where: string) => {
        if (!known.has(name))
            throw new Error(`PeeringMesh: ${where} names unknown cluster "${name}" (clusters: ${[...known].sort().join(", ")})`);
    };
    const topology = args.topology ?? "fullMesh";
    const pairs = new Map<string, PeeringMeshPair>();
    const add = (a: string, b: string, where: string) => {
        need(a, where);
        need(b, where);
        if (a === b) throw new Error(`PeeringMesh: ${where} pairs cluster "${a}" with itself`);
        const pair = pairOf(a, b);
        pairs.set(pair.key, pair);
    };
    if (topology === "fullMesh") {
        for (const a of names) for (const b of names) if (a < b) add(a, b, "topology");
    } else if ("pairs" in topology) {
        for (const [a, b] of topology.pairs) add(a, b, "topology");
    } else {
        need(topology.hub, "topology hub");
        for (const spoke of topology.spokes ?? names.filter((n) => n !== topology.hub)) add(topology.hub, spoke, "topology spokes");
    }
    const peered = (a: string, b: string) => pairs.has(pairOf(a, b).key);

    const exports: Record<string, Record<string, string[]>> = {};
    for (const [cluster, services] of Object.entries(args.exports ?? {})) {
        need(cluster, "exports");
        const entry: Record<string, string[]> = {};
        for (const [service, consumers] of Object.entries(services)) {
            for (const consumer of consumers) {
                need(consumer, `exports of ${cluster}/${service}`);
                if (!peered(cluster, consumer)) {
                    throw new Error(
                        `PeeringMesh: ${cluster} exports ${service} to "${consumer}", which the topology does not peer with ${cluster}`,
                    );
                }
            }
            if (consumers.length > 0) entry[service] = [...new Set(consumers)].sort();
        }
        if (Object.keys(entry).length > 0) exports[cluster] = entry;
    }

    const failover: Record<string, Record<string, string[]>> = {};
    for (const [cluster, services] of Object.entries(args.failover ?? {})) {
        need(cluster, "failover");
        for (const [service, peers] of Object.entries(services)) {
            if (peers.length === 0) continue;
            if (new Set(peers).size !== peers.length) throw new Error(`PeeringMesh: failover of ${cluster}/${service} names a peer twice`);
            for (const peer of peers) {
                need(peer, `failover of ${cluster}/${service}`);
                if (!(exports[peer]?.[service] ?? []).includes(cluster)) {
                    throw new Error(
                        `PeeringMesh: ${cluster}/${service} fails over to "${peer}", but ${peer} does not export ${service} to ${cluster}`,
                    );
                }
            }
            failover[cluster] = { ...failover[cluster], [service]: [...peers] };
        }
    }
    return { clusters: [...names].sort(), pairs: [...pairs.values()].sort((a, b) => (a.key < b.key ? -1 : 1)), exports, failover };
}

/** The identity of a connection's cluster for the "two names for one address" rule: normalised address list and datacenter. */
function clusterIdentity(connection: ConnectionArgs | undefined): string {
    const address = typeof connection?.address === "string" ? connection.address : "";
    let where = "(default address)";
    if (address !== "") {
        try {
            where = normalizeAddresses(address, false).sort().join(",");
        } catch {
            where = address.trim();
        }
    }
    const dc = typeof connection?.datacenter === "string" ? connection.datacenter : "";
    return dc === "" ? where : `${where} datacenter ${dc}`;
}

/** Throws naming both clusters when two names point at one cluster. */
export function assertDistinctClusters(connections: ReadonlyArray<{ name: string; connection: ConnectionArgs | undefined }>): void {
    const seen = new Map<string, string>();
    for (const { name, connection } of connections) {
        const id = clusterIdentity(connection);
        const other = seen.get(id);
        if (other !== undefined)
            throw new Error(`PeeringMesh: clusters "${other}" and "${name}" are one cluster (${id}): give each cluster one name`);
        seen.set(id, name);
    }
}

/** Per-pair outputs of a {@link PeeringMesh}. */
export interface PeeringMeshPairState {
    /** The cluster that generated the token. */
    acceptor: string;
    /** The cluster that established the peering. */
    dialer: string;
    /** State of the dialer's side (`ACTIVE` once deployed). */
    state: string;
    /** State of the acceptor's side (`ACTIVE` once deployed). */
    acceptorState: string | undefined;
}

/**
 * A fleet of Consul clusters peered in one declaration: for each pair of the topology a
 * {@link PeeringToken} on the cluster whose name sorts first and a {@link Peering} on the other (which
 * waits until both sides are ACTIVE); one {@link ExportedServices} per exporting cluster with all its
 * consumers; one {@link ServiceResolver} per failover service. On cluster A, the peering with cluster
 * B is named B (every cluster calls a peer by the peer's fleet name), so exports, intentions'
 * `sourcePeer` and failover targets use the fleet's names.
 *
 * Arguments that name a cluster twice, give two names to one address, or name an unknown cluster are
 * refused when the program runs (at preview), with the name. Adding a cluster creates only its pairs
 * (and changes the exports that name it); removing one deletes only its pairs and its consumers.
 *
 * Children: `<name>-<acceptor>~<dialer>-token`, `<name>-<acceptor>~<dialer>-peering`,
 * `<name>-<cluster>-exports`, `<name>-<cluster>-<service>-resolver`.
 */
export class PeeringMesh extends pulumi.ComponentResource {
    /** The plan the children were built from (pairs, exports, failovers). */
    public readonly plan: PeeringMeshPlan;
    /** Each pair's token and peering, by pair key (`"<acceptor>~<dialer>"`). */
    public readonly peerings: Record<string, PeeringMeshPeering>;
    /** Each exporting cluster's ExportedServices, by cluster name. */
    public readonly exportedServices: Record<string, ExportedServices>;
    /** Each failover's ServiceResolver, by `"<cluster>/<service>"`. */
    public readonly resolvers: Record<string, ServiceResolver>;
    /** Per-pair state, by pair key. */
    public readonly pairs: pulumi.Output<Record<string, PeeringMeshPairState>>;

    constructor(name: string, args: PeeringMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consul-mesh:index:PeeringMesh", name, {}, opts);
        this.plan = peeringMeshPlan(args);
        const entries = clusterEntries(args.clusters);
        // Addresses may be outputs: the check runs once they are known, and every child waits for it.
        const distinct = pulumi
            .all(entries.map((e) => pulumi.output(e.connection)))
            .apply((conns) => assertDistinctClusters(entries.map((e, i) => ({ name: e.name, connection: conns[i] }))));
        // Each connection carries the fleet's name of its cluster: Consul errors name it (`cluster "dc4" (address)`).
        const connectionOf = new Map(
            entries.map((e) => [e.name, pulumi.all([distinct, e.connection]).apply(([, c]) => ({ ...(c ?? {}), clusterName: e.name }))]),
        );
        const conn = (cluster: string) => connectionOf.get(cluster);

        this.peerings = {};
        for (const pair of this.plan.pairs) {
            const token = new PeeringToken(
                `${name}-${pair.key}-token`,
                {
                    peerName: pair.dialer,
                    dialer: { peerName: pair.acceptor, connection: conn(pair.dialer) },
                    connection: conn(pair.acceptor),
                },
                { parent: this },
            );
            const peering = new Peering(
                `${name}-${pair.key}-peering`,
                {
                    peerName: pair.acceptor,
                    peeringToken: token.peeringToken,
                    activeTimeoutSeconds: args.activeTimeoutSeconds,
                    acceptor: { peerName: token.peerName, connection: conn(pair.acceptor) },
                    connection: conn(pair.dialer),
                },
                { parent: this },
            );
            this.peerings[pair.key] = { token, peering };
        }
        const peeringsOf = (cluster: string, others: string[]) => others.map((other) => this.peerings[pairOf(cluster, other).key].peering);

        this.exportedServices = {};
        for (const [cluster, services] of Object.entries(this.plan.exports)) {
            const consumers = [...new Set(Object.values(services).flat())];
            this.exportedServices[cluster] = new ExportedServices(
                `${name}-${cluster}-exports`,
                {
                    services: Object.entries(services).map(([service, peers]) => ({
                        name: service,
                        consumers: peers.map((peer) => ({ peer })),
                    })),
                    connection: conn(cluster),
                },
                // Exported once its peerings exist, and withdrawn before they are deleted.
                { parent: this, dependsOn: peeringsOf(cluster, consumers) },
            );
        }

        this.resolvers = {};
        for (const [cluster, services] of Object.entries(this.plan.failover)) {
            for (const [service, peers] of Object.entries(services)) {
                const exported = peers.flatMap((peer) => this.exportedServices[peer] ?? []);
                this.resolvers[`${cluster}/${service}`] = new ServiceResolver(
                    `${name}-${cluster}-${service}-resolver`,
                    { name: service, failover: { "*": peerFailover(peers) }, connection: conn(cluster) },
                    { parent: this, dependsOn: [...peeringsOf(cluster, peers), ...exported] },
                );
            }
        }

        this.pairs = pulumi
            .all(
                this.plan.pairs.map((pair) => {
                    const { peering } = this.peerings[pair.key];
                    return pulumi.all([peering.state, peering.acceptorState]).apply(([state, acceptorState]) => ({
                        key: pair.key,
                        value: { acceptor: pair.acceptor, dialer: pair.dialer, state, acceptorState },
                    }));
                }),
            )
            .apply((states) => Object.fromEntries(states.map((s) => [s.key, s.value])));
        this.registerOutputs({ pairs: this.pairs });
    }
}
