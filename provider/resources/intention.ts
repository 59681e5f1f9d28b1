// Intention: one source -> destination pair inside the destination's `service-intentions` entry.
// Other sources of the entry are left alone; writes are CAS-checked and coalesced per destination.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, createFailure, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import { connectionSchema, type Located } from "../consul/connection";
import {
    checkSourceRules,
    normalizePermissions,
    normalizeSource,
    permissionSchema,
    sourceFromConsul,
    sourceToConsul,
    type SourceInput,
    versionedPermissionFields,
} from "../model/intention-model";
import { dropUndefined, metaWithoutMark, OWNER_META_KEY, OWNER_META_VALUE } from "../engine/config-entry";
import { serviceName, sourcePeerName } from "../model/names";
import { requireSupportedFields } from "../consul/server-version";
import { explainL7Error } from "../engine/l7-errors";
import { isOwnedEntry, modifyEntry, readEntryBatched, sourceKey, type ServiceIntentionsEntry } from "../engine/service-intentions-entry";
import { canonical, memoized } from "../model/validation";
import { announceEffect, policyFlips, secretNamesOf, shown } from "../model/effective-policy";

export function intentionSchema() {
    return z
        .object({
            source: serviceName("source"),
            destination: serviceName("destination"),
            sourcePeer: sourcePeerName("sourcePeer").optional(),
            action: z.enum(["allow", "deny"], { message: 'action must be "allow" or "deny"' }).optional(),
            permissions: z.array(permissionSchema()).min(1, "permissions must not be empty when given").optional(),
            description: z.string().max(512, "description must be at most 512 characters").optional(),
            sourceType: z.literal("consul", { message: 'sourceType must be "consul"' }).optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
            /** Set by the SDK: paths of the names the program made secret (masked in what the provider prints). */
            secretNames: z.array(z.string()).optional(),
        })
        .strict()
        .superRefine((v, ctx) => checkSourceRules(v, v.destination, (path, message) => ctx.addIssue({ code: "custom", path, message })));
}

export type IntentionInputs = z.infer<ReturnType<typeof intentionSchema>> & Located;

/** The schema, built once (check runs once per resource per run). */
const schema = memoized(intentionSchema);

export interface IntentionOutputs extends IntentionInputs {
    /** Consul's computed precedence for the pair (higher wins). */
    precedence?: number;
}

export function intentionId(inputs: { source: string; destination: string; sourcePeer?: string }): string {
    const source = inputs.sourcePeer ? `peer:${inputs.sourcePeer}/${inputs.source}` : inputs.source;
    return `${source}=>${inputs.destination}`;
}

function asSource(inputs: IntentionInputs): SourceInput {
    return {
        name: inputs.source,
        peer: inputs.sourcePeer,
        action: inputs.permissions?.length ? undefined : inputs.action,
        permissions: inputs.permissions,
        description: inputs.description,
    };
}

function findSource(entry: ServiceIntentionsEntry | undefined, inputs: { source: string; sourcePeer?: string }) {
    const key = sourceKey({ name: inputs.source, peer: inputs.sourcePeer });
    return entry?.Sources.find((s) => sourceKey(s) === key);
}

/** The outputs for what Consul holds; undefined when the pair is not there. */
function outputsFrom(entry: ServiceIntentionsEntry | undefined, inputs: IntentionInputs): IntentionOutputs | undefined {
    const found = findSource(entry, inputs);
    if (!found) return undefined;
    const source = sourceFromConsul(found);
    const outs: IntentionOutputs = {
        source: source.name,
        destination: inputs.destination,
        sourceType: "consul",
    };
    if (found.Precedence !== undefined) outs.precedence = found.Precedence;
    if (source.peer) outs.sourcePeer = source.peer;
    if (source.action) outs.action = source.action;
    if (source.permissions) outs.permissions = source.permissions;
    if (source.description) outs.description = source.description;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.secretNames !== undefined) outs.secretNames = inputs.secretNames;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (inputs.cluster !== undefined) outs.cluster = inputs.cluster;
    dropUndefined(outs);
    return outs;
}

/**
 * The inputs in the form read() realigns them to (the pair as Consul holds it: sourceType implied,
 * methods upper-case, an empty description dropped). With both the same, a refresh of a pair in
 * sync changes no input, so the next run's unchanged pairs are "same" steps that need no checkpoint
 * of the whole state each (issue 20: realigned inputs that differed by `sourceType` alone made the
 * bench's `up` after a refresh write 900 more checkpoints at D = 100).
 */
function heldForm(inputs: Record<string, unknown>, value: IntentionInputs): Record<string, unknown> {
    const { sourceType: _type, action: _action, permissions: _permissions, description: _description, ...rest } = inputs;
    const held = normalizeSource(asSource(value));
    const out: Record<string, unknown> = { ...rest, action: held.action, permissions: held.permissions, description: held.description };
    dropUndefined(out);
    return out;
}

function ownedEntryError(destination: string, address: string): Error {
    return new Error(
        `the intentions of destination "${destination}" at ${address} are managed as a whole by a consul-mesh ServiceIntentions ` +
            `resource (Meta ${OWNER_META_KEY}=${OWNER_META_VALUE}); add this source to that ServiceIntentions instead of using an Intention. ` +
            `If no ServiceIntentions declares it any more (one destroyed with retainOnDelete, as consul-mesh import declares them, ` +
            `leaves its mark behind), set adopt: true on this Intention to take the destination over pair by pair`,
    );
}

