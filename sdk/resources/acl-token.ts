import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";
import type { AclNodeIdentityArgs, AclServiceIdentityArgs } from "./acl-role";

/** Arguments of an {@link AclToken}. */
export interface AclTokenArgs {
    /** Free text shown in Consul's UI. Consul: `Description`. @default "" */
    description?: pulumi.Input<string>;
    /** The token's policies, each by ID (a UUID, e.g. `AclPolicy.policyId`) or by name. Consul: `Policies`. @default [] */
    policies?: pulumi.Input<pulumi.Input<string>[]>;
    /** The token's roles, each by ID (e.g. `AclRole.roleId`) or by name. Consul: `Roles`. @default [] */
    roles?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Service identities: the least-privilege way to give a service (and its sidecar) its token.
     * Consul: `ServiceIdentities`.
     * @default []
     */
    serviceIdentities?: pulumi.Input<pulumi.Input<AclServiceIdentityArgs>[]>;
    /** Node identities. Consul: `NodeIdentities`. @default [] */
    nodeIdentities?: pulumi.Input<pulumi.Input<AclNodeIdentityArgs>[]>;
    /** A token valid only in this datacenter (not replicated). Changing it replaces the token. Consul: `Local`. @default false */
    local?: pulumi.Input<boolean>;
    /**
     * How long the token lives, between "1m" and "24h" (Consul's default limits). Consul then deletes
     * it, and the next `pulumi up` creates a new one. Changing it replaces the token. Consul: `ExpirationTTL`.
     * @example "8h"
     */
    expirationTtl?: pulumi.Input<string>;
    /**
     * The token's SecretID (a UUID), stored as a Pulumi secret; by default consul-mesh generates a random
     * one. Changing it replaces the token. To rotate a token with a supplied secret, change this too. Consul: `SecretID`.
     */
    secretId?: pulumi.Input<string>;
    /**
     * The AccessorID of an existing token to manage (with `adopt: true`), such as the anonymous token
     * `00000000-0000-0000-0000-000000000002`; by default a fresh one. Built-in tokens are never deleted. Consul: `AccessorID`.
     */
    accessorId?: pulumi.Input<string>;
    /**
     * Bump (any new value) to rotate the secret: the token is replaced by a new one with the same
     * policies, roles and identities, in one `pulumi up`; the old token is deleted only after the new
     * one exists. @example 2
     */
    rotation?: pulumi.Input<string | number>;
    /** With `accessorId`, manage a token that already exists instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is, with a token that has `acl:write` (e.g. `AclBootstrap.secretId`); see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An ACL token (`/v1/acl/token`). The id is the AccessorID; `secretId` is a Pulumi secret and is
 * never written in plaintext to state, logs or errors. A token deleted outside Pulumi is re-created
 * by the next `pulumi up` (after refresh) with a new secret. Use it as another resource's token:
 * `connection: { token: token.secretId }`.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens
 */
export class AclToken extends pulumi.dynamic.Resource {
    /** The token's AccessorID (the resource id; known during a preview that updates the token): safe to show. */
    public readonly accessorId: pulumi.Output<string>;
    /** The token's SecretID: what clients send. Secret. */
    declare public readonly secretId: pulumi.Output<string>;
    /** The description Consul holds. */
    declare public readonly description: pulumi.Output<string>;
    /** The linked policies, each as the program refers to it (ID or name). */
    declare public readonly policies: pulumi.Output<string[]>;
    /** The linked roles, each as the program refers to it (ID or name). */
    declare public readonly roles: pulumi.Output<string[]>;
    /** Whether the token is local to its datacenter. */
    declare public readonly local: pulumi.Output<boolean>;
    /** When the token expires (RFC 3339), for a token with `expirationTtl`. */
    declare public readonly expirationTime: pulumi.Output<string | undefined>;

    constructor(name: string, args: AclTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AclToken"),
            name,
            {
                description: undefined,
                policies: undefined,
                roles: undefined,
                local: undefined,
                expirationTime: undefined,
                ...args,
                // Registered even when unset (then as an output); secret when the user supplies it.
                secretId: args.secretId === undefined ? undefined : pulumi.secret(args.secretId),
                ...connectionInputs(args.connection),
            },
            { ...opts, additionalSecretOutputs: ["secretId", "connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "AclToken",
        );
        this.accessorId = this.id;
    }
}
