// The one engine for Consul config entries (`/v1/config`, every kind): read with "not found",
// compare-and-set writes (?cas=<ModifyIndex>, cas=0 to create) retried from a fresh read on
// conflict, the consul-mesh ownership mark, delete with CAS, and what happens after a write: the
// entry is read back once and, if anything fails from there on, the write is undone with CAS (so
// that a failed create leaves nothing behind and never deletes someone else's later change).
// Writes to one entry from this process are queued and coalesced into one CAS write per batch, so
// resources that share an entry (Intentions of one destination) never lose each other's changes.
import { z } from "zod";
import { AnswerShapeError, type ConsulClient } from "../consul/client";
import { ConsulApiError, isNotFound } from "../consul/errors";
import { processState } from "../consul/process-state";
import { writtenValues } from "../model/credentials";
import { canonical, memoized } from "../model/validation";

declare module "../consul/process-state" {
    interface ProcessState {
        /** Per-entry write queues: writes to one entry from this process are serialised and coalesced. */
        entryQueues: Map<string, EntryQueue>;
        /** What this process last learnt of an entry by its own write, per cluster and entry. */
        entryLastKnown: Map<string, ConfigEntry | null | "changed">;
        /** One listing of a config-entry kind, per cluster, token and kind, with when it was taken. */
        entryListings: Map<string, { at: number; entries: Promise<Map<string, ConfigEntry> | undefined> }>;
        /** Config-entry writes sent, per cluster. */
        entryWrites: Map<string, number>;
    }
}

/** A config entry as Consul returns it; fields a kind does not model are kept as they are. */
export interface ConfigEntry {
    Kind: string;
    Name: string;
    Meta?: Record<string, string>;
    CreateIndex?: number;
    ModifyIndex?: number;
    [key: string]: unknown;
}

/** Which entry: its kind and name. */
export interface EntryRef {
    kind: string;
    name: string;
}

/**
 * Ownership mark in an entry's Meta, written by the resources that own a whole entry
 * (ServiceIntentions, ServiceDefaults), as consul-k8s marks what it manages.
 */
export const OWNER_META_KEY = "managed-by";
export const OWNER_META_VALUE = "consul-mesh";

export function isOwned(entry: ConfigEntry | undefined): boolean {
    return entry?.Meta?.[OWNER_META_KEY] === OWNER_META_VALUE;
}

/** `meta` with the ownership mark added. */
export function withOwnerMark(meta: Record<string, string> | undefined): Record<string, string> {
    return { ...(meta ?? {}), [OWNER_META_KEY]: OWNER_META_VALUE };
}

/** The entry's Meta without the ownership mark; undefined when nothing else is left. */
export function metaWithoutMark(entry: ConfigEntry): Record<string, string> | undefined {
    const meta = Object.fromEntries(Object.entries(entry.Meta ?? {}).filter(([k]) => k !== OWNER_META_KEY));
    return Object.keys(meta).length > 0 ? meta : undefined;
}

export function entryPath(ref: EntryRef): string {
    return `/v1/config/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.name)}`;
}

function entrySchemaOf() {
    return z
        .object({
            Kind: z.string(),
            Name: z.string(),
            Meta: z
                .record(z.string(), z.string())
                .nullish()
                .transform((m) => m ?? undefined),
            CreateIndex: z.number().optional(),
            ModifyIndex: z.number().optional(),
        })
        .catchall(z.unknown());
}

/**
 * Kinds whose entry has no Name field in Consul's API (a singleton: Consul refuses a Name on write
 * and answers without one); the engine still names them, by their fixed name.
 */
const NAMELESS_KINDS = ["mesh"];

/** Built once: every entry read is parsed with it. */
const entrySchema = memoized(entrySchemaOf);

/** Where an entry was read: a malformed one is then a ConsulApiError naming the endpoint. */
interface ReadFrom {
    client: ConsulClient;
    path: string;
}

/**
 * Validates what Consul answered (no cast of the untyped body); a nameless kind gets `name`. A
 * malformed entry is an AnswerShapeError naming the endpoint it came from and the fields, never
 * their values.
 */
export function parseEntry(body: unknown, name?: string, from?: ReadFrom): ConfigEntry {
    const named = name !== undefined && typeof body === "object" && body !== null && !("Name" in body) ? { ...body, Name: name } : body;
    const parsed = entrySchema().safeParse(named);
    if (!parsed.success) {
        throw new AnswerShapeError("GET", from?.path ?? "/v1/config", from?.client.address ?? "(unknown address)", parsed.error.issues);
    }
    const { Meta, ...rest } = parsed.data;
    return Meta === undefined ? rest : { ...rest, Meta };
}

