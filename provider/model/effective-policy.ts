// The effective policy change of an intentions change, computed at preview from the declared
// sources alone (no Consul call): for every caller the old or the new source list names, and for
// "any other service" where a `*` source is involved, the L4 outcome before and after, evaluated
// with Consul's precedence (exact source over `*`; a peer's sources apart from local ones), and the
// pairs whose outcome flips. The outcomes are `allow`, `deny`, `L7` (per-request permissions) and
// `default` (no intention in this entry matches: the cluster's default, or an intention for the `*`
// destination, decides).
import { AsyncLocalStorage } from "node:async_hooks";
import { writeSync } from "node:fs";
import { z } from "zod";
import { evaluate, type MatchedIntention } from "./intention-evaluation";
import { sourceSchema, type SourceInput } from "./intention-model";
import { memoized } from "./validation";

export type Outcome = "allow" | "deny" | "L7" | "default";

/** The schemas of check's per-call parses, built once (check runs once per resource per run). */
const secretNamesSchema = memoized(() => z.array(z.string()));
const oldSourcesSchema = memoized(() => z.array(sourceSchema()));

/** Consul's precedence for a source/destination pair in Community Edition. */
export function precedence(source: string, destination: string): number {
    if (destination === "*") return source === "*" ? 5 : 6;
    return source === "*" ? 8 : 9;
}

function asMatched(destination: string, s: SourceInput): MatchedIntention {
    return {
        source: s.name,
        ...(s.peer ? { sourcePeer: s.peer } : {}),
        destination,
        ...(s.permissions?.length ? {} : s.action ? { action: s.action } : {}),
        permissions: s.permissions ?? [],
        precedence: precedence(s.name, destination),
        meta: {},
    };
}

/** The L4 outcome for a caller under one entry's sources. */
export function outcome(destination: string, sources: SourceInput[], caller: { name: string; peer?: string }): Outcome {
    const intentions = sources.map((s) => asMatched(destination, s));
    const decided = evaluate(intentions, { source: caller.name, peer: caller.peer }, undefined, false);
    if (!decided.intention) return "default";
    if (decided.intention.permissions.length > 0) return "L7";
    return decided.allowed ? "allow" : "deny";
}

/** A caller no source names: stands for "any other service" (of that peer). */
const OTHER = "\u0000other";

/** What the text shows for a name: `[secret]` for one the program made secret. */
export function shown(name: string, secret: ReadonlySet<string>): string {
    return secret.has(name) ? "[secret]" : name;
}

function callerLabel(c: { name: string; peer?: string }, secret: ReadonlySet<string>): string {
    const name = c.name === OTHER ? "* (any other service)" : shown(c.name, secret);
    return c.peer ? `peer ${shown(c.peer, secret)}/${name}` : name;
}

/**
 * The names at the paths the SDK lists in `secretNames` (inputs the program made secret, which
 * reach the provider as plain values): "destination", "source", "sourcePeer", "sources" (every
 * source), "sources.<i>" (one source) or "sources.<i>.name" / "sources.<i>.peer".
 */
export function secretNamesOf(inputs: Record<string, unknown>): Set<string> {
    const paths = secretNamesSchema().safeParse(inputs.secretNames);
    const out = new Set<string>();
    const add = (v: unknown) => {
        if (typeof v === "string") out.add(v);
    };
    const addSource = (v: unknown) => {
        if (v !== null && typeof v === "object") {
            add(Reflect.get(v, "name"));
            add(Reflect.get(v, "peer"));
        }
    };
    for (const path of paths.success ? paths.data : []) {
        let v: unknown = inputs;
        for (const key of path.split(".")) v = v !== null && typeof v === "object" ? Reflect.get(v, key) : undefined;
        if (typeof v === "string") add(v);
        else if (Array.isArray(v)) v.forEach(addSource);
        else addSource(v);
    }
    return out;
}

/**
 * The pairs whose L4 outcome differs between the old and the new sources of `destination`, as
 * `"web -> db: allow => deny"`, sorted. `oldSources` undefined means the entry does not exist yet.
 * Names in `secret` (made secret by the program) are shown as `[secret]`.
 */
export function policyFlips(
    destination: string,
    oldSources: SourceInput[] | undefined,
    newSources: SourceInput[] | undefined,
    secret: ReadonlySet<string> = new Set(),
): string[] {
    const before = oldSources ?? [];
    const after = newSources ?? [];
    const callers = new Map<string, { name: string; peer?: string }>();
    for (const s of [...before, ...after]) {
        const name = s.name === "*" ? OTHER : s.name;
        callers.set(`${s.peer ?? ""}/${name}`, { name, ...(s.peer ? { peer: s.peer } : {}) });
    }
    const flips: string[] = [];
    for (const caller of callers.values()) {
        const was = outcome(destination, before, caller);
        const now = outcome(destination, after, caller);
        if (was !== now) flips.push(`${callerLabel(caller, secret)} -> ${shown(destination, secret)}: ${was} => ${now}`);
    }
    return flips.sort();
}

/**
 * Where announceEffect writes, for the call it runs in. Unset (the dynamic path), it writes to the
 * provider process's standard error, which the CLI shows. The provider plugin's standard error is
 * not shown, so the plugin runs each `check` with a writer that sends the text to the engine's log,
 * attached to the resource.
 */
export const effectOutput = new AsyncLocalStorage<(text: string) => void>();

/**
 * Prints the flips of a change, which the CLI shows as a message of the run (in `pulumi preview`
 * and `pulumi up`, before anything is written). Written synchronously: the engine may stop the
 * provider soon after, and a buffered write could be lost. Nothing is printed when nothing flips.
 */
export function announceEffect(
    what: string,
    flips: string[],
    write: (text: string) => void = effectOutput.getStore() ?? ((t) => writeSync(2, t)),
): void {
    if (flips.length === 0) return;
    write(`consul-mesh: ${what}: this change flips who may call whom:\n${flips.map((f) => `  ${f}\n`).join("")}`);
}

/** The sources recorded in the old state, when they parse (undefined for a create or an unreadable state). */
export function oldSourcesOf(olds: Record<string, unknown>): SourceInput[] | undefined {
    const parsed = oldSourcesSchema().safeParse(olds.sources);
    return parsed.success ? parsed.data : undefined;
}
