import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** Arguments of an {@link AclBindingRule}. */
export interface AclBindingRuleArgs {
    /** The auth method's name (e.g. `AclAuthMethod.name`). Changing it replaces the rule. Consul: `AuthMethod`. */
    authMethod: pulumi.Input<string>;
    /** Free text. Consul: `Description`. */
    description?: pulumi.Input<string>;
    /** Which logins the rule applies to, e.g. `value.namespace==default`; empty: all. Consul: `Selector`. */
    selector?: pulumi.Input<string>;
    /** What a login gets: a service identity, a node identity or a role. Consul: `BindType`. */
    bindType: pulumi.Input<"service" | "node" | "role">;
    /** The service, node or role name; may interpolate claims, e.g. `${value.service}`. Consul: `BindName`. */
    bindName: pulumi.Input<string>;
    /**
     * Manage the auth method's existing rule that grants the same `bindType` and `bindName` to the
     * same `selector` instead of failing (a rule has no name: those three identify it). Its
     * description is updated if it differs. Two such rules are refused. @default false
     */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is, with a token that has `acl:write`; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An ACL binding rule (`/v1/acl/binding-rule`): how an auth method's logins become tokens. The id
 * is the rule's ID.
 * @see https://developer.hashicorp.com/consul/docs/security/acl/auth-methods#binding-rules
 */
export class AclBindingRule extends pulumi.dynamic.Resource {
    /** The rule's ID (the resource id). */
    public readonly bindingRuleId: pulumi.Output<string>;

    constructor(name: string, args: AclBindingRuleArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AclBindingRule"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "AclBindingRule",
        );
        this.bindingRuleId = this.id;
    }
}