/**
 * Parses part of an entry Consul answered with a kind's own schema: a mismatch is an
 * AnswerShapeError naming the entry's endpoint (as for a malformed entry), never a raw ZodError.
 */
export function parseHeld<S extends z.ZodType>(schema: S, value: unknown, entry: EntryRef, address: string): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new AnswerShapeError("GET", entryPath(entry), address, parsed.error.issues);
    return parsed.data;
}

/** The body to PUT: without the Name of a nameless kind. */
function toWrite(entry: ConfigEntry): Record<string, unknown> {
    if (!NAMELESS_KINDS.includes(entry.Kind)) return entry;
    const { Name: _name, ...rest } = entry;
    return rest;
}

/** The entry, or undefined when Consul has none (404). */
export async function readConfigEntry(client: ConsulClient, ref: EntryRef): Promise<ConfigEntry | undefined> {
    try {
        const path = entryPath(ref);
        return parseEntry((await client.get(path, z.unknown())).body, NAMELESS_KINDS.includes(ref.kind) ? ref.name : undefined, {
            client,
            path,
        });
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

/** The answer shapes of a list, a write and a delete, built once (a write is one call per resource). */
const listAnswer = memoized(() => z.array(z.unknown()).nullish());
const writeAnswer = memoized(() => z.boolean());
// Consul answers a delete with true/false, or {"Deleted": bool} on newer versions.
const deleteAnswer = memoized(() => z.union([z.boolean(), z.object({ Deleted: z.boolean() }).loose()]));

/** Every entry of a kind. */
export async function listConfigEntries(client: ConsulClient, kind: string): Promise<ConfigEntry[]> {
    const path = `/v1/config/${encodeURIComponent(kind)}`;
    const body = (await client.get(path, listAnswer())).body;
    return (body ?? []).map((e) => parseEntry(e, NAMELESS_KINDS.includes(kind) ? kind : undefined, { client, path }));
}

const READ_ONLY_KEYS = ["CreateIndex", "ModifyIndex", "Hash"];

/**
 * What Consul stores back, normalised for comparison and for writing: computed fields removed, plus
 * the kind's own computed fields (`stripKind`, e.g. a source's Precedence).
 */
export function writable(entry: ConfigEntry, stripKind?: (entry: ConfigEntry) => ConfigEntry): ConfigEntry {
    const out: ConfigEntry = { ...entry };
    for (const key of READ_ONLY_KEYS) delete out[key];
    return stripKind ? stripKind(out) : out;
}

/**
 * An entry in comparable form: what Consul stores back for what was written. Consul answers with
 * the zero values of fields nobody set (service-defaults' `Expose: {}`, `MeshGateway: {}`, ...) and
 * drops empty strings (omitempty), so empty objects, empty lists, null and "" are removed, deeply.
 */
export function comparable(entry: ConfigEntry | undefined, stripKind?: (entry: ConfigEntry) => ConfigEntry): string {
    return entry === undefined ? "" : canonical(withoutEmpty(writable(entry, stripKind)));
}

function withoutEmpty(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutEmpty);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const kept = withoutEmpty(v);
            const empty =
                kept === undefined ||
                kept === null ||
                kept === "" ||
                (Array.isArray(kept) && kept.length === 0) ||
                (typeof kept === "object" && kept !== null && !Array.isArray(kept) && Object.keys(kept).length === 0);
            if (!empty) out[k] = kept;
        }
        return out;
    }
    return value;
}

/** Top-level fields in which two entries differ (for "already exists and differs" errors). */
export function differingFields(a: ConfigEntry, b: ConfigEntry): string[] {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !READ_ONLY_KEYS.includes(k)).sort();
    return keys.filter((k) => canonical(withoutEmpty({ v: a[k] })) !== canonical(withoutEmpty({ v: b[k] })));
}

/**
 * A change to one entry: gets a private copy of the current entry (undefined when absent) and
 * returns the entry to write, or undefined to delete it. Runs again on every compare-and-set
 * attempt, against a fresh read, so every rule it applies (ownership mark, "already exists") is
 * checked on every attempt. May throw to refuse: only this change fails, others of its batch apply.
 */
export type EntryMutation = (current: ConfigEntry | undefined) => ConfigEntry | undefined;

