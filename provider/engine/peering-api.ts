// What PeeringToken and Peering share: Consul's peering object, GET/DELETE with a bounded wait until
// a deletion has really finished (Consul deletes asynchronously), the "is this peering still usable"
// rule used by read() for drift, and the zod rules for peer names and meta.
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, type ConnectionInput } from "../consul/connection";
import { ConsulApiError, isNotFound, where as clusterWhere } from "../consul/errors";
import { metaSchema as namesMetaSchema } from "../model/names";
import { containsUnknown, isUnknown, UNKNOWN, validate } from "../model/validation";

export { PEER_NAME, peerName as peerNameSchema } from "../model/names";

/** `api.Peering` as Consul returns it from `GET /v1/peering/:name` (fields we use). */
/** A peering as Consul answers it. */
export function apiPeeringSchema() {
    const text = z.string().nullish();
    return z
        .object({
            ID: z.string(),
            Name: z.string(),
            State: z.string(),
            DeletedAt: text,
            Meta: z.record(z.string(), z.string()).nullish(),
            PeerID: z.string().optional(),
            PeerServerName: z.string().optional(),
            PeerServerAddresses: z.array(z.string()).nullish(),
            StreamStatus: z
                .object({
                    ImportedServices: z.array(z.string()).nullish(),
                    ExportedServices: z.array(z.string()).nullish(),
                    LastHeartbeat: text,
                    LastReceive: text,
                    LastSend: text,
                })
                .loose()
                .nullish(),
            Remote: z.object({ Partition: z.string().optional(), Datacenter: z.string().optional() }).loose().nullish(),
        })
        .loose();
}
export type ApiPeering = z.infer<ReturnType<typeof apiPeeringSchema>>;

/** States in which a peering no longer works and will not recover by itself (FAILING may: Consul keeps retrying). */
const DEAD_STATES = ["DELETING", "TERMINATED"];

/** Consul's meta rules for peerings (agent/structs.ValidateMetaTags). */
export function metaSchema() {
    return namesMetaSchema("peering");
}

