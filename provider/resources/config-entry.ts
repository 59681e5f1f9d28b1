// ConfigEntry: any config entry kind without its own resource, as `kind` + `name` + `entry` (in
// Consul's own field names). Owned whole by the resource, on the one config-entry engine. What
// Consul fills in itself (defaults of the kind) is recorded right after each write (`lastWrite`), so
// a re-read that finds exactly that shows no change, and anything else is shown field by field as drift.
import { z } from "zod";
import { metaWithoutMark, type ConfigEntry } from "../engine/config-entry";
import { WholeEntryProvider, type WholeEntryKind } from "../engine/config-entry-resource";
import { connectionSchema } from "../consul/connection";
import { ownedMetaSchema, type EntryInputs, type Json } from "../engine/entry-fields";
import { canonical } from "../model/validation";

/** Kinds with their own typed resource: a ConfigEntry of one of these is refused, naming it. */
export const TYPED_KINDS: Record<string, string> = {
    "service-defaults": "ServiceDefaults",
    "service-intentions": "ServiceIntentions (or Intention)",
    "exported-services": "ExportedServices",
    "jwt-provider": "JwtProvider",
    "proxy-defaults": "ProxyDefaults",
    mesh: "Mesh",
    "service-resolver": "ServiceResolver",
};

/** Fields the engine owns or Consul computes: not part of `entry`. */
const RESERVED_FIELDS = ["Kind", "Name", "Meta", "CreateIndex", "ModifyIndex", "Hash"];

export function configEntrySchema() {
    return z
        .object({
            kind: z
                .string()
                .regex(/^[a-z]+(-[a-z]+)*$/, 'kind must be a Consul config entry kind such as "service-router"')
                .refine((k) => !Object.hasOwn(TYPED_KINDS, k), {
                    error: (issue) => `kind "${String(issue.input)}" has its own resource: use ${TYPED_KINDS[String(issue.input)]}`,
                }),
            name: z.string().min(1, "name must not be empty"),
            entry: z.record(z.string(), z.unknown()).superRefine((e, ctx) => {
                for (const key of Object.keys(e)) {
                    if (RESERVED_FIELDS.includes(key)) {
                        ctx.addIssue({
                            code: "custom",
                            path: [key],
                            message: `${key} is not part of entry (kind, name and meta are inputs of their own; indexes are Consul's)`,
                        });
                    }
                }
            }),
            meta: ownedMetaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ConfigEntryInputs = z.infer<ReturnType<typeof configEntrySchema>>;

function isRecord(value: unknown): value is Json {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The entry's own fields as Consul holds them (the engine's and Consul's computed fields left out). */
export function heldFields(entry: ConfigEntry): Json {
    return Object.fromEntries(Object.entries(entry).filter(([k]) => !RESERVED_FIELDS.includes(k)));
}

/** Top-level fields of `entry` that differ (compared as canonical JSON). */
function changedEntryFields(olds: unknown, news: unknown): string[] {
    const a = isRecord(olds) ? olds : {};
    const b = isRecord(news) ? news : {};
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
        .filter((k) => canonical(a[k] ?? null) !== canonical(b[k] ?? null))
        .sort()
        .map((k) => `entry.${k}`);
}

export const configEntryKind: WholeEntryKind<EntryInputs> = {
    kind: (inputs) => String(inputs.kind),
    schema: configEntrySchema,
    name: (inputs) => String(inputs.name),
    identity: ["kind", "name"],
    toEntry: (inputs) => {
        const declared = isRecord(inputs.entry) ? inputs.entry : {};
        const meta = isRecord(inputs.meta) ? Object.fromEntries(Object.entries(inputs.meta).map(([k, v]) => [k, String(v)])) : undefined;
        return { ...declared, Kind: String(inputs.kind), Name: String(inputs.name), Meta: meta };
    },
    outputs: (entry, inputs) => {
        const held = heldFields(entry);
        // `lastWrite` records the declared entry and what Consul held right after the write. A write
        // (no record yet) or a re-read that finds exactly what Consul held then: the entry is as
        // declared. Anything else is Consul's entry, shown as drift.
        // No declared entry at all: a `pulumi import`, which takes the entry as Consul holds it.
        const lastWrite = isRecord(inputs.lastWrite) ? inputs.lastWrite : { entry: inputs.entry ?? held, held };
        const asWritten = canonical(lastWrite.held) === canonical(held);
        return {
            kind: entry.Kind,
            name: entry.Name,
            entry: asWritten ? lastWrite.entry : held,
            meta: metaWithoutMark(entry),
            lastWrite,
        };
    },
    changes: (olds, news) => [
        ...changedEntryFields(olds.entry, news.entry),
        ...(canonical(olds.meta ?? {}) !== canonical(news.meta ?? {}) ? ["meta"] : []),
    ],
    adoptHint: "manage it (the declared entry replaces it)",
    outputOnly: ["lastWrite"],
    // Any field of any kind may be a credential (an inline-certificate's PrivateKey, say).
    scrubWrittenValues: true,
};

export class ConfigEntryProvider extends WholeEntryProvider<EntryInputs> {
    constructor() {
        super(configEntryKind);
    }
}

export const configEntryProvider = new ConfigEntryProvider();
