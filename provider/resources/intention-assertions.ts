// IntentionAssertions: expectations about who may call whom, checked against Consul after the
// intentions they depend on are written. Nothing is written to Consul: create and update ask Consul
// (its intention check for local L4 pairs; for a peer's source or an L7 request, the intentions it
// matches for the destination, evaluated with its precedence rules) and fail naming every violated
// expectation; read (refresh) asks again and records what is violated now, which diff reports as a
// change, so `pulumi preview --refresh` shows an expectation a hand edit has broken and the next
// `up` (after the intentions are put back) passes again.
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, type Located } from "../consul/connection";
import { defaultAllows, readIntentionMatches, type MatchedIntention } from "../functions/intentions";
import { evaluate, type RequestShape } from "../model/intention-evaluation";
import { HTTP_METHODS } from "../model/intention-model";
import { serviceName, sourcePeerName } from "../model/names";
import { canonical, memoized } from "../model/validation";

export function expectationSchema() {
    return z
        .object({
            from: serviceName("from").refine((s) => s !== "*", 'from must name one service, not "*"'),
            fromPeer: sourcePeerName("fromPeer").optional(),
            to: serviceName("to").refine((s) => s !== "*", 'to must name one service, not "*"'),
            expect: z.enum(["allow", "deny"], { message: 'expect must be "allow" or "deny"' }),
            path: z.string().startsWith("/", 'path must start with "/"').optional(),
            method: z
                .string()
                .refine((m) => HTTP_METHODS.includes(m.toUpperCase()), `method must be one of ${HTTP_METHODS.join(", ")}`)
                .optional(),
            headers: z.record(z.string().min(1), z.string()).optional(),
        })
        .strict();
}

