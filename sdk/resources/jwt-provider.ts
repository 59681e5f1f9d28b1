import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** Where the keys that verify the JWTs are: exactly one of `local` or `remote`. */
export interface JwtKeySetArgs {
    /** A key set held by the proxies: inline (`jwks`) or in a file (`filename`), exactly one. Consul: `Local`. */
    local?: JwtLocalKeySetArgs;
    /** A key set fetched from a server. Consul: `Remote`. */
    remote?: JwtRemoteKeySetArgs;
}

/** A local key set: exactly one of `jwks` and `filename`. */
export interface JwtLocalKeySetArgs {
    /** The JSON web key set itself, base64-encoded (standard alphabet, padded). Consul: `JWKS`. */
    jwks?: string;
    /** A file holding the key set; it must exist on the disk of every proxy whose intentions use this provider. Consul: `Filename`. */
    filename?: string;
}

/** A key set fetched from a server, with its fetch settings. */
export interface JwtRemoteKeySetArgs {
    /** The URI to fetch the key set from (absolute). Consul: `URI`. */
    uri: string;
    /** Milliseconds before a fetch times out. Consul: `RequestTimeoutMs`. */
    requestTimeoutMs?: number;
    /** How long fetched keys are cached (Go duration, e.g. "5m"). Envoy's default is 10 minutes. Consul: `CacheDuration`. */
    cacheDuration?: string;
    /** Fetch when a request arrives (pausing it) instead of before the listener starts. Consul: `FetchAsynchronously`. @default false */
    fetchAsynchronously?: boolean;
    /** How failed fetches are retried (no retry by default). Consul: `RetryPolicy`. */
    retryPolicy?: JwtRetryPolicyArgs;
}

/** Retries of a key-set fetch. */
export interface JwtRetryPolicyArgs {
    /** How many times to retry. Consul: `NumRetries`. @default 0 */
    numRetries?: number;
    /** Backoff between retries (Envoy's jittered exponential backoff by default). Consul: `RetryPolicyBackOff`. */
    retryPolicyBackOff?: JwtRetryBackOffArgs;
}

/** Backoff between key-set fetch retries. */
export interface JwtRetryBackOffArgs {
    /** The first interval (Go duration). Consul: `BaseInterval`. @default "1s" */
    baseInterval?: string;
    /** The longest interval; at least `baseInterval`. Consul: `MaxInterval`. @default ten times baseInterval */
    maxInterval?: string;
}

/** One place a JWT may be found in a request: exactly one of `header`, `queryParam` or `cookie`. */
export interface JwtLocationArgs {
    /** A request header, e.g. `{ name: "Authorization", valuePrefix: "Bearer " }`. Consul: `Header`. */
    header?: JwtHeaderLocationArgs;
    /** A query parameter. Consul: `QueryParam`. */
    queryParam?: JwtNamedLocationArgs;
    /** A cookie. Consul: `Cookie`. */
    cookie?: JwtNamedLocationArgs;
}

/** A header holding the JWT. */
export interface JwtHeaderLocationArgs {
    /** The header's name. Consul: `Name`. */
    name: string;
    /** What precedes the token in the value (e.g. "Bearer "). Consul: `ValuePrefix`. */
    valuePrefix?: string;
    /** Forward the header to the service after verification. Consul: `Forward`. @default false */
    forward?: boolean;
}

/** A query parameter or cookie holding the JWT. */
export interface JwtNamedLocationArgs {
    /** Its name. Consul: `Name`. */
    name: string;
}

/** How a verified JWT's payload is forwarded to the service. */
export interface JwtForwardingArgs {
    /** The header that carries the payload (base64url-encoded). Consul: `HeaderName`. */
    headerName: string;
    /** Pad the forwarded base64 payload. Consul: `PadForwardPayloadHeader`. @default false */
    padForwardPayloadHeader?: boolean;
}

/** Caching of JWT verification results. */
export interface JwtCacheConfigArgs {
    /** How many verified tokens to cache (0 disables the cache). Consul: `Size`. @default 0 */
    size?: number;
}

/** Arguments of a {@link JwtProvider}. */
export interface JwtProviderArgs {
    /** The provider's name, as intentions' `jwt.providers[].name` refer to it. Changing it replaces the resource. Consul: `Name`. */
    name: pulumi.Input<string>;
    /** The issuer the tokens' `iss` claim must match. Consul: `Issuer`. */
    issuer?: pulumi.Input<string>;
    /** Audiences, one of which a token's `aud` claim must name. Consul: `Audiences`. */
    audiences?: pulumi.Input<string[]>;
    /** Where the verification keys are. Required. Consul: `JSONWebKeySet`. */
    jsonWebKeySet: pulumi.Input<JwtKeySetArgs>;
    /**
     * Where Envoy looks for the token (by default the `Authorization: Bearer` header, then the `access_token` query parameter).
     * Consul: `Locations`.
     */
    locations?: pulumi.Input<JwtLocationArgs[]>;
    /** Forward the verified payload to the service in a header. Consul: `Forwarding`. */
    forwarding?: pulumi.Input<JwtForwardingArgs>;
    /** Clock skew tolerated on `exp` and `nbf`, in seconds. Consul: `ClockSkewSeconds`. @default 30 */
    clockSkewSeconds?: pulumi.Input<number>;
    /** Caching of verification results. Consul: `CacheConfig`. */
    cacheConfig?: pulumi.Input<JwtCacheConfigArgs>;
    /** Entry metadata (at most 64 pairs, keys up to 128, values up to 512 characters; the key `managed-by` is reserved). Consul: `Meta`. */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage an entry that already exists and differs, instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A JWT provider (Consul's `jwt-provider` config entry): who issues the tokens that
 * `ServiceIntentions` permissions require, and where their keys are. Checked at preview with
 * Consul's own rules (one key set, one location kind each, a forwarding header, base64 JWKS).
 * Pass its `name` output to a `ServiceIntentions` JWT requirement: the intentions then wait for it.
 * The entry carries the ownership mark `managed-by: consul-mesh`; delete removes it.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/jwt-provider
 */
export class JwtProvider extends pulumi.dynamic.Resource {
    /** The provider's name. */
    declare public readonly name: pulumi.Output<string>;
    /** The issuer Consul holds. */
    declare public readonly issuer: pulumi.Output<string | undefined>;
    /** The audiences Consul holds. */
    declare public readonly audiences: pulumi.Output<string[] | undefined>;
    /** The key set Consul holds. */
    declare public readonly jsonWebKeySet: pulumi.Output<JwtKeySetArgs>;
    /** The token locations Consul holds. */
    declare public readonly locations: pulumi.Output<JwtLocationArgs[] | undefined>;
    /** The forwarding Consul holds. */
    declare public readonly forwarding: pulumi.Output<JwtForwardingArgs | undefined>;
    /** The clock skew, when set to other than Consul's default of 30 (or declared). */
    declare public readonly clockSkewSeconds: pulumi.Output<number | undefined>;
    /** Entry metadata, without the ownership mark. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;

    constructor(name: string, args: JwtProviderArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("JwtProvider"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "JwtProvider",
        );
    }
}
