import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** Arguments of a {@link ConfigEntry}. */
export interface ConfigEntryArgs {
    /**
     * Consul's kind, e.g. `service-router`, `service-splitter`, `ingress-gateway`,
     * `terminating-gateway`. Kinds with their own resource (`ServiceDefaults`, `ServiceIntentions`,
     * `ExportedServices`, `JwtProvider`, `ProxyDefaults`, `Mesh`, `ServiceResolver`) are refused.
     * Changing it replaces the resource. Consul: `Kind`.
     */
    kind: pulumi.Input<string>;
    /** The entry's name. Changing it replaces the resource. Consul: `Name`. */
    name: pulumi.Input<string>;
    /** The entry's fields in Consul's own spelling (`Routes`, `Splits`, ...), without Kind, Name and Meta. */
    entry: pulumi.Input<Record<string, unknown>>;
    /** Entry metadata (at most 64 pairs; the key `managed-by` is reserved). Consul: `Meta`. */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage an entry that already exists and differs, instead of failing (the declared entry replaces it). @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Any config entry kind without a typed resource, owned whole. Wrap secret values inside `entry`
 * with `pulumi.secret` (the whole `entry` is then a secret in state). Consul validates the entry when it
 * is written; on refresh, a change to any of its fields shows as drift, while the defaults Consul
 * fills in itself (recorded right after each write) do not.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries
 */
export class ConfigEntry extends pulumi.dynamic.Resource {
    /** The kind. */
    declare public readonly kind: pulumi.Output<string>;
    /** The name. */
    declare public readonly name: pulumi.Output<string>;
    /** The entry as declared, or as Consul holds it once it was changed outside the program. */
    declare public readonly entry: pulumi.Output<Record<string, unknown>>;
    /** The last write: the entry declared then, and what Consul held right after it (its own defaults included). */
    declare public readonly lastWrite: pulumi.Output<{
        /** The entry as declared at the last write. */
        entry: Record<string, unknown>;
        /** The entry as Consul held it right after that write. */
        held: Record<string, unknown>;
    }>;

    constructor(name: string, args: ConfigEntryArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ConfigEntry"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            // `lastWrite` holds the whole entry as Consul answers it: a secret, as it may carry keys
            // (an inline-certificate's PrivateKey) the program passed as secrets inside `entry`.
            { ...opts, additionalSecretOutputs: ["connection", "lastWrite", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ConfigEntry",
        );
    }
}
