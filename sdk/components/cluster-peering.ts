import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../connection";
import { ExportedServices } from "../resources/exported-services";
import { Peering } from "../resources/peering";
import { PeeringToken } from "../resources/peering-token";

/** One cluster of a {@link ClusterPeering}. */
export interface ClusterPeeringSideArgs {
    /** Where this cluster is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
    /**
     * The name this cluster gives the peering, i.e. how it refers to the *other* cluster (used by
     * exported services as the consumer peer and by intentions as `sourcePeer`). Changing it
     * replaces the peering.
     * @default the other cluster's datacenter: its `connection.datacenter` when set, else the one its
     * agent reports (so dc1 calls the peering "dc2" and dc2 calls it "dc1"), asked by the provider
     * when it checks the inputs, never by the program
     */
    peerName?: pulumi.Input<string>;
    /** Metadata stored on this side's peering (see {@link PeeringTokenArgs.meta}). */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Services of this cluster the other cluster may import. Creates this cluster's
     * {@link ExportedServices} entry (authoritative for the whole cluster: use `ExportedServices`
     * directly when the cluster exports to several peers).
     * @example ["api"]
     */
    exportedServices?: pulumi.Input<string>[];
}

/**
 * Arguments of a {@link ClusterPeering}.
 */
export interface ClusterPeeringArgs {
    /** The cluster that generates the token (and accepts the connection). */
    acceptor: ClusterPeeringSideArgs;
    /** The cluster that establishes the peering with the token (and dials the acceptor). */
    dialer: ClusterPeeringSideArgs;
    /** Bump to rotate the peering token; the peering is re-established in the same `pulumi up`. */
    tokenVersion?: pulumi.Input<string | number>;
    /** See {@link PeeringTokenArgs.serverExternalAddresses}. */
    serverExternalAddresses?: pulumi.Input<pulumi.Input<string>[]>;
    /** How long to wait until both sides are ACTIVE, in seconds. @default 60 */
    activeTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Two clusters peered in one program: a {@link PeeringToken} on the acceptor, a {@link Peering} on
 * the dialer that waits until both sides are `ACTIVE`, and optionally each side's
 * {@link ExportedServices}. Destroying it deletes the dialer's peering first, then the acceptor's
 * (the token's delete), so neither cluster keeps a peering (no TERMINATED leftover).
 *
 * Children: `<name>-token`, `<name>-peering`, `<name>-acceptor-exports`, `<name>-dialer-exports`.
 */
export class ClusterPeering extends pulumi.ComponentResource {
    /** The name the acceptor cluster gives the peering. */
    public readonly acceptorPeerName: pulumi.Output<string>;
    /** The name the dialer cluster gives the peering. */
    public readonly dialerPeerName: pulumi.Output<string>;
    /** State of the acceptor's side once deployed (`ACTIVE`). */
    public readonly acceptorState: pulumi.Output<string | undefined>;
    /** State of the dialer's side once deployed (`ACTIVE`). */
    public readonly dialerState: pulumi.Output<string>;
    /** The PeeringToken on the acceptor cluster. */
    public readonly token: PeeringToken;
    /** The Peering on the dialer cluster. */
    public readonly peering: Peering;
    /** The acceptor's ExportedServices (when it exports services). */
    public readonly acceptorExports?: ExportedServices;
    /** The dialer's ExportedServices (when it exports services). */
    public readonly dialerExports?: ExportedServices;

    constructor(name: string, args: ClusterPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consul-mesh:index:ClusterPeering", name, {}, opts);
        // Unset peer names are left to the providers, which default them to the other cluster's
        // datacenter: the program itself never calls Consul (no network or token needed at preview).
        this.token = new PeeringToken(
            `${name}-token`,
            {
                peerName: args.acceptor.peerName,
                meta: args.acceptor.meta,
                version: args.tokenVersion,
                serverExternalAddresses: args.serverExternalAddresses,
                dialer: { peerName: args.dialer.peerName, connection: args.dialer.connection },
                connection: args.acceptor.connection,
            },
            { parent: this },
        );
        this.peering = new Peering(
            `${name}-peering`,
            {
                peerName: args.dialer.peerName,
                peeringToken: this.token.peeringToken,
                meta: args.dialer.meta,
                activeTimeoutSeconds: args.activeTimeoutSeconds,
                acceptor: { peerName: this.token.peerName, connection: args.acceptor.connection },
                connection: args.dialer.connection,
            },
            { parent: this },
        );
        const exportsOf = (side: ClusterPeeringSideArgs, peer: pulumi.Input<string>, role: string) =>
            side.exportedServices === undefined
                ? undefined
                : new ExportedServices(
                      `${name}-${role}-exports`,
                      {
                          services: side.exportedServices.map((service) => ({ name: service, consumers: [{ peer }] })),
                          connection: side.connection,
                      },
                      // Exported after the peering exists, and withdrawn before it is deleted.
                      { parent: this, dependsOn: [this.peering] },
                  );
        this.acceptorExports = exportsOf(args.acceptor, this.token.peerName, "acceptor");
        this.dialerExports = exportsOf(args.dialer, this.peering.peerName, "dialer");

        this.acceptorPeerName = this.token.peerName;
        this.dialerPeerName = this.peering.peerName;
        this.acceptorState = this.peering.acceptorState;
        this.dialerState = this.peering.state;
        this.registerOutputs({
            acceptorPeerName: this.acceptorPeerName,
            dialerPeerName: this.dialerPeerName,
            acceptorState: this.acceptorState,
            dialerState: this.dialerState,
        });
    }
}
