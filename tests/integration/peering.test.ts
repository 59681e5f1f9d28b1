import { UNKNOWN } from "../../provider/model/validation";
import { strict as assert } from "node:assert";
import { z } from "zod";
import { ExportedServicesProvider, type ExportedServicesOutputs } from "../../provider/resources/exported-services";
import { PeeringProvider, type PeeringInputs, type PeeringOutputs } from "../../provider/resources/peering";
import { PeeringTokenProvider, type PeeringTokenOutputs } from "../../provider/resources/peering-token";
import { clusterSpecs } from "../../scripts/lib/clusters";
import { consul, DC1, DC2, uniqueSuffix } from "../support/consul";

const tokens = new PeeringTokenProvider();
const peerings = new PeeringProvider();
const exported = new ExportedServicesProvider();
const dc1 = { address: DC1 };
const dc2 = { address: DC2 };

interface Listed {
    Name: string;
    State: string;
    ID: string;
}
const list = async (address: string) => (await consul<Listed[]>("GET", `${address}/v1/peerings`)).body;
const names = async (address: string) => (await list(address)).map((p) => `${p.Name}:${p.State}`).sort();

async function clearPeerings(): Promise<void> {
    for (const address of [DC1, DC2]) {
        for (const p of await list(address)) await consul("DELETE", `${address}/v1/peering/${p.Name}`);
    }
    for (let i = 0; i < 50 && ((await list(DC1)).length > 0 || (await list(DC2)).length > 0); i++) {
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** The fields of a peering token (base64 JSON) that the tests look at. */
const tokenFields = z.object({ ServerAddresses: z.array(z.string()), PeerID: z.string() });

function decode(token: string): z.infer<typeof tokenFields> {
    return tokenFields.parse(JSON.parse(Buffer.from(token, "base64").toString("utf8")));
}

describe("PeeringToken, Peering and ExportedServices against two real clusters", function () {
    this.timeout(120_000);
    let acceptorName: string;
    let dialerName: string;
    beforeEach(async () => {
        await clearPeerings();
        const mark = uniqueSuffix();
        acceptorName = `dc2-${mark}`;
        dialerName = `dc1-${mark}`;
    });
    after(clearPeerings);

    it("peers dc1 (token) and dc2 (establish), waits for ACTIVE on both sides, and deletes both", async () => {
        const token = await tokens.create({ peerName: acceptorName, meta: { team: "platform" }, connection: dc1 });
        const tokenOuts = token.outs;
        assert.equal(token.id, acceptorName);
        assert.equal(tokenOuts.state, "PENDING");
        const grpcTls = clusterSpecs().find((c) => c.name === "dc1")!.ports.grpcTls;
        assert.deepEqual(decode(tokenOuts.peeringToken).ServerAddresses, [`127.0.0.1:${grpcTls}`]);
        assert.equal(decode(tokenOuts.peeringToken).PeerID, tokenOuts.peeringId);

        const inputs: PeeringInputs = {
            peerName: dialerName,
            peeringToken: tokenOuts.peeringToken,
            acceptor: { peerName: acceptorName, connection: dc1 },
            connection: dc2,
        };
        const peering = await peerings.create(inputs);
        const outs = peering.outs;
        assert.equal(outs.state, "ACTIVE");
        assert.equal(outs.acceptorState, "ACTIVE");
        assert.equal(outs.peerId, tokenOuts.peeringId);
        assert.equal(outs.remoteDatacenter, "dc1");
        assert.deepEqual(outs.peerServerAddresses, [`127.0.0.1:${grpcTls}`]);
        assert.match(outs.peerServerName ?? "", /^server\.dc1\.peering\./);
        assert.deepEqual(await names(DC1), [`${acceptorName}:ACTIVE`]);
        assert.deepEqual(await names(DC2), [`${dialerName}:ACTIVE`]);

        // Read of a healthy pair returns the same inputs (no drift) and ACTIVE on both sides.
        const read = await peerings.read(dialerName, outs);
        assert.equal(read.id, dialerName);
        assert.equal((read.props as PeeringOutputs).state, "ACTIVE");
        assert.equal((await peerings.diff(dialerName, read.props as PeeringOutputs, inputs)).changes, false);
        const tokenRead = await tokens.read(acceptorName, tokenOuts);
        assert.equal((tokenRead.props as PeeringTokenOutputs).state, "ACTIVE");
        assert.deepEqual((tokenRead.props as PeeringTokenOutputs).meta, { team: "platform" });

        // Dialer first, then acceptor: nothing left on either side (no TERMINATED leftover).
        await peerings.delete(dialerName, outs);
        await tokens.delete(acceptorName, tokenOuts);
        assert.deepEqual(await list(DC1), []);
        assert.deepEqual(await list(DC2), []);
        // Deleting what is gone succeeds; reading it reports it gone.
        await peerings.delete(dialerName, outs);
        assert.deepEqual(await peerings.read(dialerName, outs), {});
        assert.deepEqual(await tokens.read(acceptorName, tokenOuts), {});
    });

    // A create cut off before its peering existed (the dialing cluster stopped mid-establish) is
    // recorded in the stack with its inputs; the next up calls update, which must establish it.
    it("update of a recorded Peering that Consul does not hold establishes it (finishing a failed create), once", async () => {
        const token = await tokens.create({ peerName: acceptorName, connection: dc1 });
        const inputs: PeeringInputs = {
            peerName: dialerName,
            peeringToken: token.outs.peeringToken,
            acceptor: { peerName: acceptorName, connection: dc1 },
            connection: dc2,
        };
        const recorded = { ...inputs } as PeeringOutputs;
        const updated = await peerings.update(dialerName, recorded, inputs);
        assert.equal(updated.outs.state, "ACTIVE");
        assert.equal(updated.outs.peerId, token.outs.peeringId);
        assert.deepEqual(await names(DC2), [`${dialerName}:ACTIVE`]);
        // Now held: a second update only waits, it establishes nothing again.
        const again = await peerings.update(dialerName, updated.outs, inputs);
        assert.equal(again.outs.peeringId, updated.outs.peeringId);
        assert.deepEqual(await names(DC2), [`${dialerName}:ACTIVE`]);
        await peerings.delete(dialerName, again.outs);
        await tokens.delete(acceptorName, token.outs);
    });

    // Issue 15, defect 9: the datacenter lookup for unset peer names moved from the program into check.
    it("check names unset peer names after the other cluster's datacenter, asked by the provider", async () => {
        const token = await tokens.check({}, { dialer: { connection: dc2 }, connection: dc1 });
        assert.deepEqual(token.failures, []);
        assert.equal(token.inputs.peerName, "dc2");
        assert.deepEqual(token.inputs.dialer, { peerName: "dc1", connection: dc2 });
        const given = await tokens.check({}, { peerName: "x", dialer: { peerName: "y", connection: dc2 }, connection: dc1 });
        assert.equal(given.inputs.peerName, "x", "a name that is set is kept");
        const peering = await peerings.check(
            {},
            { peeringToken: "e30=", acceptor: { connection: { ...dc1, datacenter: "Other_DC" } }, connection: dc2 },
        );
        assert.equal(peering.inputs.peerName, "other-dc", "a connection's datacenter is used without asking Consul");
        assert.deepEqual(peering.inputs.acceptor, { peerName: "dc2", connection: { ...dc1, datacenter: "Other_DC" } });
        const unreachable = await tokens.check(
            {},
            { dialer: { connection: { address: "http://127.0.0.1:1", timeoutMs: 2000 } }, connection: dc1 },
        );
        assert.equal(unreachable.failures?.[0]?.property, "peerName");
        assert.match(
            unreachable.failures?.[0]?.reason ?? "",
            /datacenter of the dialer cluster.*could not be read.*set it, or datacenter in the dialer's connection/,
        );
    });

    it("says a superseded token is the problem and leaves no PENDING peering in the dialer", async () => {
        const first = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        // A new token for the same name invalidates the unused first one.
        await tokens.create({ peerName: acceptorName, connection: dc1 });
        await assert.rejects(peerings.create({ peerName: dialerName, peeringToken: first.peeringToken, connection: dc2 }), (err: Error) => {
            assert.match(err.message, /already used, or a newer token was generated/);
            assert.match(err.message, /403/);
            assert.ok(!err.message.includes(first.peeringToken), "the token must not appear in the error");
            return true;
        });
        assert.deepEqual(await list(DC2), []);
    });

    it("says the acceptor is unreachable and leaves nothing behind", async () => {
        const real = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        const decoded = JSON.parse(Buffer.from(real.peeringToken, "base64").toString("utf8")) as Record<string, unknown>;
        // Port 1 on loopback: nothing listens there.
        const unreachable = Buffer.from(JSON.stringify({ ...decoded, ServerAddresses: ["127.0.0.1:1"] })).toString("base64");
        await assert.rejects(
            peerings.create({ peerName: dialerName, peeringToken: unreachable, connection: dc2 }),
            /acceptor cluster is unreachable from this cluster at 127\.0\.0\.1:1/,
        );
        assert.deepEqual(await list(DC2), []);
    });

    it("gives up after activeTimeoutSeconds when the peering never becomes ACTIVE, and removes it", async () => {
        const first = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        const made = (await peerings.create({ peerName: dialerName, peeringToken: first.peeringToken, connection: dc2 })).outs;
        // A token regenerated while ACTIVE, whose acceptor is then TERMINATED by deleting the dialer:
        // Consul accepts the establish but the peering stays ESTABLISHING.
        const stale = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        await peerings.delete(dialerName, made);
        await assert.rejects(
            peerings.create({ peerName: dialerName, peeringToken: stale.peeringToken, activeTimeoutSeconds: 3, connection: dc2 }),
            /did not become ACTIVE \(last state ESTABLISHING\) within 3 s; it was removed again/,
        );
        assert.deepEqual(await list(DC2), []);
    });

    // Issue 15, defect 5: a create repeated after its answer was lost finds its own peering.
    it("a repeated create finds the peering its token made and succeeds; another acceptor's peering is refused unless adopted", async () => {
        const token = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        const made = (await peerings.create({ peerName: dialerName, peeringToken: token.peeringToken, connection: dc2 })).outs;
        // The token is used up, but the peering is the one it made: success, nothing re-established.
        const again = (await peerings.create({ peerName: dialerName, peeringToken: token.peeringToken, connection: dc2 })).outs;
        assert.equal(again.peeringId, made.peeringId);
        assert.equal(again.state, "ACTIVE");
        // Other meta than the peering holds is a different object: a clear error.
        await assert.rejects(
            peerings.create({ peerName: dialerName, peeringToken: token.peeringToken, meta: { team: "x" }, connection: dc2 }),
            /already exists .*other meta; set adopt: true/,
        );
        // A token of another acceptor peering: the existing one dials something else (bounded wait for it to end, then refused).
        const other = (await tokens.create({ peerName: `${acceptorName}-b`, connection: dc1 })).outs;
        await assert.rejects(
            peerings.create({ peerName: dialerName, peeringToken: other.peeringToken, connection: dc2 }),
            /already exists .*dials another acceptor peering/,
        );
        const adopted = (await peerings.create({ peerName: dialerName, peeringToken: other.peeringToken, adopt: true, connection: dc2 }))
            .outs;
        assert.equal(adopted.peeringId, made.peeringId);
        assert.equal(adopted.state, "ACTIVE");
        assert.deepEqual(await names(DC2), [`${dialerName}:ACTIVE`]);
    });

    it("reads a peering deleted or terminated by hand on either side as gone", async () => {
        const token = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        const outs = (
            await peerings.create({
                peerName: dialerName,
                peeringToken: token.peeringToken,
                acceptor: { peerName: acceptorName, connection: dc1 },
                connection: dc2,
            })
        ).outs;
        // Deleting the acceptor's side by hand: the dialer's Peering (which watches it) is gone.
        await consul("DELETE", `${DC1}/v1/peering/${acceptorName}`);
        assert.deepEqual(await peerings.read(dialerName, outs), {});
        assert.deepEqual(await tokens.read(acceptorName, token), {});

        // A new token and Peering re-create the pair over the leftovers (the dialer's is TERMINATED).
        const again = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        const outs2 = (await peerings.create({ peerName: dialerName, peeringToken: again.peeringToken, connection: dc2 })).outs;
        assert.equal(outs2.state, "ACTIVE");

        // Deleting the dialer's side by hand: the acceptor goes TERMINATED and its token reads as gone.
        await consul("DELETE", `${DC2}/v1/peering/${dialerName}`);
        let acceptor: Listed | undefined;
        for (let i = 0; i < 50; i++) {
            acceptor = (await list(DC1)).find((p) => p.Name === acceptorName);
            if (acceptor?.State === "TERMINATED") break;
            await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(acceptor?.State, "TERMINATED");
        assert.deepEqual(await tokens.read(acceptorName, again), {});
        assert.deepEqual(await peerings.read(dialerName, outs2), {});
        // And create clears the TERMINATED leftover before generating the new token.
        const third = (await tokens.create({ peerName: acceptorName, connection: dc1 })).outs;
        assert.notEqual(third.peeringId, again.peeringId);
        assert.equal(third.state, "PENDING");
    });

    it("with the dialer known, reads a token whose dialer peering was deleted as gone at once, and regenerates it fresh", async () => {
        const dialer = { peerName: dialerName, connection: dc2 };
        const token = (await tokens.create({ peerName: acceptorName, dialer, connection: dc1 })).outs;
        // An unused (PENDING) token is not stale just because nobody dialed it yet.
        assert.equal((await tokens.read(acceptorName, token)).id, acceptorName);
        const outs = (await peerings.create({ peerName: dialerName, peeringToken: token.peeringToken, connection: dc2 })).outs;
        assert.equal((await tokens.read(acceptorName, token)).id, acceptorName);

        await consul("DELETE", `${DC2}/v1/peering/${dialerName}`);
        // The acceptor still says ACTIVE for a few seconds; the token reads as gone right away.
        assert.deepEqual(await tokens.read(acceptorName, token), {});
        const fresh = (await tokens.create({ peerName: acceptorName, dialer, connection: dc1 })).outs;
        assert.notEqual(fresh.peeringId, token.peeringId, "a new acceptor peering, not the dying one");
        assert.equal(fresh.state, "PENDING");
        const again = (await peerings.create({ peerName: dialerName, peeringToken: fresh.peeringToken, connection: dc2 })).outs;
        assert.equal(again.state, "ACTIVE");
        assert.notEqual(again.peeringId, outs.peeringId);
    });

    it("rotates the token on a version bump: a replacement (deleted first, never inside an update) that the replaced Peering dials", async () => {
        const v1 = (await tokens.create({ peerName: acceptorName, version: 1, connection: dc1 })).outs;
        const p1 = (await peerings.create({ peerName: dialerName, peeringToken: v1.peeringToken, connection: dc2 })).outs;
        const diff = await tokens.diff(acceptorName, v1, { peerName: acceptorName, version: 2, connection: dc1 });
        assert.deepEqual([diff.changes, diff.replaces, diff.deleteBeforeReplace], [true, ["version"], true]);
        // An update is never asked to rotate; if it were, it refuses and leaves the live peering alone.
        await assert.rejects(
            tokens.update(acceptorName, v1, { peerName: acceptorName, version: 2, connection: dc1 }),
            /needs a replacement/,
        );
        assert.equal((await list(DC1)).find((p) => p.Name === acceptorName)?.State, "ACTIVE");
        // What the engine does for a delete-before-replace whose dependent (the Peering, whose token
        // changes) is replaced too: the dependent is deleted first, then the token; then both are created.
        const pdiff = await peerings.diff(dialerName, p1, { peerName: dialerName, peeringToken: UNKNOWN, connection: dc2 });
        assert.deepEqual([pdiff.replaces, pdiff.deleteBeforeReplace], [["peeringToken"], true]);
        await peerings.delete(dialerName, p1);
        await tokens.delete(acceptorName, v1);
        const v2 = (await tokens.create({ peerName: acceptorName, version: 2, connection: dc1 })).outs;
        assert.notEqual(v2.peeringToken, v1.peeringToken);
        assert.notEqual(v2.peeringId, v1.peeringId);
        const inputs2: PeeringInputs = { peerName: dialerName, peeringToken: v2.peeringToken, connection: dc2 };
        const p2 = (await peerings.create(inputs2)).outs;
        assert.equal(p2.state, "ACTIVE");
        assert.equal(p2.peerId, v2.peeringId);
        assert.equal((await list(DC1)).find((p) => p.Name === acceptorName)?.State, "ACTIVE");
    });

    it("manages its (service, peer) pairs of the shared exported-services entry and compares them as a set", async () => {
        const mark = uniqueSuffix();
        const inputs = {
            services: [
                { name: `web-${mark}`, consumers: [{ peer: "b-peer" }, { peer: "a-peer" }] },
                { name: `api-${mark}`, consumers: [{ peer: "a-peer" }] },
            ],
            connection: dc1,
        };
        type Held = { Services: Array<{ Name: string; Consumers: Array<{ Peer: string }> }> };
        const held = async () =>
            (await consul<Held>("GET", `${DC1}/v1/config/exported-services/default`)).body.Services.flatMap((s) =>
                s.Consumers.map((c) => `${s.Name}/${c.Peer}`),
            ).sort();
        try {
            const created = await exported.create(inputs);
            const outs = created.outs;
            assert.equal(created.id, "default");
            assert.deepEqual(
                outs.services.map((s) => [s.name, s.consumers.map((c) => c.peer)]),
                [
                    [`api-${mark}`, ["a-peer"]],
                    [`web-${mark}`, ["a-peer", "b-peer"]],
                ],
            );
            // Same services in another order: no diff.
            const reordered = { ...inputs, services: [...inputs.services].reverse() };
            assert.equal((await exported.diff("default", outs, reordered)).changes, false);
            // Another resource's pairs go into the same entry beside ours; neither removes the other's.
            const other = await exported.create({ services: [{ name: `db-${mark}`, consumers: [{ peer: "a-peer" }] }], connection: dc1 });
            assert.deepEqual(await held(), [`api-${mark}/a-peer`, `db-${mark}/a-peer`, `web-${mark}/a-peer`, `web-${mark}/b-peer`]);
            assert.deepEqual((await exported.read("default", outs)).props, outs, "the other resource's pair is not drift");

            // Drift: a declared pair removed by hand is read as missing, and the diff shows the way back;
            // a consumer someone else adds (c-peer) is theirs, and is kept.
            const entry = (await consul<Held>("GET", `${DC1}/v1/config/exported-services/default`)).body;
            const web = entry.Services.find((s) => s.Name === `web-${mark}`)!;
            web.Consumers = [...web.Consumers.filter((c) => c.Peer !== "b-peer"), { Peer: "c-peer" }];
            await consul("PUT", `${DC1}/v1/config`, { Kind: "exported-services", Name: "default", Services: entry.Services });
            const read = await exported.read("default", outs);
            const drifted = read.props as ExportedServicesOutputs;
            assert.ok(!drifted.services.some((s) => s.consumers.some((c) => c.peer === "b-peer" || c.peer === "c-peer")));
            assert.equal((await exported.diff("default", drifted, inputs)).changes, true);
            const updated = (await exported.update("default", drifted, inputs)).outs;
            assert.equal((await exported.diff("default", updated, inputs)).changes, false);
            assert.ok((await held()).includes(`web-${mark}/c-peer`), "someone else's consumer is kept");

            await exported.delete("default", updated);
            assert.deepEqual(await held(), [`db-${mark}/a-peer`, `web-${mark}/c-peer`]);
            assert.deepEqual(await exported.read("default", updated), {});
            await exported.delete("default", other.outs);
            assert.deepEqual(await held(), [`web-${mark}/c-peer`], "only someone else's pair is left");
        } finally {
            await consul("DELETE", `${DC1}/v1/config/exported-services/default`);
        }
    });
});
