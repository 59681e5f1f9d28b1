// Peering: the dialer side of a cluster peering. Establishes a peering named `peerName` with a token
// from the acceptor (POST /v1/peering/establish), waits (bounded) until it is ACTIVE, and cleans up
// after itself when that fails: Consul writes the PENDING peering before it contacts the acceptor.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { ConsulApiError } from "../consul/errors";
import { connectionSchema, sameConnection, type Located } from "../consul/connection";
import {
    deletePeeringAndWait,
    describeState,
    explainEstablishError,
    getPeering,
    inspectToken,
    isDead,
    metaOf,
    metaSchema,
    checkPeeringSide,
    movedSide,
    peerNameSchema,
    pollPeering,
    serviceCounts,
    type ApiPeering,
} from "../engine/peering-api";
import { canonical, memoized } from "../model/validation";

const DEFAULT_ACTIVE_TIMEOUT_SECONDS = 60;

export function peeringSchema() {
    return z
        .object({
            peerName: peerNameSchema(),
            peeringToken: z.string({ message: "peeringToken is required" }).superRefine((token, ctx) => {
                const { problem } = inspectToken(token);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            }),
            meta: metaSchema().optional(),
            adopt: z.boolean().optional(),
            waitForActive: z.boolean().optional(),
            activeTimeoutSeconds: z.number().int().min(1).max(3600, "activeTimeoutSeconds must be at most 3600").optional(),
            acceptor: z
                .object({ peerName: peerNameSchema("acceptor.peerName"), connection: connectionSchema().optional() })
                .strict()
                .optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type PeeringInputs = z.infer<ReturnType<typeof peeringSchema>>;

export interface PeeringOutputs extends PeeringInputs {
    /** Where the peering lives (normalised address and datacenter), computed by check. */
    cluster?: string;
    /** Where the acceptor's side lives (with `acceptor` given), computed by check: refresh reads it there. */
    acceptorCluster?: string;
    /** This cluster's ID for the peering. */
    peeringId: string;
    state: string;
    /** The acceptor's ID for the peering. */
    peerId?: string;
    peerServerName?: string;
    peerServerAddresses: string[];
    remoteDatacenter?: string;
    importedServiceCount: number;
    exportedServiceCount: number;
    /** State of the acceptor's side, when `acceptor` is given. */
    acceptorState?: string;
}

/** How long create waits for a peering whose acceptor is gone to turn TERMINATED. */
const ORPHAN_WAIT_MS = 10_000;

/** A dialer's peering knows the addresses it dials; an acceptor's does not. */
function isDialer(p: ApiPeering): boolean {
    return (p.PeerServerAddresses?.length ?? 0) > 0;
}

/** Gone for good (FAILING may still recover while establishing, so it is waited out). */
function isOver(p: ApiPeering | undefined): boolean {
    return p === undefined || !!p.DeletedAt || p.State === "DELETING" || p.State === "TERMINATED";
}

/**
 * States that mean a dialer peering is (or is about to be) in use. FAILING is one: its stream broke
 * and Consul keeps re-dialing, so deleting it would end a peering that may be about to recover.
 */
const LIVE = ["ACTIVE", "ESTABLISHING", "FAILING"];

/** How long create looks, after an establish whose answer was lost, for the peering to leave PENDING. */
const LOST_ANSWER_WAIT_MS = 5_000;

/**
 * The existing dialer peering is exactly what this create asks for: dialed with a token of the
 * same acceptor peering (the token names it) and with the same meta. Typically made by an earlier
 * attempt of this create whose answer was lost.
 */
function isIdentical(p: ApiPeering, inputs: PeeringInputs, tokenPeerId: string | undefined): boolean {
    return (
        isDialer(p) &&
        tokenPeerId !== undefined &&
        p.PeerID === tokenPeerId &&
        canonical(metaOf(p) ?? {}) === canonical(inputs.meta && Object.keys(inputs.meta).length > 0 ? inputs.meta : {})
    );
}

function outputsOf(inputs: PeeringInputs, p: ApiPeering, acceptorState?: string): PeeringOutputs {
    const outs: PeeringOutputs = {
        ...inputs,
        peeringId: p.ID,
        state: p.State,
        peerServerAddresses: p.PeerServerAddresses ?? [],
        ...serviceCounts(p),
    };
    if (p.PeerID) outs.peerId = p.PeerID;
    if (p.PeerServerName) outs.peerServerName = p.PeerServerName;
    if (p.Remote?.Datacenter) outs.remoteDatacenter = p.Remote.Datacenter;
    if (acceptorState !== undefined) outs.acceptorState = acceptorState;
    else delete outs.acceptorState;
    return outs;
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(peeringSchema);

export class PeeringProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        // Unset names default to the datacenters (asked here, in the provider, never in the program):
        // this dialer calls the peering after the acceptor's datacenter, the acceptor after this one's.
        return checkPeeringSide(
            news,
            "acceptor",
            schema(),
            (c) => this.client(c),
            (c) => this.clusterOf(c),
        );
    }

    diff(_id: string, olds: PeeringOutputs, news: PeeringInputs & Located & { acceptorCluster?: string }): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        if (olds.peerName !== news.peerName) replaces.push("peerName");
        if (olds.peeringToken !== news.peeringToken) replaces.push("peeringToken");
        // Consul sets a dialer's Meta only when establishing.
        if (canonical(olds.meta ?? {}) !== canonical(news.meta ?? {})) replaces.push("meta");
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        for (const key of ["adopt", "waitForActive", "activeTimeoutSeconds"] as const) {
            if ((olds[key] ?? null) !== (news[key] ?? null)) changes.push(key);
        }
        // The acceptor's whereabouts (its connection compared as diff compares connections: a re-spelling is no change).
        if (
            olds.acceptor?.peerName !== news.acceptor?.peerName ||
            !sameConnection(olds.acceptor?.connection, news.acceptor?.connection, process.env) ||
            movedSide(olds.acceptorCluster, news.acceptorCluster)
        ) {
            changes.push("acceptor");
        }
        // A peering a refresh found not ACTIVE (FAILING, say) is drift that up cannot write away:
        // the update waits (bounded) for Consul to bring it back, or fails saying in which state it is.
        if (news.waitForActive !== false && olds.state !== undefined && olds.state !== "ACTIVE") changes.push("state");
        // Otherwise state, counts and addresses are observations: never a diff.
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    async create(inputs: PeeringInputs): Promise<Created<PeeringOutputs>> {
        const client = this.client(inputs.connection);
        const name = inputs.peerName;
        const tokenPeerId = inspectToken(inputs.peeringToken).summary?.peerId;
        let existing = await getPeering(client, name);
        if (existing && !isDead(existing) && LIVE.includes(existing.State) && isIdentical(existing, inputs, tokenPeerId)) {
            // Already made from this token (an earlier attempt whose answer was lost): success, not
            // "already exists". It is not removed if it does not become ACTIVE: this call did not make it.
            // (A PENDING one never exchanged its secret: it is a leftover, cleared below.)
            return { id: name, outs: await this.settle(client, inputs, false) };
        }
        if (existing && !inputs.adopt && isDialer(existing) && !isDead(existing) && existing.PeerID !== tokenPeerId) {
            // Dialing an acceptor peering that the token does not come from: if that acceptor was
            // deleted (say, the token was rotated or it was deleted by hand), Consul marks this side
            // TERMINATED within a few seconds. Give it that time before calling the name taken.
            existing = await this.settleOrphan(client, inputs, existing);
        }
        if (existing && !isDead(existing) && LIVE.includes(existing.State) && isDialer(existing)) {
            if (!inputs.adopt) {
                throw new Error(
                    `peering "${name}" already exists at ${client.where} (state ${existing.State}) and dials another acceptor ` +
                        `peering than this token's (${existing.PeerID ?? "unknown"}) or has other meta; set adopt: true to manage it ` +
                        `without re-establishing, or delete it first`,
                );
            }
            const adopted = await this.settle(client, inputs, false);
            return { id: name, outs: adopted };
        }
        if (existing && !isDialer(existing) && !isDead(existing)) {
            throw new Error(
                `this cluster (${client.where}) has a peering "${name}" that it generated a token for (the acceptor side); ` +
                    `a cluster cannot dial a peer name it also accepts: pick another peerName or delete that peering`,
            );
        }
        // Dead peerings, and PENDING leftovers of earlier failed attempts, would block the name.
        if (existing) await deletePeeringAndWait(client, name);

        const addresses = inspectToken(inputs.peeringToken).summary?.serverAddresses ?? [];
        const body: Record<string, unknown> = { PeerName: name, PeeringToken: inputs.peeringToken };
        if (inputs.meta && Object.keys(inputs.meta).length > 0) body.Meta = inputs.meta;
        try {
            // Never repeated: a second establish with a used token could only fail.
            await client.post("/v1/peering/establish", body, z.unknown(), { retry: false, secrets: [inputs.peeringToken] });
        } catch (err) {
            // The answer was lost, but the establish may have gone through: then it is ours, go on.
            const landed =
                err instanceof ConsulApiError && err.writeMayHaveLanded && (await this.establishedAnyway(client, inputs, tokenPeerId));
            if (!landed) await this.undo(client, inputs, explainEstablishError(err, name, addresses));
        }
        try {
            await this.afterWrite?.();
            return { id: name, outs: await this.settle(client, inputs, true) };
        } catch (err) {
            // Whatever failed after the establish (waiting, reading back): the peering goes again.
            return await this.undo(client, inputs, err);
        }
    }

    /** Test hook: runs right after the write of a create, so that tests can fail it there. */
    afterWrite?: () => Promise<void>;

    /** After an establish whose answer was lost: did it make our peering (it leaves PENDING once the secret is exchanged)? */
    private async establishedAnyway(client: ConsulClient, inputs: PeeringInputs, tokenPeerId: string | undefined): Promise<boolean> {
        try {
            const { peering } = await pollPeering(
                client,
                inputs.peerName,
                (p) => p === undefined || p.State !== "PENDING",
                LOST_ANSWER_WAIT_MS,
            );
            return peering !== undefined && !isDead(peering) && peering.State !== "PENDING" && isIdentical(peering, inputs, tokenPeerId);
        } catch {
            return false;
        }
    }

    /**
     * Removes the peering this create made, then rethrows. When it cannot be removed (Consul
     * unreachable), the error carries the id, so Pulumi records the resource instead of leaking it.
     */
    private async undo(client: ConsulClient, inputs: PeeringInputs, err: unknown): Promise<never> {
        const tokenPeerId = inspectToken(inputs.peeringToken).summary?.peerId;
        try {
            // Only a dialer peering made from this token is ours to remove.
            const p = await getPeering(client, inputs.peerName);
            if (p && isDialer(p) && p.PeerID === tokenPeerId) await deletePeeringAndWait(client, inputs.peerName);
        } catch {
            const message =
                `${err instanceof Error ? err.message : String(err)}\nThe peering "${inputs.peerName}" could not be removed again from ` +
                `${client.where}: it is recorded in the stack, and the next \`pulumi up\` or \`destroy\` takes care of it.`;
            throw Object.assign(new Error(message), { id: inputs.peerName, properties: { ...inputs }, reasons: [message] });
        }
        throw err;
    }

    /**
     * Waits (when asked) until this side, and the acceptor's side when given, are ACTIVE. When
     * `cleanUp` is set (we just established), a timeout removes the peering again before failing.
     */
    private async settle(client: ConsulClient, inputs: PeeringInputs, cleanUp: boolean): Promise<PeeringOutputs> {
        const name = inputs.peerName;
        const timeoutMs = (inputs.activeTimeoutSeconds ?? DEFAULT_ACTIVE_TIMEOUT_SECONDS) * 1000;
        const deadline = Date.now() + timeoutMs;
        const wait = inputs.waitForActive !== false;
        const fail = async (what: string, seen?: ApiPeering): Promise<never> => {
            if (cleanUp) await this.removeLeftover(client, name);
            throw new Error(
                `peering "${name}" at ${client.where}: ${what} within ${timeoutMs / 1000} s` +
                    (cleanUp ? "; it was removed again. " : ". ") +
                    (seen ? `${describeState(seen)}. ` : "") +
                    `Check that the acceptor cluster's gRPC TLS port is reachable from this cluster and that the token is current`,
            );
        };
        const mine = wait
            ? await pollPeering(client, name, (p) => p?.State === "ACTIVE" || isOver(p), timeoutMs)
            : { peering: await getPeering(client, name), reached: true };
        if (!mine.peering) throw new Error(`peering "${name}" disappeared from ${client.where} while it was being established`);
        if (wait && mine.peering.State !== "ACTIVE") {
            await fail(`it did not become ACTIVE (last state ${mine.peering.State})`, mine.peering);
        }
        let acceptorState: string | undefined;
        if (inputs.acceptor) {
            const acceptorClient = this.client(inputs.acceptor.connection);
            const remaining = Math.max(0, deadline - Date.now());
            const other = wait
                ? await pollPeering(acceptorClient, inputs.acceptor.peerName, (p) => p?.State === "ACTIVE", remaining)
                : { peering: await getPeering(acceptorClient, inputs.acceptor.peerName), reached: true };
            acceptorState = other.peering?.State ?? "NOT_FOUND";
            if (wait && !other.reached) {
                await fail(`the acceptor's side "${inputs.acceptor.peerName}" did not become ACTIVE (last state ${acceptorState})`);
            }
        }
        const final = (await getPeering(client, name)) ?? mine.peering;
        return outputsOf(inputs, final, acceptorState);
    }

    /**
     * The existing peering dials another acceptor peering than the token's. When the acceptor is
     * reachable (`acceptor` input) and no longer has that peering, it is an orphan; otherwise wait
     * (bounded) for Consul to mark it TERMINATED. Returns the peering as last seen.
     */
    private async settleOrphan(client: ConsulClient, inputs: PeeringInputs, existing: ApiPeering): Promise<ApiPeering | undefined> {
        if (inputs.acceptor) {
            const other = await getPeering(this.client(inputs.acceptor.connection), inputs.acceptor.peerName);
            if (!other || other.ID !== existing.PeerID) return { ...existing, State: "TERMINATED" };
        }
        return (await pollPeering(client, inputs.peerName, (p) => p === undefined || isDead(p), ORPHAN_WAIT_MS)).peering;
    }

    /** Best effort: a failed establish must not leave its PENDING peering behind. */
    private async removeLeftover(client: ConsulClient, name: string): Promise<void> {
        try {
            if (await getPeering(client, name)) await deletePeeringAndWait(client, name);
        } catch {
            // The original failure is what the user needs to see; a leftover is removed by the next create.
        }
    }

    async read(id: string, props: PeeringOutputs): Promise<ReadOf<PeeringOutputs, PeeringInputs>> {
        const client = this.recordedClient(props);
        const peering = await getPeering(client, props.peerName ?? id);
        if (!peering || isDead(peering)) return {};
        let acceptorState: string | undefined;
        if (props.acceptor) {
            const acceptor = this.recordedClient({ connection: props.acceptor.connection, cluster: props.acceptorCluster });
            const other = await getPeering(acceptor, props.acceptor.peerName);
            // The acceptor's side was deleted, terminated or re-created: this peering is over.
            if (!other || isDead(other) || (peering.PeerID && other.ID !== peering.PeerID)) return {};
            acceptorState = other.State;
        }
        const inputs: PeeringInputs = { ...stripOutputs(props) };
        const meta = metaOf(peering);
        if (meta) inputs.meta = meta;
        else delete inputs.meta;
        return { id, props: outputsOf(inputs, peering, acceptorState), inputs };
    }

    async update(_id: string, _olds: PeeringOutputs, news: PeeringInputs): Promise<Updated<PeeringOutputs>> {
        // Only settings that live in Pulumi changed (waits, adopt, acceptor, credentials), or the
        // resource was recorded by a create that failed before its peering was made (the cluster went
        // away mid-establish): then there is no live peering of that name (none, a dead one, or a
        // PENDING leftover whose establish was cut off before the secret exchange), and this finishes
        // the create, which clears such a leftover first.
        const client = this.client(news.connection);
        const existing = await getPeering(client, news.peerName);
        if (!existing || isDead(existing) || !LIVE.includes(existing.State)) return { outs: (await this.create(news)).outs };
        return { outs: await this.settle(client, news, false) };
    }

    async delete(id: string, props: PeeringOutputs): Promise<void> {
        await deletePeeringAndWait(this.recordedClient(props), props.peerName ?? id);
    }
}

function stripOutputs(props: PeeringOutputs): PeeringInputs {
    const {
        peeringId: _a,
        state: _b,
        peerId: _c,
        peerServerName: _d,
        peerServerAddresses: _e,
        remoteDatacenter: _f,
        importedServiceCount: _g,
        exportedServiceCount: _h,
        acceptorState: _i,
        ...inputs
    } = props;
    return inputs;
}

/** The one provider instance every Peering shares. */
export const peeringProvider = new PeeringProvider();
