import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** One expectation: may `from` call `to` (at L4, or for one HTTP request)? */
export interface IntentionExpectation {
    /** The calling service. */
    from: string;
    /** The peer `from` lives in, when it is a peer's service. */
    fromPeer?: string;
    /** The called service. */
    to: string;
    /** What Consul must decide. */
    expect: "allow" | "deny";
    /** For an L7 expectation: the request path (starting with `/`). */
    path?: string;
    /** For an L7 expectation: the HTTP method. */
    method?: string;
    /** For an L7 expectation: request headers (name -> value). */
    headers?: Record<string, string>;
}

/** How one expectation came out (an output of {@link IntentionAssertions}). */
export interface IntentionExpectationResult {
    /** The expectation in words, e.g. `web -> db` or `peer dc2/web -> api POST /admin`. */
    expectation: string;
    /** What was expected. */
    expect: "allow" | "deny";
    /** What Consul decides (or what the evaluation of its intentions gives). */
    actual: "allow" | "deny";
    /** `consul`: Consul's intention check answered; `evaluation`: its matched intentions were evaluated. */
    decidedBy: "consul" | "evaluation";
    /** Why (evaluation only). */
    reason?: string;
}

/** Arguments of {@link IntentionAssertions}. */
export interface IntentionAssertionsArgs {
    /** What must hold once the intentions this resource depends on are written. */
    expectations: pulumi.Input<pulumi.Input<IntentionExpectation>[]>;
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `service:read` (+ `intentions:read` and `agent:read` for peer and L7 expectations). */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Expectations about who may call whom, proven by Consul itself after `up` has written the
 * intentions (give the intentions in `dependsOn`, or use `MeshPolicy`'s `expect`). Writes nothing.
 *
 * - A local L4 expectation (`{ from: "web", to: "db", expect: "allow" }`) is answered by Consul's
 *   intention check (`GET /v1/connect/intentions/check`), with the cluster's default policy.
 * - A peer's source (`fromPeer`) or an L7 request (`path`, `method`, `headers`), which that endpoint
 *   does not answer, is evaluated from the intentions Consul matches for the destination, in its
 *   precedence order: the first source-matching intention decides, its first matching permission
 *   gives the action, and a request no permission matches falls to the cluster's default.
 *
 * `up` fails naming every violated expectation. `pulumi preview --refresh` asks again and shows an
 * update (`violations`) when a hand edit in Consul has broken one; the next `up` checks again after
 * the intentions are put back.
 * @example
 * new IntentionAssertions("shop-checks", {
 *     expectations: [
 *         { from: "web", to: "db", expect: "deny" },
 *         { from: "web", to: "api", path: "/admin", method: "POST", expect: "deny" },
 *     ],
 * }, { dependsOn: [policy] });
 */
export class IntentionAssertions extends pulumi.dynamic.Resource {
    /** The outcome of every expectation at the last `up` or refresh. */
    declare public readonly results: pulumi.Output<IntentionExpectationResult[]>;
    /** The violated expectations: empty after `up`; filled by a refresh that finds Consul changed. */
    declare public readonly violations: pulumi.Output<string[]>;

    constructor(name: string, args: IntentionAssertionsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("IntentionAssertions"),
            name,
            { results: undefined, violations: undefined, ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "IntentionAssertions",
        );
    }
}
