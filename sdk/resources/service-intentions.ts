import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import type { IntentionSource, JwtRequirement } from "../intention-types";
import { providerShim } from "../provider-shim";
import { secretNamesInput, sourceNames } from "../secret-names";

/** Arguments of a {@link ServiceIntentions}. */
export interface ServiceIntentionsArgs {
    /** The destination service (or `"*"` for the default for all services). Changing it replaces the resource. Consul: `Name`. */
    destination: pulumi.Input<string>;
    /**
     * Every source allowed or denied to reach the destination. Authoritative: sources added in Consul
     * by hand are removed by the next `pulumi up`. Compared as a set keyed by (peer, name), so order
     * does not matter; each (peer, name) at most once. Consul: `Sources`.
     */
    sources: pulumi.Input<pulumi.Input<IntentionSource>[]>;
    /**
     * Entry metadata: at most 64 pairs, keys up to 128 and values up to 512 characters. The key
     * `managed-by` is reserved: consul-mesh writes `managed-by=consul-mesh` as its ownership mark. Consul: `Meta`.
     */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** A JWT every request to the destination must carry (providers are `jwt-provider` config entries). Consul: `JWT`. */
    jwt?: pulumi.Input<JwtRequirement>;
    /**
     * Take over an entry that already exists in Consul (made by hand, another tool, or another
     * stack) and differs from the declared one, instead of failing; its sources are replaced by the
     * declared ones. One found exactly as declared (with the ownership mark) is taken without it.
     * @default false
     */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * All intentions of one destination as one resource: Consul's `service-intentions` config entry,
 * written with compare-and-set. Use it instead of {@link Intention} when the stack owns the whole
 * policy of a destination; do not mix both for one destination (an Intention refuses to write into
 * an entry a ServiceIntentions owns). The id is the destination name.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions
 */
export class ServiceIntentions extends pulumi.dynamic.Resource {
    /** The destination service (the id). */
    declare public readonly destination: pulumi.Output<string>;
    /** The sources as Consul holds them (in declared order). */
    declare public readonly sources: pulumi.Output<IntentionSource[]>;
    /** Entry metadata as Consul holds it, without the `managed-by` ownership mark. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;
    /** The entry-wide JWT requirement, if any. */
    declare public readonly jwt: pulumi.Output<JwtRequirement | undefined>;

    constructor(name: string, args: ServiceIntentionsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ServiceIntentions"),
            name,
            {
                ...args,
                ...connectionInputs(args.connection),
                ...secretNamesInput([["destination", args.destination], ...sourceNames(args.sources)]),
            },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ServiceIntentions",
        );
    }
}
