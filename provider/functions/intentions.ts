// Intentions, read side: Consul's own decision for a source -> destination pair
// (/v1/connect/intentions/check) and the intentions that apply to a service, in Consul's precedence
// order (/v1/connect/intentions/match).
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { ConsulApiError } from "../consul/errors";
import { permissionFromConsul } from "../model/intention-model";
import { evaluate, type MatchedIntention } from "../model/intention-evaluation";

export type { MatchedIntention };
import { getParsed, list, optionalText } from "./answer";

const intentionSchema = z.object({
    SourceName: z.string(),
    SourcePeer: optionalText,
    SourceNS: optionalText,
    SourcePartition: optionalText,
    DestinationName: z.string(),
    DestinationNS: optionalText,
    DestinationPartition: optionalText,
    SourceType: optionalText,
    Action: z.enum(["allow", "deny"]).or(z.literal("")).nullish(),
    Permissions: list(z.unknown()),
    Precedence: z.number(),
    Description: optionalText,
    Meta: z.record(z.string(), z.string()).nullish(),
});

function matched(raw: z.infer<typeof intentionSchema>): MatchedIntention {
    return {
        source: raw.SourceName,
        ...(raw.SourcePeer ? { sourcePeer: raw.SourcePeer } : {}),
        ...(raw.SourceNS ? { sourceNamespace: raw.SourceNS } : {}),
        ...(raw.SourcePartition ? { sourcePartition: raw.SourcePartition } : {}),
        destination: raw.DestinationName,
        ...(raw.DestinationNS ? { destinationNamespace: raw.DestinationNS } : {}),
        ...(raw.DestinationPartition ? { destinationPartition: raw.DestinationPartition } : {}),
        ...(raw.Action ? { action: raw.Action } : {}),
        permissions: raw.Permissions.map(permissionFromConsul),
        precedence: raw.Precedence,
        ...(raw.Description ? { description: raw.Description } : {}),
        meta: raw.Meta ?? {},
    };
}

export interface MatchQuery {
    by: "source" | "destination";
    name: string;
    namespace?: string;
    partition?: string;
}

/** The intentions that apply to `name` as a source or a destination, highest precedence first. */
export async function readIntentionMatches(client: ConsulClient, q: MatchQuery): Promise<MatchedIntention[]> {
    const answer = await getParsed(client, "/v1/connect/intentions/match", z.record(z.string(), list(intentionSchema)), {
        query: { by: q.by, name: q.name, ns: q.namespace, partition: q.partition },
    });
    // Consul keys the answer by the name asked for (its only key).
    return (answer[q.name] ?? Object.values(answer)[0] ?? []).map(matched);
}

export interface CheckQuery {
    source: string;
    destination: string;
    /** The source is this peer's service (Consul's check endpoint does not take peers: see checkIntention). */
    sourcePeer?: string;
    namespace?: string;
    partition?: string;
}

/** Whether a source may connect to a destination, and who decided. */
export interface IntentionDecision {
    /** Whether a connection from source to destination is allowed at L4. */
    allowed: boolean;
    /**
     * `consul`: Consul's /v1/connect/intentions/check answered. `evaluation`: the source is a peer's
     * service, which that endpoint does not take; the decision is the first intention, in Consul's
     * precedence order, whose source matches (name or `*` in that peer), else the cluster's default.
     */
    decidedBy: "consul" | "evaluation";
    /** Why, in words (evaluation only): the intention that decided, or the default. */
    reason?: string;
    /** The intention that decided, when one did (evaluation only). */
    intention?: MatchedIntention;
}

const checkSchema = z.object({ Allowed: z.boolean() });

const agentSelfAclSchema = z.object({
    DebugConfig: z
        .object({
            ACLResolverSettings: z.object({ ACLsEnabled: z.boolean(), ACLDefaultPolicy: z.string() }).loose(),
        })
        .loose(),
});

/**
 * Whether connections no intention matches are allowed: with ACLs off, yes; with ACLs on, the ACL
 * default policy decides (Consul 1.16's rule). Needs `agent:read`.
 */
export async function defaultAllows(client: ConsulClient): Promise<boolean> {
    try {
        const self = await getParsed(client, "/v1/agent/self", agentSelfAclSchema);
        const acl = self.DebugConfig.ACLResolverSettings;
        return !acl.ACLsEnabled || acl.ACLDefaultPolicy === "allow";
    } catch (err) {
        if (err instanceof ConsulApiError && err.statusCode === 403) {
            throw new Error(
                `the cluster's default intention policy could not be read at ${client.address}: the token lacks agent:read ` +
                    "(needed to evaluate a peer's source, which Consul's intention check does not take)",
                { cause: err },
            );
        }
        throw err;
    }
}

export async function readIntentionDecision(client: ConsulClient, q: CheckQuery): Promise<IntentionDecision> {
    if (!q.sourcePeer) {
        const answer = await getParsed(client, "/v1/connect/intentions/check", checkSchema, {
            query: { source: q.source, destination: q.destination, ns: q.namespace, partition: q.partition },
        });
        return { allowed: answer.Allowed, decidedBy: "consul" };
    }
    const [intentions, defaultAllow] = await Promise.all([
        readIntentionMatches(client, { by: "destination", name: q.destination, namespace: q.namespace, partition: q.partition }),
        defaultAllows(client),
    ]);
    const { allowed, reason, intention } = evaluate(intentions, { source: q.source, peer: q.sourcePeer }, undefined, defaultAllow);
    return { allowed, decidedBy: "evaluation", reason, ...(intention ? { intention } : {}) };
}
