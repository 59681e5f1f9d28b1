import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** The configuration of a `kubernetes` auth method. Kept as a Pulumi secret as a whole. */
export interface AclKubernetesConfigArgs {
    /** The Kubernetes API server, e.g. `https://kubernetes.default.svc`. Consul: `Config.Host`. */
    host: pulumi.Input<string>;
    /** The PEM CA certificate of the API server. Consul: `Config.CACert`. */
    caCert: pulumi.Input<string>;
    /** A service account JWT allowed to call the TokenReview API. A credential: kept secret. Consul: `Config.ServiceAccountJWT`. */
    serviceAccountJwt: pulumi.Input<string>;
}

/** The configuration of a `jwt` auth method: exactly one of `jwksUrl`, `jwtValidationPubKeys`, `oidcDiscoveryUrl`. */
export interface AclJwtConfigArgs {
    /** URL of the issuer's JWKS. Consul: `Config.JWKSURL`. */
    jwksUrl?: pulumi.Input<string>;
    /** PEM CA certificate to verify `jwksUrl` with. Consul: `Config.JWKSCACert`. */
    jwksCaCert?: pulumi.Input<string>;
    /** PEM public keys that verify the JWTs' signatures. Consul: `Config.JWTValidationPubKeys`. */
    jwtValidationPubKeys?: pulumi.Input<pulumi.Input<string>[]>;
    /** OIDC discovery URL of the issuer. Consul: `Config.OIDCDiscoveryURL`. */
    oidcDiscoveryUrl?: pulumi.Input<string>;
    /** PEM CA certificate to verify `oidcDiscoveryUrl` with. Consul: `Config.OIDCDiscoveryCACert`. */
    oidcDiscoveryCaCert?: pulumi.Input<string>;
    /** The `iss` the JWTs must carry. Consul: `Config.BoundIssuer`. */
    boundIssuer?: pulumi.Input<string>;
    /** One of these must be in the JWTs' `aud`. Consul: `Config.BoundAudiences`. */
    boundAudiences?: pulumi.Input<pulumi.Input<string>[]>;
    /** Claims (`claim: attribute`) made available to binding rules as `value.<attribute>`. Consul: `Config.ClaimMappings`. */
    claimMappings?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** List claims made available to binding rules as `list.<attribute>`. Consul: `Config.ListClaimMappings`. */
    listClaimMappings?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Accepted signing algorithms. Consul: `Config.JWTSupportedAlgs`. @default ["RS256"] */
    jwtSupportedAlgs?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Arguments of an {@link AclAuthMethod}. */
export interface AclAuthMethodArgs {
    /** The method's name (1-128 letters, digits, `-`, `_`). Changing it replaces the method. Consul: `Name`. */
    name: pulumi.Input<string>;
    /** `jwt` or `kubernetes`; give the matching block. Changing it replaces the method. Consul: `Type`. */
    type: pulumi.Input<"jwt" | "kubernetes">;
    /** Name shown in the UI. Consul: `DisplayName`. */
    displayName?: pulumi.Input<string>;
    /** Free text. Consul: `Description`. */
    description?: pulumi.Input<string>;
    /** Longest lifetime of the tokens the method issues, e.g. `"8h"`. Consul: `MaxTokenTTL`. */
    maxTokenTtl?: pulumi.Input<string>;
    /** `local` (default) or `global` tokens. Consul: `TokenLocality`. */
    tokenLocality?: pulumi.Input<"local" | "global">;
    /** Configuration for `type: "kubernetes"` (secret). Consul: `Config`. */
    kubernetes?: pulumi.Input<AclKubernetesConfigArgs>;
    /** Configuration for `type: "jwt"`. Consul: `Config`. */
    jwt?: pulumi.Input<AclJwtConfigArgs>;
    /** Manage a method of this name that already exists instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is, with a token that has `acl:write`; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An ACL auth method (`/v1/acl/auth-method`) of type `jwt` or `kubernetes`. The id is its name.
 * Deleting it makes Consul delete its binding rules and the tokens it issued.
 * @see https://developer.hashicorp.com/consul/docs/security/acl/auth-methods
 */
export class AclAuthMethod extends pulumi.dynamic.Resource {
    /** The method's name. */
    declare public readonly name: pulumi.Output<string>;
    /** `jwt` or `kubernetes`. */
    declare public readonly type: pulumi.Output<"jwt" | "kubernetes">;

    constructor(name: string, args: AclAuthMethodArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AclAuthMethod"),
            name,
            {
                ...args,
                kubernetes: args.kubernetes === undefined ? undefined : pulumi.secret(args.kubernetes),
                ...connectionInputs(args.connection),
            },
            { ...opts, additionalSecretOutputs: ["kubernetes", "connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "AclAuthMethod",
        );
    }
}
