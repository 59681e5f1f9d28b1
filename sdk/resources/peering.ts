import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** The acceptor's side of a {@link Peering}, for waiting on and watching both sides. */
export interface PeeringAcceptorArgs {
    /**
     * The name the acceptor cluster gives the peering (its {@link PeeringToken}'s `peerName`). Consul: `PeerName`.
     * @default this (dialer) cluster's datacenter, asked from its agent by the provider
     */
    peerName?: pulumi.Input<string>;
    /** Where the acceptor cluster is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Arguments of a {@link Peering}.
 */
export interface PeeringArgs {
    /**
     * The name this (dialer) cluster gives the peering, i.e. how it refers to the acceptor cluster:
     * 1-63 lower-case letters, digits or `-`, starting and ending with a letter or digit. Changing it
     * replaces the peering. Required unless `acceptor` is given. Consul: `PeerName`.
     * @default with `acceptor`: the acceptor cluster's datacenter (its connection's `datacenter`, else
     * what its agent reports, asked by the provider, not by the program)
     * @example "dc1"
     */
    peerName?: pulumi.Input<string>;
    /**
     * The token generated on the acceptor cluster (a {@link PeeringToken}'s `peeringToken`, or
     * `consul peering generate-token`). Kept secret. A new token replaces the peering: the old one is
     * deleted first, since Consul keys peerings by name. Consul: `PeeringToken`.
     */
    peeringToken: pulumi.Input<string>;
    /**
     * Metadata stored on this side's peering (same rules as {@link PeeringTokenArgs.meta}). Consul
     * sets it only when establishing, so changing it replaces the peering. Consul: `Meta`.
     */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Take over a peering of this name that is already ACTIVE (or ESTABLISHING) in this cluster,
     * without establishing it again. This is how existing peerings are imported (`pulumi import`
     * does not work for dynamic resources). Without it, creating over a live peering fails.
     * @default false
     */
    adopt?: pulumi.Input<boolean>;
    /**
     * Wait until the peering is `ACTIVE` (and the acceptor's side too, when `acceptor` is given)
     * before finishing. If it does not get there in time, the new peering is deleted again and the
     * deployment fails, saying what state it was in.
     * @default true
     */
    waitForActive?: pulumi.Input<boolean>;
    /** How long to wait for `ACTIVE`, in seconds (1 to 3600). @default 60 */
    activeTimeoutSeconds?: pulumi.Input<number>;
    /**
     * The acceptor's side, when this program can reach it: the wait then covers both sides,
     * `acceptorState` reports it, and refresh reports this peering gone when the acceptor's side was
     * deleted or terminated by hand.
     */
    acceptor?: pulumi.Input<PeeringAcceptorArgs>;
    /** Where the dialer cluster is; see {@link ConnectionArgs}. Changing address/datacenter replaces it. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * The dialer side of a cluster peering: establishes the peering with a token from the acceptor
 * (`POST /v1/peering/establish`) and waits until it is `ACTIVE`. A failed establish leaves nothing
 * behind (Consul writes a PENDING peering before it contacts the acceptor; it is deleted again) and
 * says why: a used or superseded token, a malformed token, or an unreachable acceptor.
 *
 * `state` and the service counts are observations: they never cause a diff. `pulumi refresh` reports
 * the peering gone when it was deleted by hand, terminated by the acceptor, or is failing, so the next
 * `pulumi up` establishes it again. The id is the peer name.
 * @see https://developer.hashicorp.com/consul/docs/connect/cluster-peering
 */
export class Peering extends pulumi.dynamic.Resource {
    /** This cluster's name for the peering. */
    declare public readonly peerName: pulumi.Output<string>;
    /** Peering metadata as Consul holds it. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;
    /** This cluster's ID for the peering. */
    declare public readonly peeringId: pulumi.Output<string>;
    /** `ACTIVE` once established (PENDING, ESTABLISHING, FAILING, ... otherwise). */
    declare public readonly state: pulumi.Output<string>;
    /** The acceptor's ID for the peering. */
    declare public readonly peerId: pulumi.Output<string>;
    /** The acceptor servers' TLS name, `server.<dc>.peering.<trust domain>`. */
    declare public readonly peerServerName: pulumi.Output<string>;
    /** The acceptor addresses this cluster dials (`host:grpc_tls_port`). */
    declare public readonly peerServerAddresses: pulumi.Output<string[]>;
    /** The acceptor's datacenter. */
    declare public readonly remoteDatacenter: pulumi.Output<string>;
    /** How many services this cluster imports from the peer (length of the stream status list). */
    declare public readonly importedServiceCount: pulumi.Output<number>;
    /** How many services this cluster exports to the peer. */
    declare public readonly exportedServiceCount: pulumi.Output<number>;
    /** State of the acceptor's side, when `acceptor` is given. */
    declare public readonly acceptorState: pulumi.Output<string | undefined>;

    constructor(name: string, args: PeeringArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("Peering"),
            name,
            {
                // Outputs are registered as undefined first, so that an output name passed as an input reaches check.
                peeringId: undefined,
                state: undefined,
                peerId: undefined,
                peerServerName: undefined,
                peerServerAddresses: undefined,
                remoteDatacenter: undefined,
                importedServiceCount: undefined,
                exportedServiceCount: undefined,
                acceptorState: undefined,
                ...args,
                peeringToken: pulumi.secret(args.peeringToken),
                ...connectionInputs(args.connection),
                acceptor: args.acceptor === undefined ? undefined : pulumi.secret(args.acceptor),
            },
            {
                ...opts,
                additionalSecretOutputs: ["connection", "peeringToken", "acceptor", ...(opts?.additionalSecretOutputs ?? [])],
            },
            "consul-mesh",
            "Peering",
        );
    }
}