export interface ModifyOptions {
    /** Resolve with the entry as Consul holds it after the write (read once per batch). */
    readBack?: boolean;
    /** The kind's own computed fields to drop before comparing and writing. */
    stripKind?: (entry: ConfigEntry) => ConfigEntry;
    /**
     * Start from one shared listing of the kind instead of a read per entry (see startingPoint):
     * for kinds whose entries are written many at a time (service-intentions).
     */
    startFromListing?: boolean;
    /**
     * Scrub every string value of what is written (and of what it replaces) from error text: for
     * kinds whose values may be credentials (a free-form entry, a key set, proxy config).
     */
    scrubWrittenValues?: boolean;
    /**
     * Other resources change parts of this entry too (Intention pairs, exported-service pairs): the
     * batch waits for their changes in flight (see collect) so that they share one read and one write.
     * A resource that owns its whole entry does not wait: nothing else is coming for it.
     */
    shared?: boolean;
}

/**
 * Test-only hook, run after a successful write and its read-back: a throw stands for any failure
 * after the write (read-back, encoding). Production code never sets it.
 */
export const afterWriteHook: { run?: (ref: EntryRef, written: ConfigEntry | undefined) => void | Promise<void> } = {};

function clusterKey(client: ConsulClient): string {
    return JSON.stringify([client.address, client.conn.datacenter]);
}

/**
 * How many config-entry writes this process has sent to the client's cluster: a cached listing
 * taken at another count may be stale (service-intentions' batched reads).
 */
export function writeGeneration(client: ConsulClient): number {
    return processState("entryWrites", () => new Map<string, number>()).get(clusterKey(client)) ?? 0;
}

function countWrite(client: ConsulClient): void {
    const writes = processState("entryWrites", () => new Map<string, number>());
    writes.set(clusterKey(client), (writes.get(clusterKey(client)) ?? 0) + 1);
}

interface Pending {
    mutate: EntryMutation;
    opts: ModifyOptions;
    resolve: (entry: ConfigEntry | undefined) => void;
    reject: (err: unknown) => void;
}

export interface EntryQueue {
    pending: Pending[];
    running: boolean;
}

const MAX_CAS_ATTEMPTS = 12;

function clone(entry: ConfigEntry | undefined): ConfigEntry | undefined {
    return entry === undefined ? undefined : structuredClone(entry);
}

interface BatchResult {
    errors: unknown[];
    entry?: ConfigEntry;
}

/** One compare-and-set attempt: true when Consul applied it, false on a CAS conflict. */
async function casWrite(
    client: ConsulClient,
    ref: EntryRef,
    current: ConfigEntry | undefined,
    next: ConfigEntry | undefined,
    opts: ModifyOptions = {},
) {
    const cas = current?.ModifyIndex ?? 0;
    const secrets = opts.scrubWrittenValues ? [...writtenValues(next), ...writtenValues(current)] : undefined;
    try {
        if (next === undefined) {
            const res = await client.delete(entryPath(ref), deleteAnswer(), { query: { cas }, secrets });
            return res.body === true || (typeof res.body === "object" && res.body.Deleted);
        }
        const res = await client.put("/v1/config", toWrite(next), writeAnswer(), { query: { cas }, secrets });
        return res.body === true;
    } finally {
        countWrite(client);
    }
}

/**
 * A failure after a write that could not be undone: the write stays in Consul, so a create must be
 * recorded in the stack (with the id) rather than forgotten.
 */
export class WriteLeftInConsulError extends Error {
    override readonly name = "WriteLeftInConsulError";
}

/**
 * Puts the entry back as it was before our write (`before`), only if it still is exactly what we
 * wrote (`written`): a compare-and-set on its current index, so a later change by anyone is kept.
 * Returns a sentence for the error message.
 */
async function undoWrite(
    client: ConsulClient,
    ref: EntryRef,
    before: ConfigEntry | undefined,
    written: ConfigEntry,
    opts: ModifyOptions,
): Promise<{ undone: boolean; why: string }> {
    try {
        const now = await readConfigEntry(client, ref);
        if (!now || comparable(now, opts.stripKind) !== comparable(written, opts.stripKind)) {
            return {
                undone: false,
                why: "The entry changed after our write, so it was left as it is (nothing of anyone else's was undone).",
            };
        }
        const restored = await casWrite(client, ref, now, before === undefined ? undefined : writable(before, opts.stripKind), opts);
        return restored
            ? { undone: true, why: "The write was undone: Consul holds what it held before." }
            : { undone: false, why: "The write could not be undone (the entry changed meanwhile); it was left as it is." };
    } catch (err) {
        return { undone: false, why: `Undoing the write failed too: ${err instanceof Error ? err.message : String(err)}` };
    }
}

