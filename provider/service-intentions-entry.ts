// Read-modify-write of one `service-intentions` config entry (Consul's single source of truth for
// all intentions of a destination). Writes use ?cas= with a bounded retry, and writes for the same
// destination from this provider process are queued and coalesced into one PUT, so pairs created
// in parallel by `pulumi up` never lose each other's sources.
import type { ConsulClient } from "./client";
import { ConsulApiError, isNotFound } from "./errors";
import { canonical } from "./validation";

/** A source as Consul stores it (fields we do not model are kept as they are). */
export interface ConsulSource {
    Name: string;
    Peer?: string;
    Action?: "allow" | "deny";
    Permissions?: unknown[];
    Description?: string;
    Type?: string;
    Precedence?: number;
    [key: string]: unknown;
}

export interface ServiceIntentionsEntry {
    Kind: "service-intentions";
    Name: string;
    Sources: ConsulSource[];
    Meta?: Record<string, string>;
    JWT?: unknown;
    CreateIndex?: number;
    ModifyIndex?: number;
    [key: string]: unknown;
}

/**
 * Ownership mark in the entry's Meta, written by ServiceIntentions (which owns the whole entry), as
 * consul-k8s marks what it manages. An Intention never writes into a marked entry.
 */
export const OWNER_META_KEY = "managed-by";
export const OWNER_META_VALUE = "consul-mesh";

export function isOwnedEntry(entry: ServiceIntentionsEntry | undefined): boolean {
    return entry?.Meta?.[OWNER_META_KEY] === OWNER_META_VALUE;
}

/** Identity of a source inside an entry: (peer, name). */
export function sourceKey(source: { Name: string; Peer?: string }): string {
    return `${source.Peer ?? ""}/${source.Name}`;
}

const READ_ONLY_ENTRY_KEYS = ["CreateIndex", "ModifyIndex", "Hash"];
const READ_ONLY_SOURCE_KEYS = ["Precedence", "LegacyID", "LegacyMeta", "LegacyCreateTime", "LegacyUpdateTime"];

/** The entry as it must be sent back: computed and legacy fields removed. */
export function writableEntry(entry: ServiceIntentionsEntry): ServiceIntentionsEntry {
    const out: ServiceIntentionsEntry = { ...entry, Sources: entry.Sources.map((s) => ({ ...s })) };
    for (const key of READ_ONLY_ENTRY_KEYS) delete out[key];
    for (const source of out.Sources) {
        for (const key of READ_ONLY_SOURCE_KEYS) delete source[key];
    }
    return out;
}

