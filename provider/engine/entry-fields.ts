// The mapping every typed config-entry kind shares: our camelCase inputs to Consul's field names and
// back, deeply, so that a kind is its schema plus a few naming exceptions. Reading back aligns what
// Consul holds with what the program declared: durations keep the user's spelling when equal by
// value, and zero values and server defaults the program left unset do not show as outputs (Consul
// answers `TransparentProxy: {}`, `PadForwardPayloadHeader: false`, `ClockSkewSeconds: 30`, ...).
import { z } from "zod";
import { metaWithoutMark, OWNER_META_KEY, type ConfigEntry } from "./config-entry";
import type { EntryResourceInputs, WholeEntryKind } from "./config-entry-resource";
import { formatDuration, isDuration, sameDuration, toNanos } from "../model/durations";
import { metaSchema } from "../model/names";
import { canonical } from "../model/validation";

/** How a kind's fields are named and encoded in Consul. Keys are our (camelCase) field names, wherever they occur. */
export interface FieldMap {
    /** Consul names that are not the field name with its first letter upper-cased (`uri` -> `URI`). */
    names?: Record<string, string>;
    /** Fields holding a map from user-chosen keys (subset names, services) to objects: keys kept, values mapped. */
    records?: readonly string[];
    /** Fields kept exactly as written (free-form maps such as proxy `config`). */
    opaque?: readonly string[];
    /** Fields holding Go durations ("5s"): written as Consul stores them back. */
    durations?: readonly string[];
    /** How Consul stores this kind's durations: nanoseconds (time.Duration in JSON) or Go's text ("1m30s"). */
    durationsAs?: "nanos" | "text";
    /** Server-side defaults (by field name) that mean the same as leaving the field unset. */
    defaults?: Record<string, unknown>;
}