/** The peering, or undefined when Consul has none of that name (404). */
export async function getPeering(client: ConsulClient, name: string): Promise<ApiPeering | undefined> {
    try {
        return (await client.get(`/v1/peering/${encodeURIComponent(name)}`, apiPeeringSchema())).body;
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

/**
 * True when the peering is deleted, being deleted or terminated by the peer: states it cannot come
 * back from. A FAILING peering is not dead: its stream broke and Consul keeps re-dialing it.
 */
export function isDead(p: ApiPeering | undefined): boolean {
    return p === undefined || !!p.DeletedAt || DEAD_STATES.includes(p.State);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls the peering until `done` says so or the time is up; returns the last peering seen
 * (undefined = 404) and whether `done` was reached.
 */
export async function pollPeering(
    client: ConsulClient,
    name: string,
    done: (p: ApiPeering | undefined) => boolean,
    timeoutMs: number,
): Promise<{ peering: ApiPeering | undefined; reached: boolean }> {
    const deadline = Date.now() + timeoutMs;
    let delay = 100;
    for (;;) {
        const peering = await getPeering(client, name);
        if (done(peering)) return { peering, reached: true };
        if (Date.now() >= deadline) return { peering, reached: false };
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
        delay = Math.min(delay * 2, 1000);
    }
}

/** Default bound for waiting until a deleted peering is really gone. */
export const DELETE_TIMEOUT_MS = 60_000;

/**
 * DELETEs the peering (a no-op in Consul when it is missing) and waits until GET answers 404.
 * Consul only marks it DELETING (`DeletedAt`) and removes it in a leader routine, and the name cannot
 * be reused before that. The mark can be lost: when the peer's own deletion reaches this cluster at
 * the same moment, Consul writes the peering TERMINATED over it and keeps it for good (seen with
 * six clusters destroyed at once). So while the peering is there without the mark, DELETE again
 * (idempotent), at most once a second, within the same bound.
 */
export async function deletePeeringAndWait(client: ConsulClient, name: string, timeoutMs = DELETE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const sent = Date.now();
        await client.delete(`/v1/peering/${encodeURIComponent(name)}`, z.unknown());
        const { peering, reached } = await pollPeering(
            client,
            name,
            (p) => p === undefined || (!p.DeletedAt && Date.now() - sent >= REDELETE_AFTER_MS),
            Math.max(0, deadline - Date.now()),
        );
        if (reached && peering === undefined) return;
        if (!reached || Date.now() >= deadline) {
            throw new Error(
                `peering "${name}" at ${client.where} was deleted but is still there after ${Math.round(timeoutMs / 1000)} s ` +
                    `(state ${peering?.State ?? "unknown"}); Consul removes it in the background, try again shortly`,
            );
        }
    }
}

/** How long after a DELETE a peering still without its deletion mark is deleted again. */
const REDELETE_AFTER_MS = 1000;

/**
 * What Consul tells about a peering that is not ACTIVE. Its HTTP API does not expose the stream's
 * error (that is in the servers' log), only when the stream last heard from the peer.
 */
export function describeState(p: ApiPeering): string {
    const seen = (label: string, at: string | null | undefined) =>
        at && !at.startsWith("0001-01-01") ? `${label} ${at}` : `${label} never`;
    const stream = p.StreamStatus ?? {};
    const parts: string[] = [];
    if (p.State === "FAILING") {
        parts.push("the stream to the peer broke and Consul keeps re-dialing it (the servers' log says why)");
    }
    parts.push(seen("last heartbeat", stream.LastHeartbeat), seen("last receive", stream.LastReceive));
    return `Consul reports ${p.State}: ${parts.join(", ")}`;
}

/** Lengths of the stream status lists (Consul dropped ImportedServiceCount/ExportedServiceCount). */
export function serviceCounts(p: ApiPeering): { importedServiceCount: number; exportedServiceCount: number } {
    return {
        importedServiceCount: p.StreamStatus?.ImportedServices?.length ?? 0,
        exportedServiceCount: p.StreamStatus?.ExportedServices?.length ?? 0,
    };
}

/** Meta as the user would write it: undefined when empty. */
export function metaOf(p: ApiPeering): Record<string, string> | undefined {
    return p.Meta && Object.keys(p.Meta).length > 0 ? { ...p.Meta } : undefined;
}

/** The decoded contents of a peering token that we look at (never the secret). */
export interface TokenSummary {
    serverAddresses: string[];
    serverName?: string;
    peerId?: string;
}

/** The fields of a peering token (base64 JSON) that consul-mesh reads; others are ignored. */
const tokenFields = z
    .object({
        ServerAddresses: z.array(z.string()).nullish(),
        ManualServerAddresses: z.array(z.string()).nullish(),
        ServerName: z.string().nullish(),
        PeerID: z.string(),
    })
    .loose();

/**
 * Decodes a peering token (base64 of JSON) far enough to catch garbage before it reaches Consul.
 * Returns a reason (never containing the token) when it is not a usable peering token.
 */
export function inspectToken(token: string): { summary?: TokenSummary; problem?: string } {
    const trimmed = token.trim();
    if (trimmed === "") return { problem: "peeringToken must not be empty" };
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
        return { problem: "peeringToken is not a Consul peering token (it is not base64 text)" };
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(Buffer.from(trimmed, "base64").toString("utf8"));
    } catch {
        return { problem: "peeringToken is not a Consul peering token (it does not decode to JSON)" };
    }
    const fields = tokenFields.safeParse(parsed);
    const t = fields.success ? fields.data : undefined;
    const addresses = t ? [...(t.ManualServerAddresses ?? []), ...(t.ServerAddresses ?? [])] : [];
    if (!t || addresses.length === 0) {
        return { problem: "peeringToken is not a Consul peering token (no server addresses or peer ID inside)" };
    }
    return { summary: { serverAddresses: addresses, serverName: t.ServerName ?? undefined, peerId: t.PeerID } };
}

/** Says in plain words why establishing failed (Consul's own message follows). */
export function explainEstablishError(err: unknown, peerName: string, addresses: string[]): Error {
    if (!(err instanceof ConsulApiError)) return err instanceof Error ? err : new Error(String(err));
    // No answer at all: this cluster itself could not be reached (its own transport error says so);
    // Consul neither refused the establish nor said anything about the acceptor.
    if (err.statusCode === 0) return err;
    const first = err.consulMessage
        .split("\n")
        .map((l) => l.replace(/^\s*\*\s*/, "").trim())
        .find((l) => l && !/errors? occurred/.test(l));
    const detail = first ?? err.consulMessage;
    let why: string;
    if (err.statusCode === 403 && /establishment secret/i.test(err.consulMessage)) {
        why =
            "the peering token was already used, or a newer token was generated for this peer since (tokens are single-use " +
            "and each new token invalidates the unused older one): generate a new token on the acceptor cluster";
    } else if (/failed to exchange peering secret|Unavailable|connection refused|deadline exceeded/i.test(err.consulMessage)) {
        why = `the acceptor cluster is unreachable from this cluster at ${addresses.join(", ") || "the token's addresses"} (its gRPC TLS port)`;
    } else if (/decode token|base64|JSON|invalid character|peering token/i.test(err.consulMessage)) {
        why = "the peering token is malformed or not a Consul peering token";
    } else if (/within the same cluster/i.test(err.consulMessage)) {
        why = "the peering token was generated by this same cluster: establish it on the other cluster";
    } else if (/existing peering expecting to be dialed/i.test(err.consulMessage)) {
        why = `this cluster already generated a token for a peering named "${peerName}" (it is the acceptor side of that name)`;
    } else {
        why = "Consul refused to establish the peering";
    }
    return new Error(
        `establishing peering "${peerName}" at ${clusterWhere(err.address, err.cluster)} failed: ${why}. Consul said: ${err.statusCode} ${detail}`,
    );
}

/** A datacenter name as a valid Consul peer name (lower case, `-` for anything else). */
export function asPeerName(text: string): string {
    const cleaned = text
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/, "");
    return cleaned === "" ? "peer" : cleaned;
}