export async function readEntry(client: ConsulClient, destination: string): Promise<ServiceIntentionsEntry | undefined> {
    try {
        const res = await client.get<ServiceIntentionsEntry>(`/v1/config/service-intentions/${encodeURIComponent(destination)}`);
        return res.body;
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

// Batched reads for refresh: reads that arrive together are served by one list call
// (GET /v1/config/service-intentions), whose result then serves further reads for a short while.
// Any write this process makes through the same address and datacenter invalidates it. An entry
// missing from the list is confirmed with its own GET, so an entry the token may not list is an
// error, never a silent "gone".
const READ_WINDOW_MS = 2;
const SNAPSHOT_TTL_MS = 2000;

interface ReadWaiter {
    resolve: (entry: ServiceIntentionsEntry | undefined) => void;
    reject: (err: unknown) => void;
}

interface TokenReads {
    pending: Map<string, ReadWaiter[]>;
    scheduled: boolean;
    snapshot?: { generation: number; at: number; entries: Map<string, ServiceIntentionsEntry> };
}

interface ClusterReads {
    /** Bumped after every write through this address and datacenter. */
    generation: number;
    byToken: Map<string, TokenReads>;
}

function clusterReads(client: ConsulClient): ClusterReads {
    const g = globalThis as unknown as { __consulMeshEntryReads?: Map<string, ClusterReads> };
    g.__consulMeshEntryReads ??= new Map();
    const key = JSON.stringify([client.address, client.conn.datacenter]);
    let cluster = g.__consulMeshEntryReads.get(key);
    if (!cluster) {
        cluster = { generation: 0, byToken: new Map() };
        g.__consulMeshEntryReads.set(key, cluster);
    }
    return cluster;
}

function tokenReads(client: ConsulClient): { cluster: ClusterReads; reads: TokenReads } {
    const cluster = clusterReads(client);
    const token = client.conn.token ?? "";
    let reads = cluster.byToken.get(token);
    if (!reads) {
        reads = { pending: new Map(), scheduled: false };
        cluster.byToken.set(token, reads);
    }
    return { cluster, reads };
}

/** Reads an entry for `read()`; concurrent reads share one list call (see above). */
export function readEntryBatched(client: ConsulClient, destination: string): Promise<ServiceIntentionsEntry | undefined> {
    const { cluster, reads } = tokenReads(client);
    const snap = reads.snapshot;
    if (snap && snap.generation === cluster.generation && Date.now() - snap.at < SNAPSHOT_TTL_MS) {
        const hit = snap.entries.get(destination);
        if (hit) return Promise.resolve(clone(hit));
    }
    return new Promise((resolve, reject) => {
        const waiters = reads.pending.get(destination) ?? [];
        waiters.push({ resolve, reject });
        reads.pending.set(destination, waiters);
        if (reads.scheduled) return;
        reads.scheduled = true;
        setTimeout(() => void flushReads(client, cluster, reads), READ_WINDOW_MS);
    });
}

async function flushReads(client: ConsulClient, cluster: ClusterReads, reads: TokenReads): Promise<void> {
    reads.scheduled = false;
    const batch = reads.pending;
    reads.pending = new Map();
    let listed: Map<string, ServiceIntentionsEntry> | undefined;
    if (batch.size > 1) {
        const generation = cluster.generation;
        const at = Date.now();
        try {
            const res = await client.get<ServiceIntentionsEntry[]>("/v1/config/service-intentions");
            listed = new Map((res.body ?? []).map((e) => [e.Name, e]));
            if (cluster.generation === generation) reads.snapshot = { generation, at, entries: listed };
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
 * returns the entry to write, or undefined to delete it. May throw to refuse (only this change
 * fails; others in the same batch still apply).
 */
export type EntryMutation = (current: ServiceIntentionsEntry | undefined) => ServiceIntentionsEntry | undefined;

interface Pending {
    mutate: EntryMutation;
    readBack: boolean;
    resolve: (entry: ServiceIntentionsEntry | undefined) => void;
    reject: (err: unknown) => void;
}

interface Queue {
    pending: Pending[];
    running: boolean;
}

function queues(): Map<string, Queue> {
    const g = globalThis as unknown as { __consulMeshEntryQueues?: Map<string, Queue> };
    g.__consulMeshEntryQueues ??= new Map();
    return g.__consulMeshEntryQueues;
}

const MAX_CAS_ATTEMPTS = 12;

function clone(entry: ServiceIntentionsEntry | undefined): ServiceIntentionsEntry | undefined {
    return entry === undefined ? undefined : (JSON.parse(JSON.stringify(entry)) as ServiceIntentionsEntry);
}

interface BatchResult {
    /** The error of each mutation (or undefined). */
    errors: unknown[];
    /** The entry after the batch, read back from Consul when a caller asked for it. */
    entry?: ServiceIntentionsEntry;
}

/** Applies one batch of mutations in a single CAS write. */
async function applyBatch(client: ConsulClient, destination: string, batch: Pending[]): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
        const current = await readEntry(client, destination);
        let next = clone(current);
        const errors: unknown[] = [];
        for (const item of batch) {
            try {
                const candidate = item.mutate(clone(next));
                next = candidate;
                errors.push(undefined);
            } catch (err) {
                errors.push(err);
            }
        }
        const cas = current?.ModifyIndex ?? 0;
        if (current !== undefined && next !== undefined && canonical(writableEntry(next)) === canonical(writableEntry(current))) {
            return { errors, entry: current }; // nothing to change: no write at all
        }
        let ok: boolean;
        const deleting = next === undefined || next.Sources.length === 0;
        try {
            if (deleting) {
                if (current === undefined) return { errors };
                const res = await client.delete<boolean | Record<string, never>>(
                    `/v1/config/service-intentions/${encodeURIComponent(destination)}`,
                    { query: { cas } },
                );
                ok = res.body !== false;
            } else {
                const res = await client.put<boolean>("/v1/config", writableEntry(next!), { query: { cas } });
                ok = res.body === true;
            }
        } finally {
            clusterReads(client).generation++; // batched reads must not serve what was listed before this write
        }
        if (ok) {
            const wanted = !deleting && batch.some((item) => item.readBack);
            return { errors, entry: wanted ? await readEntry(client, destination) : undefined };
        }
        if (attempt >= MAX_CAS_ATTEMPTS) {
            throw new ConsulApiError(
                "PUT",
                `/v1/config (service-intentions/${destination})`,
                409,
                `the entry kept changing under us: ${MAX_CAS_ATTEMPTS} compare-and-set attempts failed`,
                client.address,
            );
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * Math.random()));
    }
}

/**
 * Queues a mutation of the destination's entry and resolves once it is written. With
 * `readBack: true` it resolves with the entry as Consul holds it after the write, read once per
 * coalesced batch (undefined when the entry is gone).
 */
export function modifyEntry(
    client: ConsulClient,
    destination: string,
    mutate: EntryMutation,
    opts: { readBack?: boolean } = {},
): Promise<ServiceIntentionsEntry | undefined> {
    // Callers with different tokens get separate queues, so each write runs with its own credentials.
    const key = JSON.stringify([client.address, client.conn.datacenter, client.conn.token, destination]);
    const all = queues();
    let queue = all.get(key);
    if (!queue) {
        queue = { pending: [], running: false };
        all.set(key, queue);
    }
    const q = queue;
    return new Promise<ServiceIntentionsEntry | undefined>((resolve, reject) => {
        q.pending.push({ mutate, readBack: opts.readBack ?? false, resolve, reject });
        if (q.running) return;
        q.running = true;
        void (async () => {
            try {
                while (q.pending.length > 0) {
                    const batch = q.pending.splice(0);
                    try {
                        const { errors, entry } = await applyBatch(client, destination, batch);
                        batch.forEach((item, i) => (errors[i] === undefined ? item.resolve(clone(entry)) : item.reject(errors[i])));
                    } catch (err) {
                        batch.forEach((item) => item.reject(err));
                    }
                }
            } finally {
                q.running = false;
                all.delete(key);
            }
        })();
    });
}
