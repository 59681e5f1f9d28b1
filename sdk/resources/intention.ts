import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import type { Permission } from "../intention-types";
import { providerShim } from "../provider-shim";
import { secretNamesInput } from "../secret-names";

/**
 * Arguments of an {@link Intention}.
 */
export interface IntentionArgs {
    /**
     * Source service name, or `"*"` for every service. Changing it replaces the intention. Consul: `Sources[].Name`.
     * @example "web"
     */
    source: pulumi.Input<string>;
    /**
     * Destination service name, or `"*"`. Changing it replaces the intention. Consul: the entry's `Name`.
     * @example "api"
     */
    destination: pulumi.Input<string>;
    /**
     * The cluster peer the source service lives in (a peering name on this cluster). Changing it
     * replaces the intention. Consul: `Sources[].Peer`.
     */
    sourcePeer?: pulumi.Input<string>;
    /**
     * `"allow"` or `"deny"` for the whole pair (L4). Exactly one of `action` and `permissions` is required. Consul: `Sources[].Action`.
     */
    action?: pulumi.Input<"allow" | "deny">;
    /**
     * L7 rules, evaluated in order; the first that matches decides. Needs the destination's protocol
     * to be http, http2 or grpc (declare a {@link ServiceDefaults}), and a non-wildcard destination. Consul: `Sources[].Permissions`.
     * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#sources-permissions
     */
    permissions?: pulumi.Input<pulumi.Input<Permission>[]>;
    /** Always `"consul"` in Community Edition. Consul: `Sources[].Type`. @default "consul" */
    sourceType?: pulumi.Input<"consul">;
    /** Free text shown in Consul's UI, at most 512 characters. Consul: `Sources[].Description`. */
    description?: pulumi.Input<string>;
    /**
     * Take over an intention for this pair that already exists in Consul and differs from the declared
     * one, instead of failing (one found exactly as declared is taken without it).
     * This is how existing intentions are imported (`pulumi import` does not work for dynamic resources).
     * It also takes a destination still carrying a `ServiceIntentions` ownership mark (`managed-by=consul-mesh`,
     * left behind when that resource was destroyed with `retainOnDelete`): the mark is removed, the other
     * sources stay. Without it, such a destination is refused.
     * @default false
     */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * One intention: may `source` talk to `destination`? Stored by Consul inside the destination's
 * `service-intentions` config entry; other sources of that entry are left alone, and many
 * intentions for one destination can be created in parallel without losing writes.
 *
 * The id is `<source>=><destination>` (`peer:<peer>/<source>=><destination>` for a peer source).
 * @see https://developer.hashicorp.com/consul/docs/connect/intentions
 */
export class Intention extends pulumi.dynamic.Resource {
    /** Source service name as Consul holds it. */
    declare public readonly source: pulumi.Output<string>;
    /** Destination service name. */
    declare public readonly destination: pulumi.Output<string>;
    /** The peer the source lives in, if any. */
    declare public readonly sourcePeer: pulumi.Output<string | undefined>;
    /** The L4 action (undefined for an L7 intention). */
    declare public readonly action: pulumi.Output<"allow" | "deny" | undefined>;
    /** The L7 permissions as Consul holds them (methods upper-case). */
    declare public readonly permissions: pulumi.Output<Permission[] | undefined>;
    /** The description as Consul holds it. */
    declare public readonly description: pulumi.Output<string | undefined>;
    /** Consul's precedence for this pair (9 = exact to exact; higher wins). */
    declare public readonly precedence: pulumi.Output<number>;
    /** Always `"consul"` in Consul Community Edition. */
    declare public readonly sourceType: pulumi.Output<"consul">;

    constructor(name: string, args: IntentionArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("Intention"),
            name,
            {
                // Outputs are registered as undefined first, so that an output name passed as an input reaches check.
                precedence: undefined,
                ...args,
                ...connectionInputs(args.connection),
                ...secretNamesInput([
                    ["source", args.source],
                    ["destination", args.destination],
                    ["sourcePeer", args.sourcePeer],
                ]),
            },
            { ...opts, additionalSecretOutputs: secretOutputs(args.connection, opts?.additionalSecretOutputs) },
            "consul-mesh",
            "Intention",
        );
    }
}

/**
 * `connection` is an output (a secret) only when it was given: without one, the list stays out of
 * each pair's state (60 bytes of every one of possibly thousands of Intentions).
 */
function secretOutputs(connection: IntentionArgs["connection"], more: string[] | undefined): string[] | undefined {
    const names = [...(connection === undefined ? [] : ["connection"]), ...(more ?? [])];
    return names.length > 0 ? names : undefined;
}
