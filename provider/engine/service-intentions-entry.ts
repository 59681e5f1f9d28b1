// The `service-intentions` kind (Consul's single source of truth for all intentions of a
// destination) on top of the config-entry engine: its typed shape, its computed fields, and batched
// reads for refresh. Writes go through the engine (CAS, conflict retry, coalescing per entry), so
// pairs created in parallel by `pulumi up` never lose each other's sources.
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import {
    modifyConfigEntry,
    parseHeld,
    readConfigEntry,
    listConfigEntries,
    writeGeneration,
    type ConfigEntry,
    type EntryRef,
} from "./config-entry";
import { processState } from "../consul/process-state";
import { memoized } from "../model/validation";
import { consulSourceSchema } from "../model/intention-model";

declare module "../consul/process-state" {
    interface ProcessState {
        /** Batched reads of service-intentions entries, per cluster and token. */
        intentionReads: Map<string, TokenReads>;
    }
}

export { isOwned as isOwnedEntry, OWNER_META_KEY, OWNER_META_VALUE } from "./config-entry";

const KIND = "service-intentions";

function serviceIntentionsEntrySchema() {
    return z
        .object({
            Kind: z.literal(KIND),
            Name: z.string(),
            Sources: z
                .array(consulSourceSchema())
                .nullish()
                .transform((s) => s ?? []),
            Meta: z.record(z.string(), z.string()).optional(),
            JWT: z.unknown().optional(),
            CreateIndex: z.number().optional(),
            ModifyIndex: z.number().optional(),
        })
        .catchall(z.unknown());
}

export type ServiceIntentionsEntry = z.infer<ReturnType<typeof serviceIntentionsEntrySchema>>;

/** Built once: every entry read is parsed with it. */
const entrySchema = memoized(serviceIntentionsEntrySchema);

/** The engine's entry, typed as a service-intentions entry (a malformed one names its endpoint at `address`). */
export function asIntentionsEntry(entry: ConfigEntry, address: string): ServiceIntentionsEntry {
    return parseHeld(entrySchema(), entry, { kind: entry.Kind, name: entry.Name }, address);
}

/** Identity of a source inside an entry: (peer, name). Users' camelCase sources use the same key. */
export function sourceKey(source: { Name: string; Peer?: string } | { name: string; peer?: string }): string {
    return "Name" in source ? `${source.Peer ?? ""}/${source.Name}` : `${source.peer ?? ""}/${source.name}`;
}

const READ_ONLY_SOURCE_KEYS = ["Precedence", "LegacyID", "LegacyMeta", "LegacyCreateTime", "LegacyUpdateTime"];

/** Drops what Consul computes inside sources (precedence, legacy fields): the kind's normalisation hook. */
function stripSources(entry: ConfigEntry): ConfigEntry {
    const sources = entry.Sources;
    if (!Array.isArray(sources)) return entry;
    return {
        ...entry,
        Sources: sources.map((s: unknown) =>
            s !== null && typeof s === "object"
                ? Object.fromEntries(Object.entries(s).filter(([k]) => !READ_ONLY_SOURCE_KEYS.includes(k)))
                : s,
        ),
    };
}

/** The entry as it must be sent back: computed and legacy fields removed. */
export function writableEntry(entry: ServiceIntentionsEntry): ConfigEntry {
    const { CreateIndex: _c, ModifyIndex: _m, Hash: _h, ...rest } = entry;
    return stripSources(rest);
}

const ref = (destination: string): EntryRef => ({ kind: KIND, name: destination });

export async function readEntry(client: ConsulClient, destination: string): Promise<ServiceIntentionsEntry | undefined> {
    const entry = await readConfigEntry(client, ref(destination));
    return entry && asIntentionsEntry(entry, client.address);
}

// Batched reads for refresh: reads that arrive together are served by one list call
// (GET /v1/config/service-intentions), whose result then serves further reads for a short while.
// Any config-entry write this process makes to the same cluster invalidates it. An entry missing
// from the list is confirmed with its own GET, so an entry the token may not list is an error,
// never a silent "gone".
const READ_WINDOW_MS = 2;
const SNAPSHOT_TTL_MS = 2000;

