import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/**
 * Arguments of an {@link AclBootstrap}.
 */
export interface AclBootstrapArgs {
    /**
     * The SecretID the bootstrap token gets, a UUID (needs Consul 1.13 or newer). Consul: `BootstrapSecret`.
     * Kept as a Pulumi secret.
     *
     * Set it (from `pulumi config set --secret`) to make the program re-runnable: when the cluster is
     * already bootstrapped and this is the secret of the bootstrap token (or of any global-management
     * token), the resource adopts that token instead of failing, e.g. from a fresh stack after lost
     * state. When unset, consul-mesh generates a random UUID for the call (so a lost answer can still be
     * recovered within the same run), and a later run from scratch cannot adopt.
     *
     * Used only when the resource is created; changing it afterwards changes nothing.
     * @example config.requireSecret("bootstrapSecret") // set with: uuidgen | pulumi config set --secret bootstrapSecret
     * @see https://developer.hashicorp.com/consul/api-docs/acl#bootstrap-acls
     */
    bootstrapSecret?: pulumi.Input<string>;
    /**
     * Delete the bootstrap token from Consul when this resource is deleted. Bootstrapping itself cannot
     * be undone (Consul does not re-open bootstrap when the token is deleted), so by default delete only
     * forgets the token. Revoking uses the connection's `token` when it is another token with `acl:write`,
     * otherwise a global-management token with a one-minute TTL made for that call.
     * @default false
     */
    revokeOnDelete?: pulumi.Input<boolean>;
    /**
     * Where Consul is; see {@link ConnectionArgs}. No token is needed to bootstrap. Changing `address`
     * or `datacenter` replaces the resource (another cluster needs its own bootstrap).
     */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Bootstraps Consul's ACL system (`PUT /v1/acl/bootstrap`) and exposes the initial management token,
 * so the rest of the program can use it: `connection: { token: boot.secretId }`.
 *
 * The id is the token's AccessorID. `secretId` is a Pulumi secret. When the cluster is already
 * bootstrapped, creation adopts the token whose SecretID is `bootstrapSecret`, or fails with one
 * message that gives Consul's reset index and both ways out (adopt, or reset).
 * `pulumi refresh` reports the resource gone when the token no longer exists.
 * @see https://developer.hashicorp.com/consul/docs/security/acl/acl-system#bootstrap
 */
export class AclBootstrap extends pulumi.dynamic.Resource {
    /** The bootstrap token's AccessorID (also the resource id). */
    declare public readonly accessorId: pulumi.Output<string>;
    /** The bootstrap token's SecretID: a global-management token. Secret. */
    declare public readonly secretId: pulumi.Output<string>;
    /** The token's description, `Bootstrap Token (Global Management)` for a bootstrapped token. */
    declare public readonly description: pulumi.Output<string>;
    /** The token's policies (`global-management`). */
    declare public readonly policies: pulumi.Output<
        Array<{
            /** The policy's id. Consul: `ID`. */
            id: string;
            /** The policy's name. Consul: `Name`. */
            name: string;
        }>
    >;
    /** Whether delete revokes the token (otherwise it is only forgotten). */
    declare public readonly revokeOnDelete: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: AclBootstrapArgs = {}, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AclBootstrap"),
            name,
            {
                // Outputs are registered as undefined first, so that an output name passed as an input reaches check.
                accessorId: undefined,
                secretId: undefined,
                description: undefined,
                policies: undefined,
                ...args,
                bootstrapSecret: args.bootstrapSecret === undefined ? undefined : pulumi.secret(args.bootstrapSecret),
                ...connectionInputs(args.connection),
            },
            {
                ...opts,
                additionalSecretOutputs: ["secretId", "bootstrapSecret", "connection", ...(opts?.additionalSecretOutputs ?? [])],
            },
            "consul-mesh",
            "AclBootstrap",
        );
    }
}
