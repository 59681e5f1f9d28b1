// Shared pieces of `check`: zod issues become Pulumi check failures, and values that are still
// unknown during preview (Pulumi's sentinel string) are never reported as invalid.
import type { z } from "zod";

/** pulumi.runtime.unknownValue: what an unknown input looks like inside a dynamic provider. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
    property: string;
    reason: string;
}

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** Drops unknown values (deeply) so that the schema sees only what is known. */
function withoutUnknowns(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutUnknowns);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (v !== UNKNOWN) out[k] = withoutUnknowns(v);
        }
        return out;
    }
    return value;
}

function pathHitsUnknown(root: unknown, path: readonly PropertyKey[]): boolean {
    let cur: unknown = root;
    for (const key of path) {
        if (cur === UNKNOWN) return true;
        if (cur === null || typeof cur !== "object") return false;
        cur = Reflect.get(cur, key);
    }
    return cur === UNKNOWN;
}

/**
 * Validates news against a schema. Returns the parsed value when everything is known and valid,
 * and failures naming the property (dotted path) otherwise. Issues caused by unknown values are
 * dropped: they are checked again once the values are known.
 */
export function validate<T extends z.ZodType>(schema: T, news: Record<string, unknown>): { value?: z.infer<T>; failures: CheckFailure[] } {
    // Pulumi's reserved keys (__provider, __defaults) are not user inputs.
    const userInputs = Object.fromEntries(Object.entries(news).filter(([k]) => !k.startsWith("__")));
    const result = schema.safeParse(withoutUnknowns(userInputs));
    if (result.success) {
        return { value: containsUnknown(userInputs) ? undefined : result.data, failures: [] };
    }
    const failures: CheckFailure[] = [];
    for (const issue of result.error.issues) {
        if (pathHitsUnknown(news, issue.path)) continue;
        // An unknown field is named itself (zod reports it on the enclosing object).
        const named = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        for (const path of named) {
            const property = path.map(String).join(".") || "(inputs)";
            const reason = issue.code === "unrecognized_keys" ? `unknown field "${String(path[path.length - 1])}"` : issue.message;
            // One reason per property: the first rule it breaks.
            if (!failures.some((f) => f.property === property)) failures.push({ property, reason });
        }
    }
    return { failures };
}

/** Canonical JSON (sorted keys, undefined dropped) for normalised comparisons. */
export function canonical(value: unknown): string {
    return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            if (v !== undefined) out[key] = sortKeys(v);
        }
        return out;
    }
    return value;
}

/**
 * The value `make` builds, built once per process. For zod schemas used on every call: building one
 * costs about a millisecond, which at hundreds of resources per run is most of `check`. (Provider
 * modules are loaded by `require` in the provider process, never serialised, so a cached schema
 * is safe here.)
 */
export function memoized<T>(make: () => T): () => T {
    let made: { value: T } | undefined;
    return () => (made ??= { value: make() }).value;
}