interface ReadWaiter {
    resolve: (entry: ServiceIntentionsEntry | undefined) => void;
    reject: (err: unknown) => void;
}

/** Pending reads and the last listing, per cluster and token. */
export interface TokenReads {
    pending: Map<string, ReadWaiter[]>;
    scheduled: boolean;
    snapshot?: { generation: number; at: number; entries: Map<string, ServiceIntentionsEntry> };
}

function tokenReads(client: ConsulClient): TokenReads {
    const all = processState("intentionReads", () => new Map<string, TokenReads>());
    const key = JSON.stringify([client.address, client.conn.datacenter, client.conn.token ?? ""]);
    let reads = all.get(key);
    if (!reads) {
        reads = { pending: new Map(), scheduled: false };
        all.set(key, reads);
    }
    return reads;
}

function clone(entry: ServiceIntentionsEntry | undefined): ServiceIntentionsEntry | undefined {
    return entry === undefined ? undefined : entrySchema().parse(structuredClone(entry));
}

/** Reads an entry for `read()`; concurrent reads share one list call (see above). */
export function readEntryBatched(client: ConsulClient, destination: string): Promise<ServiceIntentionsEntry | undefined> {
    const reads = tokenReads(client);
    const snap = reads.snapshot;
    if (snap && snap.generation === writeGeneration(client) && Date.now() - snap.at < SNAPSHOT_TTL_MS) {
        const hit = snap.entries.get(destination);
        if (hit) return Promise.resolve(clone(hit));
    }
    return new Promise((resolve, reject) => {
        const waiters = reads.pending.get(destination) ?? [];
        waiters.push({ resolve, reject });
        reads.pending.set(destination, waiters);
        if (reads.scheduled) return;
        reads.scheduled = true;
        setTimeout(() => void flushReads(client, reads), READ_WINDOW_MS);
    });
}

async function flushReads(client: ConsulClient, reads: TokenReads): Promise<void> {
    reads.scheduled = false;
    const batch = reads.pending;
    reads.pending = new Map();
    let listed: Map<string, ServiceIntentionsEntry> | undefined;
    if (batch.size > 1) {
        const generation = writeGeneration(client);
        const at = Date.now();
        try {
            listed = new Map((await listConfigEntries(client, KIND)).map((e) => [e.Name, asIntentionsEntry(e, client.address)]));
            if (writeGeneration(client) === generation) reads.snapshot = { generation, at, entries: listed };
        } catch {
            listed = undefined; // fall back to one GET per destination, which reports its own error
        }
    }
    await Promise.all(
        [...batch].map(async ([destination, waiters]) => {
            try {
                const entry = listed?.get(destination) ?? (await readEntry(client, destination));
                waiters.forEach((w) => w.resolve(clone(entry)));
            } catch (err) {
                waiters.forEach((w) => w.reject(err));
            }
        }),
    );
}

/**
 * A change to an entry: gets a private copy of the current entry (undefined when absent) and
 * returns the entry to write, or undefined (or an entry with no sources) to delete it. May throw
 * to refuse (only this change fails; others in the same batch still apply).
 */
export type EntryMutation = (current: ServiceIntentionsEntry | undefined) => ServiceIntentionsEntry | undefined;

/**
 * Queues a mutation of the destination's entry and resolves once it is written (compare-and-set,
 * coalesced with concurrent changes of the same entry). With `readBack: true` it resolves with the
 * entry as Consul holds it after the write (undefined when the entry is gone). `shared`: the change
 * is one pair of an entry other resources write too (Intention), so it waits for theirs in flight.
 */
export async function modifyEntry(
    client: ConsulClient,
    destination: string,
    mutate: EntryMutation,
    opts: { readBack?: boolean; shared?: boolean } = {},
): Promise<ServiceIntentionsEntry | undefined> {
    const entry = await modifyConfigEntry(
        client,
        ref(destination),
        (current) => {
            const next = mutate(current && asIntentionsEntry(current, client.address));
            // Consul refuses an entry without sources: no source left means no entry.
            return next === undefined || next.Sources.length === 0 ? undefined : next;
        },
        { readBack: opts.readBack, shared: opts.shared, stripKind: stripSources, startFromListing: true },
    );
    return entry && asIntentionsEntry(entry, client.address);
}