/**
 * What this process last learnt of an entry by its own writes, per cluster and entry: the entry as
 * read back after a write (ModifyIndex included), `null` after deleting it, or "changed" after a
 * write that was not read back (the index is unknown: read it again).
 */
function lastKnown(): Map<string, ConfigEntry | null | "changed"> {
    return processState("entryLastKnown", () => new Map<string, ConfigEntry | null | "changed">());
}

function entryKey(client: ConsulClient, ref: EntryRef): string {
    return JSON.stringify([client.address, client.conn.datacenter, ref.kind, ref.name]);
}

/** How long one listing of a kind serves as the starting guess of later batches. */
const LISTING_TTL_MS = 10_000;

/** One listing of the kind per cluster and token, shared by the batches that start in LISTING_TTL_MS; undefined when it failed. */
function listedEntries(client: ConsulClient, kind: string): Promise<Map<string, ConfigEntry> | undefined> {
    const all = processState(
        "entryListings",
        () => new Map<string, { at: number; entries: Promise<Map<string, ConfigEntry> | undefined> }>(),
    );
    const key = JSON.stringify([client.address, client.conn.datacenter, client.conn.token ?? "", kind]);
    const found = all.get(key);
    if (found && Date.now() - found.at < LISTING_TTL_MS) return found.entries;
    const entries = listConfigEntries(client, kind).then(
        (list) => new Map(list.map((e) => [e.Name, e])),
        () => undefined, // no listing (a token that may not list, say): every batch reads its entry
    );
    all.set(key, { at: Date.now(), entries });
    return entries;
}

/**
 * Where a batch starts: a guess, when there is one, or a fresh read. The guess is what this
 * process last learnt by its own write (above) or, with `listed`, the kind's shared listing.
 * Compare-and-set makes a guess safe: a write from a stale guess fails and the batch starts over
 * from a fresh read; a batch that would write nothing, or that refuses every change, re-reads
 * before concluding. So one `pulumi up` of many entries reads each entry at most once (its
 * read-back), plus one listing.
 */
async function startingPoint(client: ConsulClient, ref: EntryRef, listed: boolean): Promise<{ guess?: ConfigEntry | null }> {
    const known = lastKnown();
    const key = entryKey(client, ref);
    const mine = known.get(key);
    known.delete(key);
    if (mine === "changed") return {};
    if (mine !== undefined) return { guess: mine };
    if (!listed) return {};
    const listing = await listedEntries(client, ref.kind);
    return listing ? { guess: listing.get(ref.name) ?? null } : {};
}

async function applyBatch(client: ConsulClient, ref: EntryRef, batch: Pending[]): Promise<BatchResult> {
    const stripKind = batch.find((p) => p.opts.stripKind)?.opts.stripKind;
    const opts: ModifyOptions = { stripKind, scrubWrittenValues: batch.some((p) => p.opts.scrubWrittenValues) };
    const known = lastKnown();
    const key = entryKey(client, ref);
    let { guess } = await startingPoint(
        client,
        ref,
        batch.some((p) => p.opts.startFromListing),
    );
    for (let attempt = 1; ; attempt++) {
        const guessed = guess !== undefined;
        const current = guessed ? clone(guess ?? undefined) : await readConfigEntry(client, ref);
        guess = undefined;
        let next = clone(current);
        const errors: unknown[] = [];
        for (const item of batch) {
            try {
                next = item.mutate(clone(next));
                errors.push(undefined);
            } catch (err) {
                errors.push(err);
            }
        }
        const wanted = next === undefined ? undefined : writable(next, stripKind);
        if (current !== undefined && wanted !== undefined && comparable(wanted) === comparable(current, stripKind)) {
            if (guessed) continue; // confirm from a fresh read before concluding that nothing is to be written
            return { errors, entry: current }; // nothing to change: no write at all
        }
        if (current === undefined && wanted === undefined) {
            if (guessed) continue; // the same: "absent" may be a stale guess
            return { errors };
        }
        if (await casWrite(client, ref, current, wanted, opts)) {
            if (wanted === undefined) {
                known.set(key, null);
                return { errors };
            }
            const readBack = batch.some((item) => item.opts.readBack);
            try {
                const entry = readBack ? await readConfigEntry(client, ref) : undefined;
                if (readBack && entry === undefined) {
                    throw new Error(`${ref.kind} "${ref.name}" was written to ${client.address} but is not there on read-back`);
                }
                await afterWriteHook.run?.(ref, entry);
                known.set(key, entry === undefined ? "changed" : clone(entry)!);
                return { errors, entry };
            } catch (err) {
                const { undone, why } = await undoWrite(client, ref, current, wanted, opts);
                const message = `${err instanceof Error ? err.message : String(err)}\n${why}`;
                throw undone ? new Error(message, { cause: err }) : new WriteLeftInConsulError(message, { cause: err });
            }
        }
        if (guessed) continue; // the guess was stale: start over from a fresh read, no backoff needed
        if (attempt >= MAX_CAS_ATTEMPTS) {
            throw new ConsulApiError(
                "PUT",
                `/v1/config (${ref.kind}/${ref.name})`,
                409,
                `the entry kept changing under us: ${MAX_CAS_ATTEMPTS} compare-and-set attempts failed`,
                client.address,
            );
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * Math.random()));
    }
}