export type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function consulName(key: string, map: FieldMap): string {
    return map.names?.[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

function ourName(key: string, map: FieldMap): string {
    const named = Object.entries(map.names ?? {}).find(([, consul]) => consul === key);
    return named ? named[0] : key.charAt(0).toLowerCase() + key.slice(1);
}

function durationOut(value: unknown, map: FieldMap): unknown {
    const ns = toNanos(value);
    if (ns === undefined) return value;
    return map.durationsAs === "text" ? formatDuration(ns) : Number(ns);
}

/** Our inputs in Consul's field names and encodings (undefined fields left out). */
export function toConsul(value: unknown, map: FieldMap, key?: string): unknown {
    if (key !== undefined && map.opaque?.includes(key)) return value;
    if (key !== undefined && map.durations?.includes(key)) return durationOut(value, map);
    if (Array.isArray(value)) return value.map((v) => toConsul(v, map));
    if (!isRecord(value)) return value;
    const out: Json = {};
    if (key !== undefined && map.records?.includes(key)) {
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toConsul(v, map);
        return out;
    }
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[consulName(k, map)] = toConsul(v, map, k);
    return out;
}

/** A zero value, or the server's default for the field: the same as unset. */
function meansUnset(value: unknown, map: FieldMap, key?: string): boolean {
    if (value === undefined || value === null || value === "" || value === false || value === 0) return true;
    if (Array.isArray(value)) return value.length === 0;
    if (isRecord(value)) return Object.keys(value).length === 0;
    return key !== undefined && map.defaults !== undefined && Object.hasOwn(map.defaults, key) && map.defaults[key] === value;
}

/**
 * What Consul holds, in our field names, aligned with the declared `input` (may be undefined): a
 * duration equal by value keeps the declared spelling; a field the program left unset is dropped
 * when Consul holds its zero value or its default.
 */
export function fromConsul(value: unknown, map: FieldMap, input: unknown, key?: string): unknown {
    if (key !== undefined && map.opaque?.includes(key)) return value;
    if (key !== undefined && map.durations?.includes(key)) {
        if (input !== undefined && sameDuration(input, value)) return input;
        const ns = toNanos(value);
        return ns === undefined ? value : formatDuration(ns);
    }
    if (Array.isArray(value)) return value.map((v, i) => fromConsul(v, map, Array.isArray(input) ? input[i] : undefined));
    if (!isRecord(value)) return value;
    const declared = isRecord(input) ? input : {};
    const out: Json = {};
    const isRecordField = key !== undefined && map.records?.includes(key);
    for (const [k, v] of Object.entries(value)) {
        const name = isRecordField ? k : ourName(k, map);
        const mapped = fromConsul(v, map, declared[name], isRecordField ? undefined : name);
        // Consul omits empty strings (omitempty): "" is unset even where the program wrote it.
        if (mapped === "" || mapped === null) continue;
        if (declared[name] === undefined && meansUnset(mapped, map, isRecordField ? undefined : name)) continue;
        out[name] = mapped;
    }
    return out;
}

/** A field's value in comparable form: Consul's encoding, with zero values and defaults dropped. */
function normalised(value: unknown, map: FieldMap, key: string): string {
    const strip = (v: unknown, k?: string): unknown => {
        if (Array.isArray(v)) return v.map((x) => strip(x));
        if (!isRecord(v) || (k !== undefined && map.opaque?.includes(k))) return v;
        const out: Json = {};
        for (const [ck, cv] of Object.entries(v)) {
            const name = k !== undefined && map.records?.includes(k) ? undefined : ourName(ck, map);
            const kept = strip(cv, name);
            if (!meansUnset(kept, map, name)) out[ck] = kept;
        }
        return out;
    };
    const stripped = strip(toConsul({ [key]: value }, map));
    return canonical(stripped);
}

/** The fields (of `fields`) whose declared values differ, compared normalised. */
export function changedFields(olds: Json, news: Json, fields: readonly string[], map: FieldMap): string[] {
    return fields.filter((f) => normalised(olds[f], map, f) !== normalised(news[f], map, f));
}

/** Inputs of a typed kind as the engine sees them (the zod type narrows them in `check`). */
export type EntryInputs = EntryResourceInputs & Json;

/** What a typed kind states: the rest of its WholeEntryKind comes from the field map. */
export interface TypedKind {
    kind: string;
    schema: () => z.ZodType<EntryInputs>;
    /** The entry's name: a fixed one (`global`, `mesh`) or the input field holding it. */
    name: { fixed: string } | { field: string };
    /** Fields mapped to the entry's top-level fields (meta, name, adopt and connection aside). */
    fields: readonly string[];
    map: FieldMap;
    /** Fields Consul fills in when they are unset, written explicitly so that a re-read equals the write. */
    written?: Json;
    adoptHint: string;
    /** Whether any value of the entry may be a credential (see WholeEntryKind). */
    scrubWrittenValues?: boolean;
}

/**
 * The WholeEntryKind of a typed kind. The kind owns its mapped top-level fields (a field removed
 * from the program is removed from the entry); fields it does not map are kept as Consul holds them.
 */
export function typedEntryKind(spec: TypedKind): WholeEntryKind<EntryInputs> {
    const consulFields = spec.fields.map((f) => consulName(f, spec.map));
    const nameOf = (inputs: Json): string => ("fixed" in spec.name ? spec.name.fixed : String(inputs[spec.name.field]));
    return {
        kind: spec.kind,
        schema: spec.schema,
        name: nameOf,
        identity: "field" in spec.name ? [spec.name.field] : [],
        toEntry: (inputs, current) => {
            const kept: Json = { ...(current ?? {}) };
            for (const f of [...consulFields, "Meta"]) delete kept[f];
            const declared: Json = {};
            for (const f of spec.fields) if (inputs[f] !== undefined) declared[f] = inputs[f];
            const mapped = toConsul(declared, spec.map);
            const meta = inputs.meta;
            return {
                ...kept,
                ...(spec.written ?? {}),
                ...(isRecord(mapped) ? mapped : {}),
                Kind: spec.kind,
                Name: nameOf(inputs),
                Meta: isRecord(meta) ? Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)])) : undefined,
            };
        },
        outputs: (entry: ConfigEntry, inputs) => {
            const held: Json = {};
            for (const f of consulFields) if (entry[f] !== undefined) held[f] = entry[f];
            const declared: Json = {};
            for (const f of spec.fields) declared[f] = inputs[f];
            const mapped = fromConsul(held, spec.map, declared);
            const outs: EntryInputs = { ...(isRecord(mapped) ? mapped : {}), meta: metaWithoutMark(entry) };
            if ("field" in spec.name) outs[spec.name.field] = entry.Name;
            return outs;
        },
        changes: (olds, news) => [
            ...changedFields(olds, news, spec.fields, spec.map),
            ...(canonical(olds.meta ?? {}) !== canonical(news.meta ?? {}) ? ["meta"] : []),
        ],
        adoptHint: spec.adoptHint,
        scrubWrittenValues: spec.scrubWrittenValues,
    };
}

/** An entry's `meta`: Consul's limits, and the ownership mark's key reserved. */
export function ownedMetaSchema() {
    return metaSchema().refine((m) => !(OWNER_META_KEY in m), {
        message: `meta key "${OWNER_META_KEY}" is reserved for consul-mesh's ownership mark`,
    });
}

/** A Go duration written as text ("5s", "1m30s"). */
export function durationSchema(what: string) {
    return z.string().refine(isDuration, { message: `${what} must be a duration such as "5s" or "1m30s"` });
}

/** A whole number of at least 0 (Consul's ints, negative ones meaning nothing). */
export function countSchema(what: string) {
    return z.number().int(`${what} must be a whole number`).min(0, `${what} must not be negative`);
}
