// PeeringToken: the acceptor side of a cluster peering. Generates a peering token for `peerName`
// (POST /v1/peering/token), which creates a PENDING peering of that name that the other cluster
// dials with the token. Bumping `version` (or changing meta/serverExternalAddresses) rotates the
// token: the acceptor peering is deleted and made anew, so the Peering using it re-establishes.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, sameConnection, type Located } from "../consul/connection";
import {
    deletePeeringAndWait,
    getPeering,
    inspectToken,
    isDead,
    metaOf,
    movedSide,
    metaSchema,
    checkPeeringSide,
    peerNameSchema,
    type ApiPeering,
} from "../engine/peering-api";
import { canonical, memoized } from "../model/validation";
import { maskCredentials } from "../model/credentials";

export function peeringTokenSchema() {
    return z
        .object({
            peerName: peerNameSchema(),
            serverExternalAddresses: z
                .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "serverExternalAddresses entries must be host:port"))
                .optional(),
            meta: metaSchema().optional(),
            version: z.union([z.string(), z.number()]).optional(),
            dialer: z
                .object({ peerName: peerNameSchema("dialer.peerName"), connection: connectionSchema().optional() })
                .strict()
                .optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type PeeringTokenInputs = z.infer<ReturnType<typeof peeringTokenSchema>>;

export interface PeeringTokenOutputs extends PeeringTokenInputs {
    /** Where the acceptor peering lives (normalised address and datacenter), computed by check. */
    cluster?: string;
    /** Where the dialer's side lives (with `dialer` given), computed by check: refresh reads it there. */
    dialerCluster?: string;
    /** The token to hand to the dialer (a secret). */
    peeringToken: string;
    /** The acceptor's peering ID (the dialer's `peerId`). */
    peeringId: string;
    /** PENDING until dialed, then ACTIVE (as of the last create/update/refresh). */
    state: string;
}

/** Inputs whose change needs a new token (Consul does not update Meta on regeneration). */
function tokenShapeChanged(olds: PeeringTokenInputs, news: PeeringTokenInputs): string[] {
    const changed: string[] = [];
    if (String(olds.version ?? "") !== String(news.version ?? "")) changed.push("version");
    if (canonical(olds.meta ?? {}) !== canonical(news.meta ?? {})) changed.push("meta");
    if (canonical(olds.serverExternalAddresses ?? []) !== canonical(news.serverExternalAddresses ?? [])) {
        changed.push("serverExternalAddresses");
    }
    return changed;
}

/**
 * POSTs generate-token and builds the outputs from the token itself (it names the acceptor
 * peering's ID), so nothing after the write reads Consul again. The call is retried like any other
 * on a lost answer: for a name that is already an acceptor, Consul reuses the peering (same ID, its
 * Meta unchanged) and only replaces its establishment secret (agent/rpc/peering/service.go,
 * GenerateToken), so a repeat makes no second peering and voids only the token nobody received.
 */
async function generate(client: ConsulClient, inputs: PeeringTokenInputs, before: ApiPeering | undefined): Promise<PeeringTokenOutputs> {
    const body: Record<string, unknown> = { PeerName: inputs.peerName };
    if (inputs.meta && Object.keys(inputs.meta).length > 0) body.Meta = inputs.meta;
    if (inputs.serverExternalAddresses?.length) body.ServerExternalAddresses = inputs.serverExternalAddresses;
    const res = await client.post("/v1/peering/token", body, z.object({ PeeringToken: z.string().optional() }).loose());
    const token = res.body.PeeringToken ?? "";
    const peeringId = inspectToken(token).summary?.peerId;
    if (!peeringId) throw new Error(`Consul at ${client.where} returned no usable peering token for "${inputs.peerName}"`);
    return { ...inputs, peeringToken: token, peeringId, state: before?.ID === peeringId ? before.State : "PENDING" };
}

/** Meta as Consul keeps it: it does not change a peering's Meta when a token is regenerated. */
function sameMeta(p: ApiPeering, meta: PeeringTokenInputs["meta"]): boolean {
    return canonical(metaOf(p) ?? {}) === canonical(meta && Object.keys(meta).length > 0 ? meta : {});
}

/**
 * With `dialer` given: true when this acceptor peering was used but the dialer no longer has it
 * (deleted by hand, or re-established elsewhere). Consul takes seconds to mark such an acceptor
 * TERMINATED, and a token regenerated for it in the meantime could never be dialed.
 */
async function orphaned(
    acceptor: ApiPeering,
    dialer: PeeringTokenInputs["dialer"],
    clientFor: (c: PeeringTokenInputs["connection"]) => ConsulClient,
): Promise<boolean> {
    if (!dialer || acceptor.State === "PENDING") return false;
    const other = await getPeering(clientFor(dialer.connection), dialer.peerName);
    return !other || isDead(other) || other.PeerID !== acceptor.ID;
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(peeringTokenSchema);

export class PeeringTokenProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        // Unset names default to the datacenters (asked here, in the provider, never in the program):
        // this acceptor calls the peering after the dialer's datacenter, the dialer after this one's.
        return checkPeeringSide(
            news,
            "dialer",
            schema(),
            (c) => this.client(c),
            (c) => this.clusterOf(c),
        );
    }

    diff(
        _id: string,
        olds: PeeringTokenOutputs,
        news: PeeringTokenInputs & Located & { dialerCluster?: string },
    ): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        if (olds.peerName !== news.peerName) replaces.push("peerName");
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        // A new token of the same name needs a fresh acceptor peering (the old one cannot be dialed again
        // once its dialer is gone): a replacement, deleted first since the name is taken. The engine
        // then deletes the Peering that dials it first and creates it again after, and a failed
        // generation leaves nothing half-done (the old peering is gone from Consul and from the state).
        const rotated = tokenShapeChanged(olds, news);
        replaces.push(...rotated);
        const changes = [...where.changes];
        // The dialer's whereabouts (its connection compared as diff compares connections: a re-spelling is no change).
        if (
            olds.dialer?.peerName !== news.dialer?.peerName ||
            !sameConnection(olds.dialer?.connection, news.dialer?.connection, process.env) ||
            movedSide(olds.dialerCluster, news.dialerCluster)
        ) {
            changes.push("dialer");
        }
        // peeringToken, peeringId and state are outputs: never a reason to change anything.
        return Promise.resolve({
            changes: replaces.length > 0 || changes.length > 0,
            replaces,
            deleteBeforeReplace: !replaces.includes("peerName") && !replaces.includes("cluster"),
        });
    }

    async create(inputs: PeeringTokenInputs): Promise<Created<PeeringTokenOutputs>> {
        const client = this.client(inputs.connection);
        const existing = await getPeering(client, inputs.peerName);
        // A terminated or half-deleted peering of this name cannot be dialed again, nor can one whose
        // dialer is known to be gone: clear it. A FAILING one is kept (Consul keeps re-dialing it).
        let before = existing;
        if (existing && (isDead(existing) || (await orphaned(existing, inputs.dialer, (c) => this.client(c))))) {
            await deletePeeringAndWait(client, inputs.peerName);
            before = undefined;
        }
        // A live acceptor of this name (typically made by an earlier attempt of this create whose answer
        // was lost) keeps its ID and active streams and just gets a new token. One with other meta is
        // another object: Consul would keep its meta, so say so rather than take it over.
        if (before && isDialerSide(before)) {
            throw new Error(
                `peering "${inputs.peerName}" at ${client.where} is the dialing side of a peering (established with a token ` +
                    `from another cluster); a cluster cannot generate a token for a name it dials: pick another peerName or delete that peering`,
            );
        }
        if (before && !sameMeta(before, inputs.meta)) {
            throw new Error(
                `peering "${inputs.peerName}" already exists at ${client.where} (state ${before.State}) with other meta than this ` +
                    `PeeringToken's, which Consul keeps when a token is regenerated: give it the same meta, or delete that peering first`,
            );
        }
        const outs = await generate(client, inputs, before);
        try {
            await this.afterWrite?.();
        } catch (err) {
            // A peering this create made goes again; an existing one only had its unused token replaced.
            if (!before) await removeIfMine(client, inputs, outs.peeringId, err);
            throw err;
        }
        return { id: inputs.peerName, outs };
    }

    /** Test hook: runs right after the write of a create, so that tests can fail it there. */
    afterWrite?: () => Promise<void>;

    async read(id: string, props: PeeringTokenOutputs): Promise<ReadOf<PeeringTokenOutputs, PeeringTokenInputs>> {
        const client = this.recordedClient(props);
        const peering = await getPeering(client, props.peerName ?? id);
        // Gone, terminated by the dialer, or a different peering of that name (our token belongs to
        // the old one): report it gone so that up generates a new token. FAILING is a state, not an end.
        if (!peering || isDead(peering) || (props.peeringId && peering.ID !== props.peeringId)) return {};
        if (await orphaned(peering, props.dialer, (c) => this.recordedClient({ connection: c, cluster: props.dialerCluster }))) return {};
        const outs: PeeringTokenOutputs = { ...props, peeringId: peering.ID, state: peering.State };
        const meta = metaOf(peering);
        // A credential-named meta value is copied only where it is the program's own (see maskCredentials).
        if (meta) outs.meta = maskCredentials(meta, props.meta);
        else delete outs.meta;
        const { peeringToken: _t, peeringId: _i, state: _s, ...inputs } = outs;
        return { id, props: outs, inputs };
    }

    update(_id: string, olds: PeeringTokenOutputs, news: PeeringTokenInputs): Promise<Updated<PeeringTokenOutputs>> {
        const rotated = tokenShapeChanged(olds, news);
        if (rotated.length > 0) {
            // diff makes these a replacement; an update never deletes the live peering.
            return Promise.reject(
                new Error(
                    `PeeringToken "${news.peerName}": ${rotated.join(", ")} changed, which needs a replacement (diff says so); nothing was changed`,
                ),
            );
        }
        // Only credentials or the dialer's whereabouts changed: nothing to do in Consul.
        return Promise.resolve({ outs: { ...news, peeringToken: olds.peeringToken, peeringId: olds.peeringId, state: olds.state } });
    }

    async delete(id: string, props: PeeringTokenOutputs): Promise<void> {
        await deletePeeringAndWait(this.recordedClient(props), props.peerName ?? id);
    }
}

/** A dialer's peering knows the addresses it dials; an acceptor's does not. */
function isDialerSide(p: ApiPeering): boolean {
    return (p.PeerServerAddresses?.length ?? 0) > 0;
}

/**
 * Deletes the acceptor peering `id` that a failed create made (never another one of that name). When
 * that fails too, the error carries the id so that Pulumi records the resource instead of leaking it.
 */
async function removeIfMine(client: ConsulClient, inputs: PeeringTokenInputs, id: string, cause: unknown): Promise<void> {
    const name = inputs.peerName;
    try {
        if ((await getPeering(client, name))?.ID === id) await deletePeeringAndWait(client, name);
    } catch {
        const message =
            `${cause instanceof Error ? cause.message : String(cause)}\nThe acceptor peering "${name}" could not be removed again ` +
            `from ${client.where}: it is recorded in the stack, and the next \`pulumi up\` or \`destroy\` takes care of it.`;
        // __provider (in inputs) must stay in the recorded properties: later read/delete calls need it.
        throw Object.assign(new Error(message), { id: name, properties: { ...inputs }, reasons: [message] });
    }
}

/** The one provider instance every PeeringToken shares. */
export const peeringTokenProvider = new PeeringTokenProvider();