/**
 * The datacenter of the cluster a client reaches, as a peer name: what an unset peer name defaults
 * to (the other cluster's datacenter). Asked from the agent (`/v1/agent/self`), or from
 * `/v1/catalog/datacenters` when the token may not read the agent. Runs in the provider, never in
 * the program.
 */
export async function datacenterPeerName(client: ConsulClient): Promise<string> {
    try {
        const agentSelf = z.object({ Config: z.object({ Datacenter: z.string().optional() }).loose().optional() }).loose();
        const self = await client.get("/v1/agent/self", agentSelf);
        const dc = self.body.Config?.Datacenter;
        if (typeof dc === "string" && dc !== "") return asPeerName(dc);
    } catch (err) {
        if (!(err instanceof ConsulApiError) || err.statusCode !== 403) throw err;
    }
    const list = (await client.get("/v1/catalog/datacenters", z.array(z.string()).nullable())).body;
    const first = list?.find((d) => d !== "");
    if (!first) throw new Error(`Consul at ${client.where} named no datacenter`);
    return asPeerName(first);
}

/**
 * check's default for an unset peer name: the datacenter of the cluster at `connection` (the
 * other side's). Unknown while that connection is unknown at preview; a reason when Consul cannot
 * tell (check then reports it on the property).
 */
export async function peerNameDefault(
    connection: unknown,
    clientFor: (connection: ConnectionInput | undefined) => ConsulClient,
    where: string,
): Promise<{ name: string } | { failure: string }> {
    if (containsUnknown(connection)) return { name: UNKNOWN };
    const parsed = connectionSchema().safeParse(connection ?? {});
    // An unusable connection is reported on its own property.
    if (!parsed.success) return { name: UNKNOWN };
    if (parsed.data.datacenter) return { name: asPeerName(parsed.data.datacenter) };
    try {
        return { name: await datacenterPeerName(clientFor(parsed.data)) };
    } catch (err) {
        return {
            failure:
                `not set, and the datacenter of the ${where} cluster, which it defaults to, could not be read ` +
                `(${err instanceof Error ? err.message : String(err)}): set it, or datacenter in the ${where}'s connection`,
        };
    }
}

