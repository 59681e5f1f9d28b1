// ServiceIntentions: the whole `service-intentions` config entry of one destination, authoritative.
// Sources are compared as a set keyed by (peer, name), so Consul's precedence re-sorting never shows
// as a diff; a source added by hand is drift that the next `up` removes.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, createFailure, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import { connectionSchema, type Located } from "../consul/connection";
import { metaSchema, serviceName } from "../model/names";
import {
    checkSourceRules,
    jwtFromConsul,
    jwtRequirementSchema,
    jwtToConsul,
    normalizeSource,
    sourceFromConsul,
    sourceSchema,
    sourceToConsul,
    type SourceInput,
    versionedPermissionFields,
} from "../model/intention-model";
import { requireSupportedFields } from "../consul/server-version";
import { explainL7Error } from "../engine/l7-errors";
import {
    alreadyExistsError,
    dropUndefined,
    metaWithoutMark,
    OWNER_META_KEY,
    withOwnerMark,
    type ConfigEntry,
} from "../engine/config-entry";
import { modifyEntry, readEntryBatched, sourceKey, type ServiceIntentionsEntry } from "../engine/service-intentions-entry";
import { canonical, containsUnknown, memoized } from "../model/validation";
import { announceEffect, oldSourcesOf, policyFlips, secretNamesOf, shown } from "../model/effective-policy";
import { maskCredentials } from "../model/credentials";

export function serviceIntentionsSchema() {
    return z
        .object({
            destination: serviceName("destination"),
            sources: z.array(sourceSchema()).min(1, "at least one source is required"),
            meta: metaSchema()
                .refine((m) => !(OWNER_META_KEY in m), {
                    message: `meta key "${OWNER_META_KEY}" is reserved for consul-mesh's ownership mark`,
                })
                .optional(),
            jwt: jwtRequirementSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
            /** Set by the SDK: paths of the names the program made secret (masked in what the provider prints). */
            secretNames: z.array(z.string()).optional(),
        })
        .strict()
        .superRefine((v, ctx) => {
            const seen = new Map<string, number>();
            v.sources.forEach((source, i) => {
                const key = sourceKey(source);
                if (seen.has(key)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["sources", i, "name"],
                        message: `duplicate source "${source.peer ? `${source.peer}/` : ""}${source.name}" (also sources[${seen.get(key)}])`,
                    });
                }
                seen.set(key, i);
                checkSourceRules(source, v.destination, (path, message) =>
                    ctx.addIssue({ code: "custom", path: ["sources", i, ...path], message }),
                );
            });
        });
}

export type ServiceIntentionsInputs = z.infer<ReturnType<typeof serviceIntentionsSchema>> & Located;
export type ServiceIntentionsOutputs = ServiceIntentionsInputs;

/** The schema, built once (check runs once per resource per run). */
const schema = memoized(serviceIntentionsSchema);

/** Sources keyed by (peer, name) in normalised form: what diff compares. */
export function sourceSet(sources: SourceInput[] | undefined): Map<string, string> {
    return new Map((sources ?? []).map((s) => [sourceKey(s), canonical(normalizeSource(s))]));
}

export function sameSources(a: SourceInput[] | undefined, b: SourceInput[] | undefined): boolean {
    // Unknown during preview (Pulumi's sentinel in place of the list or inside it): a change.
    if (containsUnknown(a) || containsUnknown(b)) return false;
    const x = sourceSet(a);
    const y = sourceSet(b);
    return x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
}

/** What Consul stores back, for comparisons: sources as a set in normalised form, JWT as read back, Meta with the mark. */
function normalForm(entry: ServiceIntentionsEntry): ConfigEntry {
    const sources = entry.Sources.map((s) => normalizeSource(sourceFromConsul(s))).sort((a, b) => (sourceKey(a) < sourceKey(b) ? -1 : 1));
    return { Kind: entry.Kind, Name: entry.Name, Sources: sources, Meta: entry.Meta ?? {}, JWT: jwtFromConsul(entry.JWT) ?? null };
}

function toEntry(inputs: ServiceIntentionsInputs): ServiceIntentionsEntry {
    const entry: ServiceIntentionsEntry = {
        Kind: "service-intentions",
        Name: inputs.destination,
        Sources: inputs.sources.map(sourceToConsul),
        Meta: withOwnerMark(inputs.meta),
    };
    if (inputs.jwt) entry.JWT = jwtToConsul(inputs.jwt);
    return entry;
}

