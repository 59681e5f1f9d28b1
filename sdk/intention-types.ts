import type * as pulumi from "@pulumi/pulumi";

/**
 * One HTTP header matcher of an L7 permission. Set `name` and exactly one of `present`, `exact`,
 * `prefix`, `suffix`, `contains`, `regex`.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#sources-permissions-http-header
 */
export interface HeaderMatch {
    /** Header name. */
    name: string;
    /** Matches when the header is present, whatever its value. */
    present?: boolean;
    /** Matches the exact value. */
    exact?: string;
    /** Matches values starting with this. */
    prefix?: string;
    /** Matches values ending with this. */
    suffix?: string;
    /** Matches values containing this. */
    contains?: string;
    /** Matches values against this RE2 regular expression. */
    regex?: string;
    /** Compare case-insensitively. @default false */
    ignoreCase?: boolean;
    /** Negate the match. @default false */
    invert?: boolean;
}

/**
 * A JWT requirement: the request must carry a token valid for one of these providers (declared in
 * Consul as `jwt-provider` config entries), with these claims.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#jwt
 */
export interface JwtRequirement {
    /** The accepted JWT providers (at least one). */
    providers: Array<{
        /**
         * Name of a `jwt-provider` config entry: pass a {@link JwtProvider}'s `name` output and the
         * intentions wait for the provider (Consul refuses intentions naming a provider it lacks).
         */
        name: pulumi.Input<string>;
        /** Claims the token must carry: `path` into the claims, and the value. */
        verifyClaims?: Array<{ path: string[]; value: string }>;
    }>;
}

/**
 * One L7 permission: an action for requests that match `http` (and `jwt`, when given).
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-intentions#sources-permissions
 */
export interface Permission {
    /** `"allow"` or `"deny"` for matching requests. */
    action: "allow" | "deny";
    /** What the request must look like: at most one path matcher, methods, headers (at least one of them). */
    http: {
        /** Exact path; must start with `/`. */
        pathExact?: string;
        /** Path prefix; must start with `/`. */
        pathPrefix?: string;
        /** RE2 regular expression for the path. */
        pathRegex?: string;
        /** HTTP methods (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH); stored upper-case. */
        methods?: string[];
        /** Header matchers; all must match. */
        header?: HeaderMatch[];
    };
    /** JWT requirement for this permission. */
    jwt?: JwtRequirement;
}

/**
 * One source of a {@link ServiceIntentions}: a service (or `"*"`), optionally from a peer, with an
 * L4 `action` or L7 `permissions`.
 */
export interface IntentionSource {
    /** Source service name, or `"*"` for all services. */
    name: string;
    /** Cluster peer the service lives in. */
    peer?: string;
    /** `"allow"` or `"deny"` (L4). Exactly one of `action` and `permissions`. */
    action?: "allow" | "deny";
    /** L7 rules (see {@link Permission}). */
    permissions?: Permission[];
    /** Free text, at most 512 characters. */
    description?: string;
    /** Always `"consul"` in Community Edition. @default "consul" */
    type?: "consul";
}
