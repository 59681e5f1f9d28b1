import * as pulumi from "@pulumi/pulumi";
import { connectionInput, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** Arguments of a {@link ServiceDefaults}. */
export interface ServiceDefaultsArgs {
    /** Service name. Changing it replaces the resource. */
    name: pulumi.Input<string>;
    /** The service's protocol; `http`, `http2` or `grpc` make L7 intention permissions possible. */
    protocol: pulumi.Input<"tcp" | "http" | "http2" | "grpc">;
    /** Entry metadata (at most 64 pairs, keys up to 128, values up to 512 characters; the key `managed-by` is reserved). */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage an entry that already exists instead of failing (fields not modelled here are kept). @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * The protocol of a service (Consul's `service-defaults` config entry), the prerequisite of L7
 * intentions. Only `Protocol` and `Meta` are managed; other fields of an adopted entry are kept.
 * The entry carries the ownership mark `managed-by: consul-mesh` in its Meta. A create that finds
 * the entry exactly as declared takes it; a different one needs `adopt`. Delete removes the entry.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults
 */
export class ServiceDefaults extends pulumi.dynamic.Resource {
    /** Service name. */
    declare public readonly name: pulumi.Output<string>;
    /** The protocol Consul holds for the service (`tcp` when unset). */
    declare public readonly protocol: pulumi.Output<"tcp" | "http" | "http2" | "grpc">;
    /** Entry metadata as Consul holds it. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;

    constructor(name: string, args: ServiceDefaultsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ServiceDefaults"),
            name,
            { ...args, connection: connectionInput(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ServiceDefaults",
        );
    }
}
