import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** Arguments of an {@link AclPolicy}. */
export interface AclPolicyArgs {
    /**
     * The policy's name: letters, digits, `-` and `_` (one `/` allowed, as in `builtin/...`), at most 128
     * characters. Renaming updates the policy in place (its ID stays). Consul: `Name`.
     * @example "web-read"
     */
    name: pulumi.Input<string>;
    /** Free text shown in Consul's UI. Consul: `Description`. @default "" */
    description?: pulumi.Input<string>;
    /**
     * The rules, in HCL or JSON, checked at preview with Consul's rule grammar: a rule Consul refuses,
     * or one it would silently ignore (a typo such as `servce`), fails the preview naming the line.
     * A change updates the policy in place. Omit it for an adopted built-in policy (its rules are Consul's). Consul: `Rules`.
     * @default "" (a policy that grants nothing)
     * @example 'service "web" { policy = "write" }\nnode_prefix "" { policy = "read" }'
     * @see https://developer.hashicorp.com/consul/docs/security/acl/acl-rules
     */
    rules?: pulumi.Input<string>;
    /** Datacenters the policy applies in; empty means all. Consul: `Datacenters`. @default [] */
    datacenters?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Manage a policy of this name that already exists (for example `global-management`) instead of
     * failing. Built-in policies are never deleted on destroy. @default false
     */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is, with a token that has `acl:write` (e.g. `AclBootstrap.secretId`); see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An ACL policy (`/v1/acl/policy`). The id is the policy's ID. `pulumi refresh` shows rules, name,
 * description or datacenters edited outside Pulumi, and `pulumi up` puts them back. Built-in policies
 * (`global-management`, `builtin/*`) can be adopted and are only forgotten on destroy.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies
 */
export class AclPolicy extends pulumi.dynamic.Resource {
    /**
     * The policy's ID (the resource id): what roles and tokens link to. Known during a preview that
     * updates the policy (an update never changes it), so dependents show no change.
     */
    public readonly policyId: pulumi.Output<string>;
    /** The policy's name. */
    declare public readonly name: pulumi.Output<string>;
    /** The description Consul holds. */
    declare public readonly description: pulumi.Output<string>;
    /** The rules Consul holds. */
    declare public readonly rules: pulumi.Output<string>;
    /** The datacenters it applies in (empty: all). */
    declare public readonly datacenters: pulumi.Output<string[]>;

    constructor(name: string, args: AclPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AclPolicy"),
            name,
            {
                description: undefined,
                rules: undefined,
                datacenters: undefined,
                ...args,
                ...connectionInputs(args.connection),
            },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "AclPolicy",
        );
        this.policyId = this.id;
    }
}