export class IntentionProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        const { value, checked } = this.checkLocated(schema(), news);
        if (!value) return Promise.resolve(checked);
        // The pair's outcome before and after (a moved pair: the old one goes, the new one comes).
        const previous = schema().safeParse(
            Object.fromEntries(Object.entries(olds).filter(([k]) => !k.startsWith("__") && k !== "precedence" && k !== "cluster")),
        );
        const old = previous.success ? previous.data : undefined;
        const samePair = old !== undefined && intentionId(old) === intentionId(value);
        const secret = new Set([...secretNamesOf(olds), ...secretNamesOf(value)]);
        const flips = samePair
            ? policyFlips(value.destination, [asSource(old)], [asSource(value)], secret)
            : [
                  ...(old ? policyFlips(old.destination, [asSource(old)], [], secret) : []),
                  ...policyFlips(value.destination, undefined, [asSource(value)], secret),
              ];
        const pair = intentionId({
            source: shown(value.source, secret),
            destination: shown(value.destination, secret),
            sourcePeer: value.sourcePeer === undefined ? undefined : shown(value.sourcePeer, secret),
        });
        announceEffect(`Intention ${pair}`, flips);
        return Promise.resolve({ ...checked, inputs: heldForm(checked.inputs, value) });
    }

    diff(_id: string, olds: IntentionOutputs, news: IntentionInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        for (const key of ["source", "destination"] as const) {
            if (olds[key] !== news[key]) replaces.push(key);
        }
        if ((olds.sourcePeer ?? "") !== (news.sourcePeer ?? "")) replaces.push("sourcePeer");
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        const oldL7 = normalizePermissions(olds.permissions);
        const newL7 = normalizePermissions(news.permissions);
        if ((oldL7 ? undefined : olds.action) !== (newL7 ? undefined : news.action)) changes.push("action");
        if (canonical(oldL7 ?? null) !== canonical(newL7 ?? null)) changes.push("permissions");
        if ((olds.description ?? "") !== (news.description ?? "")) changes.push("description");
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    /** Writes the pair (create and update share this): upsert of our source, nothing else touched. */
    private async write(inputs: IntentionInputs, mustNotExist: boolean): Promise<IntentionOutputs> {
        const client = this.client(inputs.connection);
        await requireSupportedFields(client, versionedPermissionFields(inputs.permissions, "permissions"));
        const id = intentionId(inputs);
        const desired = sourceToConsul(asSource(inputs));
        const wanted = canonical(normalizeSource(asSource(inputs)));
        let written: ServiceIntentionsEntry | undefined;
        try {
            written = await modifyEntry(
                client,
                inputs.destination,
                (entry) => {
                    // Checked on every compare-and-set attempt, against a fresh read. With adopt, a marked
                    // entry is taken over: the mark goes (its other sources stay), so Intentions manage it.
                    if (isOwnedEntry(entry) && !inputs.adopt) throw ownedEntryError(inputs.destination, client.address);
                    // Found exactly as declared: our own earlier attempt whose answer was lost (or a twin): success.
                    const found = findSource(entry, inputs);
                    if (found && mustNotExist && !inputs.adopt && canonical(sourceFromConsul(found)) !== wanted) {
                        throw new Error(
                            `intention ${id} already exists in Consul at ${client.address} and differs from the declared one ` +
                                `(held: ${canonical(sourceFromConsul(found))}); set adopt: true to manage the existing intention, or remove it first`,
                        );
                    }
                    const next: ServiceIntentionsEntry = entry ?? { Kind: "service-intentions", Name: inputs.destination, Sources: [] };
                    if (entry && isOwnedEntry(entry)) next.Meta = metaWithoutMark(entry);
                    next.Sources = next.Sources.filter((s) => sourceKey(s) !== sourceKey(desired));
                    next.Sources.push(desired);
                    return next;
                },
                { readBack: true, shared: true },
            );
        } catch (err) {
            throw explainL7Error(err, inputs.destination);
        }
        const outs = outputsFrom(written, inputs);
        if (!outs) throw new Error(`intention ${id} was written to ${client.address} but is not there on read-back`);
        return outs;
    }

    async create(inputs: IntentionInputs): Promise<Created<IntentionOutputs>> {
        const id = intentionId(inputs);
        try {
            return { id, outs: await this.write(inputs, true) };
        } catch (err) {
            throw createFailure(err, id, inputs);
        }
    }

    async read(id: string, props: IntentionOutputs): Promise<ReadOf<IntentionOutputs, IntentionInputs>> {
        const client = this.recordedClient(props);
        const outs = outputsFrom(await readEntryBatched(client, props.destination), props);
        if (!outs) return {};
        // Realigned inputs in check's form (see heldForm): no sourceType, which the user may leave out.
        const { precedence: _p, sourceType: _t, ...inputs } = outs;
        return { id, props: outs, inputs };
    }

    async update(_id: string, _olds: IntentionOutputs, news: IntentionInputs): Promise<Updated<IntentionOutputs>> {
        return { outs: await this.write(news, false) };
    }

    async delete(_id: string, props: IntentionOutputs): Promise<void> {
        const client = this.recordedClient(props);
        await modifyEntry(
            client,
            props.destination,
            (entry) => {
                // Gone already, or now owned by a ServiceIntentions (a migration): leave it alone.
                if (!entry || isOwnedEntry(entry)) return entry;
                const key = sourceKey({ name: props.source, peer: props.sourcePeer });
                return { ...entry, Sources: entry.Sources.filter((s) => sourceKey(s) !== key) };
            },
            { shared: true },
        );
    }
}

/** The one provider instance every Intention shares. */
export const intentionProvider = new IntentionProvider();
