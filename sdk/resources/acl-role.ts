import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** A service identity: the templated policy Consul gives a service and its sidecar proxy. */
export interface AclServiceIdentityArgs {
    /** The service's name: lowercase letters, digits, `-` and `_`. Consul: `ServiceName`. @example "web" */
    serviceName: pulumi.Input<string>;
    /** Datacenters it applies in; unset means all. Consul: `Datacenters`. */
    datacenters?: pulumi.Input<pulumi.Input<string>[]>;
}

/** A node identity: the templated policy Consul gives a node's agent. */
export interface AclNodeIdentityArgs {
    /** The node's name: lowercase letters, digits, `-` and `_`. Consul: `NodeName`. */
    nodeName: pulumi.Input<string>;
    /** The datacenter the node is in (required by Consul). Consul: `Datacenter`. */
    datacenter: pulumi.Input<string>;
}

/** Arguments of an {@link AclRole}. */
export interface AclRoleArgs {
    /** The role's name (1-256 letters, digits, `-`, `_`). Renaming updates the role in place. Consul: `Name`. */
    name: pulumi.Input<string>;
    /** Free text shown in Consul's UI. Consul: `Description`. @default "" */
    description?: pulumi.Input<string>;
    /**
     * The role's policies, each by ID (a UUID, e.g. `AclPolicy.policyId`) or by name. Kept as written;
     * order does not matter. @default []. Consul: `Policies`.
     */
    policies?: pulumi.Input<pulumi.Input<string>[]>;
    /** Service identities the role grants. Consul: `ServiceIdentities`. @default [] */
    serviceIdentities?: pulumi.Input<pulumi.Input<AclServiceIdentityArgs>[]>;
    /** Node identities the role grants. Consul: `NodeIdentities`. @default [] */
    nodeIdentities?: pulumi.Input<pulumi.Input<AclNodeIdentityArgs>[]>;
    /** Manage a role of this name that already exists instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is, with a token that has `acl:write` (e.g. `AclBootstrap.secretId`); see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An ACL role (`/v1/acl/role`): policies and identities tokens can share. The id is the role's ID;
 * every field updates in place, and `pulumi refresh` shows edits made outside Pulumi.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles
 */
export class AclRole extends pulumi.dynamic.Resource {
    /** The role's ID (the resource id; known during a preview that updates the role). */
    public readonly roleId: pulumi.Output<string>;
    /** The role's name. */
    declare public readonly name: pulumi.Output<string>;
    /** The description Consul holds. */
    declare public readonly description: pulumi.Output<string>;
    /** The linked policies, each as the program refers to it (ID or name). */
    declare public readonly policies: pulumi.Output<string[]>;
    /** Each linked policy with its ID and name. */
    declare public readonly policyLinks: pulumi.Output<
        Array<{
            /** The policy's id. Consul: `ID`. */
            id: string;
            /** The policy's name. Consul: `Name`. */
            name: string;
        }>
    >;
    /** The service identities Consul holds. */
    declare public readonly serviceIdentities: pulumi.Output<
        | Array<{
              /** The service name. Consul: `ServiceName`. */
              serviceName: string;
              /** The datacenters it is valid in; all when absent. Consul: `Datacenters`. */
              datacenters?: string[];
          }>
        | undefined
    >;
    /** The node identities Consul holds. */
    declare public readonly nodeIdentities: pulumi.Output<
        | Array<{
              /** The node name. Consul: `NodeName`. */
              nodeName: string;
              /** The datacenter the node is in. Consul: `Datacenter`. */
              datacenter: string;
          }>
        | undefined
    >;

    constructor(name: string, args: AclRoleArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AclRole"),
            name,
            {
                description: undefined,
                policies: undefined,
                policyLinks: undefined,
                ...args,
                ...connectionInputs(args.connection),
            },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "AclRole",
        );
        this.roleId = this.id;
    }
}
