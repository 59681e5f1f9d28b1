import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** The dialer's side of a {@link PeeringToken}, for noticing when the dialer's peering is gone. */
export interface PeeringDialerArgs {
    /**
     * The name the dialer cluster gives the peering (its {@link Peering}'s `peerName`). Consul: `PeerName`.
     * @default this (acceptor) cluster's datacenter, asked from its agent by the provider
     */
    peerName?: pulumi.Input<string>;
    /** Where the dialer cluster is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Arguments of a {@link PeeringToken}.
 */
export interface PeeringTokenArgs {
    /**
     * The name this (acceptor) cluster gives the peering, i.e. how it refers to the other cluster:
     * 1-63 lower-case letters, digits or `-`, starting and ending with a letter or digit. Exported
     * services name it as their consumer peer, and intentions from the other cluster use it as
     * `sourcePeer`. Changing it replaces the token (and so the peering). Required unless `dialer` is
     * given. Consul: `PeerName`.
     * @default with `dialer`: the dialer cluster's datacenter (its connection's `datacenter`, else what
     * its agent reports, asked by the provider, not by the program)
     * @example "dc2"
     */
    peerName?: pulumi.Input<string>;
    /**
     * Addresses (`host:port` of the acceptor servers' gRPC TLS port) the dialer should use instead of
     * the ones Consul puts in the token (the servers' own addresses); needed behind NAT or a load
     * balancer. Changing it generates a new token. Consul: `ServerExternalAddresses`.
     * @see https://developer.hashicorp.com/consul/api-docs/peering#serverexternaladdresses
     */
    serverExternalAddresses?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Metadata stored on the acceptor's peering: at most 64 pairs, keys of letters, digits, `_`, `-`
     * (at most 128 characters, no `consul-` prefix), values at most 512 characters. Changing it
     * generates a new token (Consul does not update meta on an existing peering). Consul: `Meta`.
     */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Any value; changing it rotates the token (as consul-k8s's `consul.hashicorp.com/peering-version`
     * annotation does). Rotation replaces this resource (the old acceptor peering is deleted first,
     * as the name is taken, then a new one is generated); the {@link Peering} that uses the token is
     * replaced around it in the same `pulumi up` (deleted before, dialed again after).
     * @example 2
     */
    version?: pulumi.Input<string | number>;
    /**
     * The dialer's side, when this program can reach it. Consul needs seconds to mark an acceptor
     * TERMINATED after its dialer deleted the peering; with `dialer`, refresh reports the token gone
     * as soon as the dialer's peering is, and a new token is generated on a fresh acceptor peering
     * instead of on the dying one. {@link ClusterPeering} sets it.
     */
    dialer?: pulumi.Input<PeeringDialerArgs>;
    /** Where the acceptor cluster is; see {@link ConnectionArgs}. Changing address/datacenter replaces it. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * The acceptor side of a cluster peering: generates a peering token for `peerName`
 * (`POST /v1/peering/token`), which creates a PENDING peering that the other cluster dials with
 * {@link Peering}. The token is a secret output. Tokens are single use and never expire; a new token
 * for the same name invalidates an unused older one.
 *
 * Deleting it deletes the acceptor's peering (`DELETE /v1/peering/:name`) and waits until Consul has
 * really removed it (bounded, 60 s). `pulumi refresh` reports it gone when the peering was deleted,
 * terminated by the dialer or is failing, so the next `pulumi up` generates a new token.
 *
 * The id is the peer name.
 * @see https://developer.hashicorp.com/consul/docs/connect/cluster-peering
 */
export class PeeringToken extends pulumi.dynamic.Resource {
    /** This cluster's name for the peering. */
    declare public readonly peerName: pulumi.Output<string>;
    /** Addresses the dialer is told to use instead of the servers' own. */
    declare public readonly serverExternalAddresses: pulumi.Output<string[] | undefined>;
    /** Peering metadata as given at token creation. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;
    /** The token version (bump it to rotate the token). */
    declare public readonly version: pulumi.Output<string | number | undefined>;
    /** The token to give to the dialer's {@link Peering} (a Pulumi secret). */
    declare public readonly peeringToken: pulumi.Output<string>;
    /** The acceptor's ID for the peering (the dialer reports it as `peerId`). */
    declare public readonly peeringId: pulumi.Output<string>;
    /** `PENDING` until the token is used, then `ACTIVE` (as of the last create, update or refresh). */
    declare public readonly state: pulumi.Output<string>;

    constructor(name: string, args: PeeringTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("PeeringToken"),
            name,
            {
                // Outputs are registered as undefined first, so that an output name passed as an input reaches check.
                peeringToken: undefined,
                peeringId: undefined,
                state: undefined,
                ...args,
                ...connectionInputs(args.connection),
                dialer: args.dialer === undefined ? undefined : pulumi.secret(args.dialer),
            },
            { ...opts, additionalSecretOutputs: ["connection", "dialer", "peeringToken", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "PeeringToken",
        );
    }
}