/** Outputs from the stored entry; sources ordered like `order` (the declared order) where they match. */
function outputsFrom(entry: ServiceIntentionsEntry, inputs: ServiceIntentionsInputs): ServiceIntentionsOutputs {
    const position = new Map(inputs.sources.map((s, i) => [sourceKey(s), i]));
    const sources = entry.Sources.map(sourceFromConsul).sort(
        (a, b) => (position.get(sourceKey(a)) ?? Infinity) - (position.get(sourceKey(b)) ?? Infinity),
    );
    const outs: ServiceIntentionsOutputs = { destination: entry.Name, sources };
    const meta = metaWithoutMark(entry);
    // A credential-named meta value is copied only where it is the program's own: read realigns
    // the inputs from these outputs, and neither is secret unless the program made it so.
    if (meta) outs.meta = maskCredentials(meta, inputs.meta);
    const jwt = jwtFromConsul(entry.JWT);
    if (jwt) outs.jwt = jwt;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.secretNames !== undefined) outs.secretNames = inputs.secretNames;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (inputs.cluster !== undefined) outs.cluster = inputs.cluster;
    dropUndefined(outs);
    return outs;
}

export class ServiceIntentionsProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        const { value, checked } = this.checkLocated(schema(), news);
        if (value) {
            // Who may call whom before and after, from the declared sources (a new destination: from nothing).
            const before = olds.destination === value.destination ? oldSourcesOf(olds) : undefined;
            const secret = new Set([...secretNamesOf(olds), ...secretNamesOf(value)]);
            announceEffect(
                `ServiceIntentions for ${shown(value.destination, secret)}`,
                policyFlips(value.destination, before, value.sources, secret),
            );
        }
        return Promise.resolve(checked);
    }

    diff(_id: string, olds: ServiceIntentionsOutputs, news: ServiceIntentionsInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        if (olds.destination !== news.destination) replaces.push("destination");
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        if (!sameSources(olds.sources, news.sources)) changes.push("sources");
        if (canonical(olds.meta ?? {}) !== canonical(news.meta ?? {})) changes.push("meta");
        if (canonical(olds.jwt ?? null) !== canonical(news.jwt ?? null)) changes.push("jwt");
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    private async write(inputs: ServiceIntentionsInputs, creating: boolean): Promise<ServiceIntentionsOutputs> {
        const client = this.client(inputs.connection);
        await requireSupportedFields(
            client,
            inputs.sources.flatMap((s, i) => versionedPermissionFields(s.permissions, `sources[${i}].permissions`)),
        );
        let entry: ServiceIntentionsEntry | undefined;
        const wanted = toEntry(inputs);
        try {
            entry = await modifyEntry(
                client,
                inputs.destination,
                (current) => {
                    // Checked on every compare-and-set attempt, against a fresh read. Found exactly as
                    // declared (with the mark): our own earlier attempt whose answer was lost, or a twin.
                    if (current && creating && !inputs.adopt) {
                        const refused = alreadyExistsError(
                            `the service-intentions entry for "${inputs.destination}"`,
                            client.address,
                            normalForm(current),
                            normalForm(wanted),
                            "set adopt: true to take it over (its sources will be replaced by the declared ones), or delete it first",
                        );
                        if (refused) throw refused;
                    }
                    return toEntry(inputs);
                },
                { readBack: true },
            );
        } catch (err) {
            throw explainL7Error(err, inputs.destination);
        }
        if (!entry)
            throw new Error(`service-intentions "${inputs.destination}" was written to ${client.address} but is not there on read-back`);
        return outputsFrom(entry, inputs);
    }

    async create(inputs: ServiceIntentionsInputs): Promise<Created<ServiceIntentionsOutputs>> {
        try {
            return { id: inputs.destination, outs: await this.write(inputs, true) };
        } catch (err) {
            throw createFailure(err, inputs.destination, inputs);
        }
    }

    async read(id: string, props: ServiceIntentionsOutputs): Promise<ReadOf<ServiceIntentionsOutputs>> {
        const client = this.recordedClient(props);
        const entry = await readEntryBatched(client, props.destination ?? id);
        if (!entry) return {};
        const outs = outputsFrom(entry, props);
        return { id, props: outs, inputs: outs };
    }

    async update(_id: string, _olds: ServiceIntentionsOutputs, news: ServiceIntentionsInputs): Promise<Updated<ServiceIntentionsOutputs>> {
        return { outs: await this.write(news, false) };
    }

    async delete(id: string, props: ServiceIntentionsOutputs): Promise<void> {
        await modifyEntry(this.recordedClient(props), props.destination ?? id, () => undefined);
    }
}

export const serviceIntentionsProvider = new ServiceIntentionsProvider();
