// Intention: one source -> destination pair inside the destination's `service-intentions` entry.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider } from "../base";
import { connectionSchema, connectionTarget } from "../connection";
import {
    modifyEntry,
    readEntry,
    sourceKey,
    type ConsulSource,
    type ServiceIntentionsEntry,
} from "../service-intentions-entry";
import { canonical, validate, type CheckFailure } from "../validation";

const SERVICE_NAME = /^(\*|[A-Za-z0-9]([A-Za-z0-9._-]{0,254}[A-Za-z0-9])?)$/;
const PEER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function intentionSchema() {
    const name = (what: string) =>
        z
            .string({ message: `${what} is required` })
            .min(1, `${what} must not be empty`)
            .regex(SERVICE_NAME, `${what} must be a service name (letters, digits, '.', '_', '-') or "*"`);
    return z
        .object({
            source: name("source"),
            destination: name("destination"),
            sourcePeer: z
                .string()
                .regex(PEER_NAME, "sourcePeer must be a peer name: lower-case letters, digits and '-', at most 63 characters")
                .optional(),
            action: z.enum(["allow", "deny"], { message: 'action must be "allow" or "deny"' }),
            description: z.string().max(512, "description must be at most 512 characters").optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type IntentionInputs = z.infer<ReturnType<typeof intentionSchema>>;

export interface IntentionOutputs extends IntentionInputs {
    /** Consul's computed precedence for the pair (higher wins). */
    precedence?: number;
    sourceType: string;
}

export function intentionId(inputs: { source: string; destination: string; sourcePeer?: string }): string {
    const source = inputs.sourcePeer ? `peer:${inputs.sourcePeer}/${inputs.source}` : inputs.source;
    return `${source}=>${inputs.destination}`;
}

function sourceOf(inputs: IntentionInputs): ConsulSource {
    const source: ConsulSource = { Name: inputs.source, Action: inputs.action, Type: "consul" };
    if (inputs.sourcePeer) source.Peer = inputs.sourcePeer;
    if (inputs.description) source.Description = inputs.description;
    return source;
}

function findSource(entry: ServiceIntentionsEntry | undefined, inputs: { source: string; sourcePeer?: string }) {
    const key = sourceKey({ Name: inputs.source, Peer: inputs.sourcePeer });
    return entry?.Sources.find((s) => sourceKey(s) === key);
}

/** The outputs for what Consul holds; undefined when the pair is not there. */
function outputsFrom(
    entry: ServiceIntentionsEntry | undefined,
    inputs: IntentionInputs,
): IntentionOutputs | undefined {
    const found = findSource(entry, inputs);
    if (!found) return undefined;
    const outs: IntentionOutputs = {
        source: found.Name,
        destination: inputs.destination,
        // L7 intentions (Permissions, no Action) are managed by a later version; report them as-is.
        action: (found.Action ?? "deny") as "allow" | "deny",
        sourceType: found.Type ?? "consul",
        precedence: found.Precedence,
    };
    if (found.Peer) outs.sourcePeer = found.Peer;
    if (found.Description) outs.description = found.Description;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    return outs;
}

export class IntentionProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.CheckResult> {
        const { failures } = validate(intentionSchema(), news);
        return { inputs: news, failures: failures as CheckFailure[] };
    }

    async diff(_id: string, olds: IntentionOutputs, news: IntentionInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        for (const key of ["source", "destination"] as const) {
            if (olds[key] !== news[key]) replaces.push(key);
        }
        if ((olds.sourcePeer ?? "") !== (news.sourcePeer ?? "")) replaces.push("sourcePeer");
        if (connectionTarget(olds.connection) !== connectionTarget(news.connection)) replaces.push("connection");
        if (olds.action !== news.action) changes.push("action");
        if ((olds.description ?? "") !== (news.description ?? "")) changes.push("description");
        if (canonical(olds.connection ?? {}) !== canonical(news.connection ?? {}) && !replaces.includes("connection")) {
            // Credentials or TLS settings changed: record them, nothing changes in Consul.
            changes.push("connection");
        }
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return {
            changes: replaces.length > 0 || changes.length > 0,
            replaces,
            deleteBeforeReplace: true,
        };
    }

    async create(inputs: IntentionInputs): Promise<dynamic.CreateResult> {
        const client = this.client(inputs.connection);
        const id = intentionId(inputs);
        await modifyEntry(client, inputs.destination, (entry) => {
            const existing = findSource(entry, inputs);
            if (existing && !inputs.adopt) {
                throw new Error(
                    `intention ${id} already exists in Consul at ${client.address}; set adopt: true to manage the existing intention, or remove it first`,
                );
            }
            const next: ServiceIntentionsEntry = entry ?? { Kind: "service-intentions", Name: inputs.destination, Sources: [] };
            next.Sources = next.Sources.filter((s) => s !== existing && sourceKey(s) !== sourceKey(sourceOf(inputs)));
            next.Sources.push(sourceOf(inputs));
            return next;
        });
        const outs = outputsFrom(await readEntry(client, inputs.destination), inputs);
        if (!outs) {
            throw new Error(`intention ${id} was written to ${client.address} but is not there on read-back`);
        }
        return { id, outs };
    }

    async read(id: string, props: IntentionOutputs): Promise<dynamic.ReadResult> {
        const client = this.client(props.connection);
        const outs = outputsFrom(await readEntry(client, props.destination), props);
        if (!outs) return {};
        const { precedence: _p, sourceType: _t, ...inputs } = outs;
        return { id, props: outs, inputs };
    }

    async update(_id: string, olds: IntentionOutputs, news: IntentionInputs): Promise<dynamic.UpdateResult> {
        const client = this.client(news.connection);
        await modifyEntry(client, news.destination, (entry) => {
            const next: ServiceIntentionsEntry = entry ?? { Kind: "service-intentions", Name: news.destination, Sources: [] };
            const key = sourceKey(sourceOf(news));
            const index = next.Sources.findIndex((s) => sourceKey(s) === key);
            // Keep fields we do not manage (e.g. LegacyID is dropped by writableEntry anyway).
            if (index >= 0) {
                const updated: ConsulSource = { ...next.Sources[index], Action: news.action, Type: "consul" };
                if (news.description) updated.Description = news.description;
                else delete updated.Description;
                delete updated.Permissions;
                next.Sources[index] = updated;
            } else {
                next.Sources.push(sourceOf(news));
            }
            return next;
        });
        const outs = outputsFrom(await readEntry(client, news.destination), news);
        if (!outs) {
            throw new Error(`intention ${intentionId(olds)} was written to ${client.address} but is not there on read-back`);
        }
        return { outs };
    }

    async delete(_id: string, props: IntentionOutputs): Promise<void> {
        const client = this.client(props.connection);
        await modifyEntry(client, props.destination, (entry) => {
            if (!entry) return undefined;
            const key = sourceKey({ Name: props.source, Peer: props.sourcePeer });
            return { ...entry, Sources: entry.Sources.filter((s) => sourceKey(s) !== key) };
        });
    }
}

/** The one provider instance every Intention shares (serialised once per stack). */
export const intentionProvider = new IntentionProvider();
