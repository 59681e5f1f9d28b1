import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../connection";
import type { IntentionSource } from "../intention-types";
import { IntentionAssertions, type IntentionExpectation } from "../resources/intention-assertions";
import { ServiceIntentions } from "../resources/service-intentions";

/**
 * Arguments of a {@link MeshPolicy}: a compact graph of who may call whom.
 *
 * ```ts
 * new MeshPolicy("policy", {
 *     defaultAction: "deny",
 *     allow: { web: ["api"], api: ["db"] },
 *     peers: { dc2: { allow: { frontend: ["api"] } } },
 * });
 * ```
 */
export interface MeshPolicyArgs {
    /**
     * What happens to traffic no rule below matches: the `*` -> `*` intention, and for each peer in
     * `peers` the same from that peer's `*` (Consul's `*` source matches local services only).
     */
    defaultAction: "allow" | "deny";
    /** `source: [destinations]` pairs to allow (service names of this cluster). */
    allow?: Record<string, string[]>;
    /** `source: [destinations]` pairs to deny. A pair may not be both allowed and denied. */
    deny?: Record<string, string[]>;
    /** Sources from cluster peers: `peerName: { allow?: { remoteService: [localDestinations] }, deny?: ... }`. */
    peers?: Record<
        string,
        {
            /** `remoteService: [localDestinations]` pairs to allow from this peer. */
            allow?: Record<string, string[]>;
            /** `remoteService: [localDestinations]` pairs to deny from this peer. */
            deny?: Record<string, string[]>;
        }
    >;
    /**
     * Expectations Consul must meet once the policy is written, e.g.
     * `[{ from: "web", to: "db", expect: "deny" }, { from: "web", to: "api", path: "/admin", method: "POST", expect: "deny" }]`:
     * checked by an {@link IntentionAssertions} child (`<name>-expectations`) after every
     * ServiceIntentions child; `up` fails naming each violated one, and `preview --refresh` reports
     * one a hand edit has broken.
     */
    expect?: pulumi.Input<pulumi.Input<IntentionExpectation>[]>;
    /** Adopt entries that already exist in Consul for these destinations. @default false */
    adopt?: boolean;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

interface Rule {
    peer?: string;
    source: string;
    destination: string;
    action: "allow" | "deny";
}

/** Flattens the graph into rules, refusing a pair that is both allowed and denied. */
export function meshPolicyRules(args: Pick<MeshPolicyArgs, "allow" | "deny" | "peers">): Rule[] {
    const rules = new Map<string, Rule>();
    const add = (peer: string | undefined, graph: Record<string, string[]> | undefined, action: "allow" | "deny") => {
        for (const [source, destinations] of Object.entries(graph ?? {})) {
            for (const destination of destinations) {
                const key = `${peer ?? ""}/${source}=>${destination}`;
                const existing = rules.get(key);
                if (existing && existing.action !== action) {
                    const who = peer ? `${peer}/${source}` : source;
                    throw new Error(`MeshPolicy: ${who} -> ${destination} is both allowed and denied`);
                }
                rules.set(key, { peer, source, destination, action });
            }
        }
    };
    add(undefined, args.allow, "allow");
    add(undefined, args.deny, "deny");
    for (const [peer, graphs] of Object.entries(args.peers ?? {})) {
        add(peer, graphs.allow, "allow");
        add(peer, graphs.deny, "deny");
    }
    return [...rules.values()];
}

/**
 * A mesh policy as one component: one {@link ServiceIntentions} per destination (children named
 * `<name>-<destination>`) plus the `*` default (`<name>-default`), which also holds the default
 * for every peer named in `peers`.
 */
export class MeshPolicy extends pulumi.ComponentResource {
    /** The ServiceIntentions per destination (`"*"` is the default). */
    public readonly intentions: Record<string, ServiceIntentions>;
    /** Destinations with a policy, sorted (`"*"` included). */
    public readonly destinations: pulumi.Output<string[]>;
    /** The expectations' check, when `expect` is given. */
    public readonly assertions?: IntentionAssertions;
    /** Violated expectations (empty after `up`; filled by a refresh that finds Consul changed); `[]` without `expect`. */
    public readonly violations: pulumi.Output<string[]>;

    constructor(name: string, args: MeshPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consul-mesh:index:MeshPolicy", name, {}, opts);
        const byDestination = new Map<string, IntentionSource[]>();
        for (const rule of meshPolicyRules(args)) {
            const list = byDestination.get(rule.destination) ?? [];
            list.push({ name: rule.source, ...(rule.peer ? { peer: rule.peer } : {}), action: rule.action });
            byDestination.set(rule.destination, list);
        }
        const star = byDestination.get("*") ?? [];
        if (!star.some((s) => s.name === "*" && !s.peer)) star.push({ name: "*", action: args.defaultAction });
        // Consul's `*` source matches local services only: without these, traffic from a declared
        // peer that no rule names would fall to the cluster's default, not to defaultAction.
        for (const peer of Object.keys(args.peers ?? {}).sort()) {
            if (!star.some((s) => s.name === "*" && s.peer === peer)) star.push({ name: "*", peer, action: args.defaultAction });
        }
        byDestination.set("*", star);

        this.intentions = {};
        for (const [destination, sources] of [...byDestination].sort(([a], [b]) => a.localeCompare(b))) {
            const child = destination === "*" ? `${name}-default` : `${name}-${destination}`;
            this.intentions[destination] = new ServiceIntentions(
                child,
                { destination, sources, adopt: args.adopt, connection: args.connection },
                { parent: this },
            );
        }
        this.destinations = pulumi.output(Object.keys(this.intentions).sort());
        if (args.expect !== undefined) {
            this.assertions = new IntentionAssertions(
                `${name}-expectations`,
                { expectations: args.expect, connection: args.connection },
                { parent: this, dependsOn: Object.values(this.intentions) },
            );
        }
        this.violations = this.assertions?.violations ?? pulumi.output([]);
        this.registerOutputs({ destinations: this.destinations, violations: this.violations });
    }
}
