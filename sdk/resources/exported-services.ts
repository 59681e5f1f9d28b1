import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** One exported service and the peers that may import it. */
export interface ExportedServiceArgs {
    /** Service name, or `"*"` for every service. Listed at most once. Consul: `Name`. */
    name: pulumi.Input<string>;
    /**
     * The peers that may import it: peering names on this cluster (at least one). Compared as a set. Consul: `Consumers`.
     * @example [{ peer: "dc2" }]
     */
    consumers: pulumi.Input<
        pulumi.Input<{
            /** The peer name. Consul: `Peer`. */
            peer: pulumi.Input<string>;
        }>[]
    >;
}

/**
 * Arguments of an {@link ExportedServices}.
 */
export interface ExportedServicesArgs {
    /**
     * The config entry's name: the partition, which is always `"default"` in Community Edition.
     * Changing it replaces the entry. Consul: `Name`.
     * @default "default"
     */
    name?: pulumi.Input<string>;
    /**
     * The services this resource exports, with their consumers: each (service, peer) pair is managed
     * by this resource; pairs other writers put in the shared entry are kept. Compared as a set
     * (order does not matter). Consul: `Services`.
     */
    services: pulumi.Input<pulumi.Input<ExportedServiceArgs>[]>;
    /**
     * Accepted for compatibility; not needed: a declared pair found already exported is taken as is.
     * @default false
     */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. Changing address/datacenter replaces it. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Which services of this cluster each peer may import: (service, peer) pairs of the
 * `exported-services` config entry (one per partition, `default` in Community Edition). The entry is
 * shared: pairs written by others are kept, and every write is compare-and-set. Deleting the
 * resource withdraws its pairs (the entry goes once it is empty), so those peers stop importing
 * them. The id is the entry name.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/exported-services
 */
export class ExportedServices extends pulumi.dynamic.Resource {
    /** The entry name (the partition: `default` in Community Edition). */
    declare public readonly name: pulumi.Output<string | undefined>;
    /** The declared pairs Consul holds: services sorted by name, consumers by peer. */
    declare public readonly services: pulumi.Output<
        Array<{
            /** The service name. Consul: `Name`. */
            name: string;
            /** The peers it is exported to. Consul: `Consumers`. */
            consumers: Array<{
                /** The peer name. Consul: `Peer`. */
                peer: string;
            }>;
        }>
    >;

    constructor(name: string, args: ExportedServicesArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ExportedServices"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ExportedServices",
        );
    }
}
