import type * as pulumi from "@pulumi/pulumi";
import {
    readIntentionDecision,
    readIntentionMatches,
    type IntentionDecision,
    type MatchedIntention,
} from "../../provider/functions/intentions";
import { checkIntentionArgs as checkArgs, matchIntentionsArgs as matchArgs } from "../../provider/functions/catalog";
import type { ConnectionArgs } from "../connection";
import { outputOf, runFunction } from "./common";

export type { IntentionDecision, MatchedIntention };

/** Arguments of {@link checkIntentionOutput}. */
export interface CheckIntentionOutputArgs {
    /** The calling service. */
    source: pulumi.Input<string>;
    /** The called service. */
    destination: pulumi.Input<string>;
    /** The peer the source lives in, when it is a peer's service. */
    sourcePeer?: pulumi.Input<string>;
    /** Consul Enterprise namespace of both names. */
    namespace?: pulumi.Input<string>;
    /** Consul Enterprise admin partition of both names. */
    partition?: pulumi.Input<string>;
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `service:read` on the destination. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link checkIntention}. */
export type CheckIntentionArgs = pulumi.Unwrap<CheckIntentionOutputArgs>;

/**
 * Would Consul allow `source` to connect to `destination` (L4)? Consul answers itself
 * (`GET /v1/connect/intentions/check`). For a peer's source, which that endpoint does not take, the
 * decision is evaluated from the matching intentions in Consul's precedence order and the cluster's
 * default policy (`decidedBy: "evaluation"`; the token then also needs `agent:read`). An L7
 * intention does not allow at L4 (its permissions decide per request).
 * @example
 * const webToDb = await mesh.checkIntention({ source: "web", destination: "db" });
 * if (!webToDb.allowed) throw new Error("web cannot reach db");
 */
export function checkIntention(args: CheckIntentionArgs): Promise<IntentionDecision> {
    return runFunction("checkIntention", checkArgs, args, (client, q) => readIntentionDecision(client, q));
}
/** {@link checkIntention} with Inputs, as an Output. */
export function checkIntentionOutput(args: CheckIntentionOutputArgs): pulumi.Output<IntentionDecision> {
    return outputOf(args, checkIntention);
}

/** Arguments of {@link matchIntentionsOutput}. */
export interface MatchIntentionsOutputArgs {
    /** Match intentions whose `source` or whose `destination` is `name` (wildcards included). */
    by: pulumi.Input<"source" | "destination">;
    /** The service name. */
    name: pulumi.Input<string>;
    /** Consul Enterprise namespace. */
    namespace?: pulumi.Input<string>;
    /** Consul Enterprise admin partition. */
    partition?: pulumi.Input<string>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link matchIntentions}. */
export type MatchIntentionsArgs = pulumi.Unwrap<MatchIntentionsOutputArgs>;

/** What {@link matchIntentions} returns. */
export interface MatchIntentionsResult {
    /** The intentions that apply, in Consul's precedence order (the first match wins). */
    intentions: MatchedIntention[];
}

/**
 * The intentions that apply to a service as a source or as a destination, wildcards included, in
 * Consul's precedence order (`GET /v1/connect/intentions/match`).
 * @example
 * const { intentions } = await mesh.matchIntentions({ by: "destination", name: "db" });
 */
export async function matchIntentions(args: MatchIntentionsArgs): Promise<MatchIntentionsResult> {
    return { intentions: await runFunction("matchIntentions", matchArgs, args, (client, q) => readIntentionMatches(client, q)) };
}
/** {@link matchIntentions} with Inputs, as an Output. */
export function matchIntentionsOutput(args: MatchIntentionsOutputArgs): pulumi.Output<MatchIntentionsResult> {
    return outputOf(args, matchIntentions);
}