/**
 * check's defaults for the unset peer names of one side (`PeeringToken`: the acceptor, whose other
 * side is `dialer`; `Peering`: the dialer, whose other side is `acceptor`): this side calls the
 * peering after the other side's datacenter, and the other side after this one's. Asked here, in
 * the provider, never in the program. Failures name the property that could not be defaulted.
 */
export async function withDefaultPeerNames(
    given: Record<string, unknown>,
    other: "dialer" | "acceptor",
    clientFor: (connection: ConnectionInput | undefined) => ConsulClient,
): Promise<{ inputs: Record<string, unknown>; failures: Array<{ property: string; reason: string }> }> {
    const self = other === "dialer" ? "acceptor" : "dialer";
    const inputs = { ...given };
    const failures: Array<{ property: string; reason: string }> = [];
    const side = plainObject(given[other]);
    // The whole other side still unknown at preview: so is the name it would give.
    if (given.peerName === undefined && isUnknown(given[other])) inputs.peerName = UNKNOWN;
    if (given.peerName === undefined && side) {
        const found = await peerNameDefault(side.connection, clientFor, other);
        if ("name" in found) inputs.peerName = found.name;
        else failures.push({ property: "peerName", reason: found.failure });
    }
    if (side && side.peerName === undefined) {
        const found = await peerNameDefault(given.connection, clientFor, self);
        if ("name" in found) inputs[other] = { ...side, peerName: found.name };
        else failures.push({ property: `${other}.peerName`, reason: found.failure });
    }
    return { inputs, failures };
}

/**
 * check of PeeringToken and Peering: peer names defaulted (see withDefaultPeerNames), the inputs
 * validated with `schema` and returned parsed, and the computed `cluster` added (and, with the other
 * side given, `dialerCluster` or `acceptorCluster`). A name that could not be defaulted is reported
 * once, with the reason, not also as missing.
 */
export async function checkPeeringSide(
    news: Record<string, unknown>,
    other: "dialer" | "acceptor",
    schema: z.ZodType<object>,
    clientFor: (connection: ConnectionInput | undefined) => ConsulClient,
    clusterOf: (connection: unknown) => string,
): Promise<{ inputs: Record<string, unknown>; failures: Array<{ property: string; reason: string }> }> {
    const { cluster: _computed, [`${other}Cluster`]: _otherComputed, ...given } = news;
    const named = await withDefaultPeerNames(given, other, clientFor);
    const { value, failures } = validate(schema, named.inputs);
    const defaulted = new Set(named.failures.map((f) => f.property));
    const allFailures = [...named.failures, ...failures.filter((f) => !defaulted.has(f.property))];
    // The parsed inputs once known and valid; as given (names defaulted) while parts are unknown.
    const checked: Record<string, unknown> = value && allFailures.length === 0 ? Object.fromEntries(Object.entries(value)) : named.inputs;
    const inputs: Record<string, unknown> = { ...checked, cluster: clusterOf(given.connection) };
    // Where the other side lives, recorded like `cluster`: refresh reads that side there.
    const side = plainObject(given[other]);
    if (side) inputs[`${other}Cluster`] = clusterOf(side.connection);
    return { inputs, failures: allFailures };
}

/**
 * The other side's recorded cluster changed (its connection names no address and the settings moved
 * it): an update records where it is now. Absent in older states, or unknown at preview: no change.
 */
export function movedSide(before: unknown, after: unknown): boolean {
    return typeof before === "string" && typeof after === "string" && !isUnknown(after) && before !== after;
}

/** A raw input that is a plain object (not unknown, not an array), for reading its fields. */
export function plainObject(value: unknown): Record<string, unknown> | undefined {
    const parsed = z.record(z.string(), z.unknown()).safeParse(value);
    return parsed.success ? parsed.data : undefined;
}
