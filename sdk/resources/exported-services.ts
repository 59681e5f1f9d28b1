import * as pulumi from "@pulumi/pulumi";
import { connectionInput, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** One exported service and the peers that may import it. */
export interface ExportedServiceArgs {
    /** Service name, or `"*"` for every service. Listed at most once. */
    name: pulumi.Input<string>;
    /**
     * The peers that may import it: peering names on this cluster (at least one). Compared as a set.
     * @example [{ peer: "dc2" }]
     */
    consumers: pulumi.Input<pulumi.Input<{ peer: pulumi.Input<string> }>[]>;
}

/**
 * Arguments of an {@link ExportedServices}.
 */
export interface ExportedServicesArgs {
    /**
     * The config entry's name: the partition, which is always `"default"` in Community Edition.
     * Changing it replaces the entry.
     * @default "default"
     */
    name?: pulumi.Input<string>;
    /**
     * Every service this cluster exports, with its consumers. Authoritative: services not listed here
     * are not exported. Compared as a set (order does not matter).
     */
    services: pulumi.Input<pulumi.Input<ExportedServiceArgs>[]>;
    /**
     * Take over an `exported-services` entry that already exists instead of failing (its service list
     * is then replaced by `services`).
     * @default false
     */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. Changing address/datacenter replaces it. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Which services of this cluster each peer may import: the `exported-services` config entry (one per
 * partition, `default` in Community Edition), managed as a whole. Deleting it deletes the entry, so
 * peers stop importing the services. The id is the entry name.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/exported-services
 */
export class ExportedServices extends pulumi.dynamic.Resource {
    /** The entry name (the partition: `default` in Community Edition). */
    declare public readonly name: pulumi.Output<string | undefined>;
    /** What Consul holds: services sorted by name, consumers by peer. */
    declare public readonly services: pulumi.Output<Array<{ name: string; consumers: Array<{ peer: string }> }>>;

    constructor(name: string, args: ExportedServicesArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ExportedServices"),
            name,
            { ...args, connection: connectionInput(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ExportedServices",
        );
    }
}