/**
 * How long a batch of a shared entry waits for more changes of it before it is written: until none
 * has arrived for COLLECT_QUIET_MS, at most COLLECT_MAX_MS. The engine sends the operations of one
 * run a few milliseconds apart (and at most `--parallel` at a time), so without this wait most
 * batches held one change; with it, the changes in flight for one entry share one read and one
 * write. Only batches with a `shared` change wait: for an entry one resource owns whole, the wait
 * was pure latency (25 ms per write; issue 30's (a)/(d) destroy and up).
 */
const COLLECT_QUIET_MS = 25;
const COLLECT_MAX_MS = 250;

async function collect(q: EntryQueue): Promise<void> {
    const started = Date.now();
    for (let seen = -1; seen !== q.pending.length && Date.now() - started < COLLECT_MAX_MS;) {
        seen = q.pending.length;
        await new Promise((r) => setTimeout(r, COLLECT_QUIET_MS));
    }
}

/**
 * Queues a change of one entry and resolves once it is written (with the entry read back when
 * `readBack` is set; undefined when the entry is gone or was not asked for).
 */
export function modifyConfigEntry(client: ConsulClient, ref: EntryRef, mutate: EntryMutation, opts: ModifyOptions = {}) {
    // Callers with different tokens get separate queues, so each write runs with its own credentials.
    const key = JSON.stringify([client.address, client.conn.datacenter, client.conn.token, ref.kind, ref.name]);
    const all = processState("entryQueues", () => new Map<string, EntryQueue>());
    let queue = all.get(key);
    if (!queue) {
        queue = { pending: [], running: false };
        all.set(key, queue);
    }
    const q = queue;
    return new Promise<ConfigEntry | undefined>((resolve, reject) => {
        q.pending.push({ mutate, opts, resolve, reject });
        if (q.running) return;
        q.running = true;
        void (async () => {
            try {
                while (q.pending.length > 0) {
                    if (q.pending.some((p) => p.opts.shared)) await collect(q);
                    const batch = q.pending.splice(0);
                    try {
                        const { errors, entry } = await applyBatch(client, ref, batch);
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

/** Deletes the entry with CAS if `mayDelete` allows what is there (gone already is success). */
export async function deleteConfigEntry(
    client: ConsulClient,
    ref: EntryRef,
    mayDelete: (current: ConfigEntry) => boolean = () => true,
): Promise<void> {
    await modifyConfigEntry(client, ref, (current) => (current === undefined || mayDelete(current) ? undefined : current));
}

/**
 * The rule for a create that finds the entry there already: identical to what it would write
 * (its own earlier attempt whose answer was lost, or a twin) is success; different is refused with
 * the differing fields named, unless the resource adopts it.
 */
export function alreadyExistsError(
    what: string,
    address: string,
    found: ConfigEntry,
    wanted: ConfigEntry,
    hint: string,
    stripKind?: (entry: ConfigEntry) => ConfigEntry,
): Error | undefined {
    const fields = differingFields(writable(found, stripKind), writable(wanted, stripKind));
    if (fields.length === 0) return undefined;
    const who = isOwned(found)
        ? "it is marked as managed by consul-mesh (another stack, or a lost state?)"
        : "it was created outside consul-mesh";
    return new Error(`${what} already exists at ${address} and differs from the declared one in ${fields.join(", ")}: ${who}; ${hint}`);
}

/** Removes `undefined` everywhere inside `value` (in place), leaving only what the dynamic-provider host can encode ("Unexpected struct type" otherwise). */
export function dropUndefined(value: unknown): void {
    if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
            if (value[i] === undefined) value.splice(i, 1);
            else dropUndefined(value[i]);
        }
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (v === undefined) Reflect.deleteProperty(value, k);
            else dropUndefined(v);
        }
    }
}
