import type * as pulumi from "@pulumi/pulumi";

/**
 * One HTTP header matcher of an L7 permission. Set `name` and exactly one of `present`, `exact`,
 * `prefix`, `suffix`, `contains`, `regex`.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#sources-permissions-http-header
 */
export interface HeaderMatch {
    /** Header name. Consul: `Name`. */
    name: string;
    /** Matches when the header is present, whatever its value. Consul: `Present`. */
    present?: boolean;
    /** Matches the exact value. Consul: `Exact`. */
    exact?: string;
    /** Matches values starting with this. Consul: `Prefix`. */
    prefix?: string;
    /** Matches values ending with this. Consul: `Suffix`. */
    suffix?: string;
    /**
     * Matches values containing this. Consul: `Contains`. Needs Consul 1.20.1 or newer: older
     * servers are refused before any write.
     */
    contains?: string;
    /** Matches values against this RE2 regular expression. Consul: `Regex`. */
    regex?: string;
    /**
     * Compare case-insensitively. Consul: `IgnoreCase`. `true` needs Consul 1.20.1 or newer: older
     * servers are refused before any write.
     * @default false
     */
    ignoreCase?: boolean;
    /** Negate the match. Consul: `Invert`. @default false */
    invert?: boolean;
}

/**
 * A JWT requirement: the request must carry a token valid for one of these providers (declared in
 * Consul as `jwt-provider` config entries), with these claims.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#jwt
 */
export interface JwtRequirement {
    /** The accepted JWT providers, at least one. Consul: `Providers`. */
    providers: Array<{
        /**
         * Name of a `jwt-provider` config entry: pass a {@link JwtProvider}'s `name` output and the
         * intentions wait for the provider (Consul refuses intentions naming a provider it lacks).
         * Consul: `Name`.
         */
        name: pulumi.Input<string>;
        /** Claims the token must carry: `path` into the claims, and the value. Consul: `VerifyClaims`. */
        verifyClaims?: Array<{
            /** Path into the token's claims, e.g. `["perms", "role"]`. Consul: `Path`. */
            path: string[];
            /** The value the claim must have. Consul: `Value`. */
            value: string;
        }>;
    }>;
}

/**
 * One L7 permission: an action for requests that match `http` (and `jwt`, when given).
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#sources-permissions
 */
export interface Permission {
    /** `"allow"` or `"deny"` for matching requests. Consul: `Action`. */
    action: "allow" | "deny";
    /**
     * What the request must look like: at most one path matcher, methods, headers (at least one of
     * them). Consul: `HTTP`.
     */
    http: {
        /** Exact path; must start with `/`. Consul: `PathExact`. */
        pathExact?: string;
        /** Path prefix; must start with `/`. Consul: `PathPrefix`. */
        pathPrefix?: string;
        /** RE2 regular expression for the path. Consul: `PathRegex`. */
        pathRegex?: string;
        /**
         * HTTP methods (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH); stored
         * upper-case. Consul: `Methods`.
         */
        methods?: string[];
        /** Header matchers; all must match. Consul: `Header`. */
        header?: HeaderMatch[];
    };
    /** JWT requirement for this permission. Consul: `JWT`. */
    jwt?: JwtRequirement;
}

/**
 * One source of a {@link ServiceIntentions}: a service (or `"*"`), optionally from a peer, with an
 * L4 `action` or L7 `permissions`.
 */
export interface IntentionSource {
    /** Source service name, or `"*"` for all services. Consul: `Name`. */
    name: string;
    /** Cluster peer the service lives in. Consul: `Peer`. */
    peer?: string;
    /** `"allow"` or `"deny"` (L4). Exactly one of `action` and `permissions`. Consul: `Action`. */
    action?: "allow" | "deny";
    /** L7 rules, see {@link Permission}. Consul: `Permissions`. */
    permissions?: Permission[];
    /** Free text, at most 512 characters. Consul: `Description`. */
    description?: string;
    /** Always `"consul"` in Community Edition. Consul: `Type`. @default "consul" */
    type?: "consul";
}