export function intentionAssertionsSchema() {
    return z
        .object({
            expectations: z.array(expectationSchema()).min(1, "expectations must not be empty"),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type Expectation = z.infer<ReturnType<typeof expectationSchema>>;
export type IntentionAssertionsInputs = z.infer<ReturnType<typeof intentionAssertionsSchema>>;

/** How one expectation came out. */
export interface ExpectationResult {
    /** The expectation in words, e.g. `web -> db` or `peer dc2/web -> api POST /admin`. */
    expectation: string;
    expect: "allow" | "deny";
    actual: "allow" | "deny";
    /** `consul`: Consul's intention check answered; `evaluation`: the matched intentions were evaluated. */
    decidedBy: "consul" | "evaluation";
    /** Why (evaluation only; Consul's check gives no reason). */
    reason?: string;
}

export interface IntentionAssertionsOutputs extends IntentionAssertionsInputs {
    /** The cluster the expectations are checked at (normalised address and datacenter), computed by check. */
    cluster?: string;
    results: ExpectationResult[];
    /** The violated expectations (empty after a successful `up`; set by refresh when Consul has changed). */
    violations: string[];
}

export function describeExpectation(e: Expectation): string {
    const request = [e.method?.toUpperCase(), e.path, ...Object.entries(e.headers ?? {}).map(([k, v]) => `${k}: ${v}`)].filter(Boolean);
    return `${e.fromPeer ? `peer ${e.fromPeer}/` : ""}${e.from} -> ${e.to}${request.length ? ` ${request.join(" ")}` : ""}`;
}

function requestOf(e: Expectation): RequestShape | undefined {
    if (e.path === undefined && e.method === undefined && e.headers === undefined) return undefined;
    return { path: e.path, method: e.method, headers: e.headers };
}

const checkAnswer = z.object({ Allowed: z.boolean() });

/** Asks Consul about every expectation: one check per local L4 pair, one match per destination otherwise. */
export async function evaluateExpectations(client: ConsulClient, expectations: Expectation[]): Promise<ExpectationResult[]> {
    const matches = new Map<string, Promise<MatchedIntention[]>>();
    let defaults: Promise<boolean> | undefined;
    const results: ExpectationResult[] = [];
    for (const e of expectations) {
        const request = requestOf(e);
        let actual: boolean;
        let reason: string | undefined;
        let decidedBy: ExpectationResult["decidedBy"];
        if (!request && !e.fromPeer) {
            const query = { source: e.from, destination: e.to };
            actual = (await client.get("/v1/connect/intentions/check", checkAnswer, { query })).body.Allowed;
            decidedBy = "consul";
        } else {
            let intentions = matches.get(e.to);
            if (!intentions) {
                intentions = readIntentionMatches(client, { by: "destination", name: e.to });
                matches.set(e.to, intentions);
            }
            defaults ??= defaultAllows(client);
            const evaluated = evaluate(await intentions, { source: e.from, peer: e.fromPeer }, request, await defaults);
            actual = evaluated.allowed;
            reason = evaluated.reason;
            decidedBy = "evaluation";
        }
        results.push({
            expectation: describeExpectation(e),
            expect: e.expect,
            actual: actual ? "allow" : "deny",
            decidedBy,
            ...(reason ? { reason } : {}),
        });
    }
    return results;
}

export function violationsOf(results: ExpectationResult[]): string[] {
    return results
        .filter((r) => r.actual !== r.expect)
        .map(
            (r) =>
                `${r.expectation}: expected ${r.expect}, ${r.decidedBy === "consul" ? "Consul's check says" : "evaluated"} ${r.actual}${r.reason ? ` (${r.reason})` : ""}`,
        );
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(intentionAssertionsSchema);

export class IntentionAssertionsProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        // The parsed inputs once known and valid (as given while parts are unknown at preview), with
        // the cluster they are checked at: a refresh checks them there, whatever the settings say then.
        return Promise.resolve(this.checkLocated(schema(), news).checked);
    }

    diff(_id: string, olds: IntentionAssertionsOutputs, news: IntentionAssertionsInputs & Located): Promise<dynamic.DiffResult> {
        const changes: string[] = [];
        if (canonical(olds.expectations) !== canonical(news.expectations)) changes.push("expectations");
        // Nothing in Consul belongs to an assertion: another cluster is checked by an update, not a replacement.
        const where = this.where(olds, news);
        changes.push(...where.replaces, ...where.changes);
        // Refresh found expectations that Consul no longer meets: show them, and check again on up.
        if ((olds.violations ?? []).length > 0) changes.push("violations");
        return Promise.resolve({
            changes: changes.length > 0,
            replaces: [],
            detailedDiff: Object.fromEntries(changes.map((k) => [k, { kind: "update" as const, inputDiff: k !== "violations" }])),
        });
    }

    private async assert(inputs: IntentionAssertionsInputs & Located): Promise<IntentionAssertionsOutputs> {
        const client = this.client(inputs.connection);
        const results = await evaluateExpectations(client, inputs.expectations);
        const violations = violationsOf(results);
        if (violations.length > 0) {
            throw new Error(
                `${violations.length} of ${results.length} expectation(s) not met by the intentions in Consul at ${client.address}:\n` +
                    violations.map((v) => `  - ${v}`).join("\n"),
            );
        }
        const { expectations, connection, cluster } = inputs;
        return {
            expectations,
            ...(connection ? { connection } : {}),
            ...(cluster !== undefined ? { cluster } : {}),
            results,
            violations: [],
        };
    }

    async create(inputs: IntentionAssertionsInputs & Located): Promise<Created<IntentionAssertionsOutputs>> {
        return { id: randomUUID(), outs: await this.assert(inputs) };
    }

    async read(id: string, props: IntentionAssertionsOutputs): Promise<ReadOf<IntentionAssertionsOutputs, IntentionAssertionsInputs>> {
        const results = await evaluateExpectations(this.recordedClient(props), props.expectations);
        const { expectations, connection, cluster } = props;
        const inputs: IntentionAssertionsInputs & Located = {
            expectations,
            ...(connection ? { connection } : {}),
            ...(cluster !== undefined ? { cluster } : {}),
        };
        return { id, props: { ...inputs, results, violations: violationsOf(results) }, inputs };
    }

    async update(
        _id: string,
        _olds: IntentionAssertionsOutputs,
        news: IntentionAssertionsInputs & Located,
    ): Promise<Updated<IntentionAssertionsOutputs>> {
        return { outs: await this.assert(news) };
    }

    delete(): Promise<void> {
        // Nothing in Consul belongs to an assertion.
        return Promise.resolve();
    }
}

export const intentionAssertionsProvider = new IntentionAssertionsProvider();
