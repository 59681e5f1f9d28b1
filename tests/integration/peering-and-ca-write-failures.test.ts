import { strict as assert } from "node:assert";
import { CaConfigurationProvider, type CaConfigurationOutputs } from "../../provider/resources/ca-configuration";
import { PeeringProvider } from "../../provider/resources/peering";
import { PeeringTokenProvider } from "../../provider/resources/peering-token";
import { consul, DC1, DC2, uniqueSuffix } from "../support/consul";
import { LossyProxy } from "../support/lossy-proxy";

interface Listed {
    Name: string;
    State: string;
    ID: string;
}
const list = async (address: string) => (await consul<Listed[]>("GET", `${address}/v1/peerings`)).body;
const mine = async (address: string, mark: string) => (await list(address)).filter((p) => p.Name.includes(mark));
const decodedPeerId = (token: string) => (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { PeerID: string }).PeerID;
const injected = () => Promise.reject(new Error("injected failure after the write"));

describe("writes of PeeringToken, Peering and CaConfiguration whose answers are lost, or that fail after the write", function () {
    this.timeout(120_000);
    let mark: string;
    const proxies: LossyProxy[] = [];
    async function lossy(target: string): Promise<{ proxy: LossyProxy; address: string }> {
        const proxy = new LossyProxy(target);
        proxies.push(proxy);
        return { proxy, address: await proxy.start() };
    }
    beforeEach(() => {
        mark = uniqueSuffix();
    });
    afterEach(async () => {
        for (const p of proxies.splice(0)) await p.stop();
        for (const address of [DC2, DC1])
            for (const p of await mine(address, mark)) await consul("DELETE", `${address}/v1/peering/${p.Name}`);
    });

    // Issue 15, defect 4: generate-token is retried after a lost answer; Consul reuses the acceptor peering.
    it("a token generation whose answer was lost is repeated: one acceptor peering, the returned token works, the lost one is void", async () => {
        const { proxy, address } = await lossy(DC1);
        let first = true;
        proxy.lose = (method, url) => method === "POST" && url.startsWith("/v1/peering/token") && (first ? !(first = false) : false);
        const acceptor = `acc-${mark}`;
        const outs = (await new PeeringTokenProvider().create({ peerName: acceptor, connection: { address } })).outs;
        assert.equal(proxy.lost.length, 1, "one answer was lost");
        const lostToken = (JSON.parse(proxy.lost[0].body) as { PeeringToken: string }).PeeringToken;
        assert.equal(decodedPeerId(lostToken), outs.peeringId, "the repeat reused the peering the lost call made");
        assert.notEqual(lostToken, outs.peeringToken);
        assert.deepEqual(
            (await mine(DC1, mark)).map((p) => `${p.Name}:${p.State}:${p.ID}`),
            [`${acceptor}:PENDING:${outs.peeringId}`],
        );
        const peerings = new PeeringProvider();
        // The lost token was superseded by the repeat: nobody can use it.
        await assert.rejects(
            peerings.create({ peerName: `lost-${mark}`, peeringToken: lostToken, connection: { address: DC2 } }),
            /already used, or a newer token was generated/,
        );
        const made = (await peerings.create({ peerName: `dial-${mark}`, peeringToken: outs.peeringToken, connection: { address: DC2 } }))
            .outs;
        assert.equal(made.state, "ACTIVE");
        assert.equal(made.peerId, outs.peeringId);
    });

    // Issue 15, defect 5: an establish whose answer was lost went through; create finds it and succeeds.
    it("an establish whose answer was lost finds the peering it made and succeeds (no PENDING leftover, no 'already exists')", async () => {
        const token = (await new PeeringTokenProvider().create({ peerName: `acc-${mark}`, connection: { address: DC1 } })).outs;
        const { proxy, address } = await lossy(DC2);
        proxy.lose = (method, url) => method === "POST" && url.startsWith("/v1/peering/establish");
        const peerings = new PeeringProvider();
        const inputs = { peerName: `dial-${mark}`, peeringToken: token.peeringToken, connection: { address } };
        const outs = (await peerings.create(inputs)).outs;
        assert.equal(proxy.lost.length, 1);
        assert.equal(outs.state, "ACTIVE");
        // And a later create (the next `up` after a failed one) finds it too.
        proxy.lose = () => false;
        assert.equal((await peerings.create(inputs)).outs.peeringId, outs.peeringId);
        assert.deepEqual(
            (await mine(DC2, mark)).map((p) => `${p.Name}:${p.State}`),
            [`dial-${mark}:ACTIVE`],
        );
    });

    it("a PENDING leftover of an earlier failed establish of the same acceptor is cleared and established anew, not waited on", async () => {
        const token = (await new PeeringTokenProvider().create({ peerName: `acc-${mark}`, connection: { address: DC1 } })).outs;
        const decoded = JSON.parse(Buffer.from(token.peeringToken, "base64").toString("utf8")) as Record<string, unknown>;
        const unreachable = Buffer.from(JSON.stringify({ ...decoded, ServerAddresses: ["127.0.0.1:1"] })).toString("base64");
        // Consul itself leaves the PENDING peering behind when the acceptor cannot be reached.
        const raw = await consul("POST", `${DC2}/v1/peering/establish`, { PeerName: `dial-${mark}`, PeeringToken: unreachable });
        assert.notEqual(raw.status, 200);
        assert.deepEqual(
            (await mine(DC2, mark)).map((p) => p.State),
            ["PENDING"],
        );
        const outs = (
            await new PeeringProvider().create({
                peerName: `dial-${mark}`,
                peeringToken: token.peeringToken,
                activeTimeoutSeconds: 20,
                connection: { address: DC2 },
            })
        ).outs;
        assert.equal(outs.state, "ACTIVE");
    });

    // Issue 15, defect 5 (PeeringToken): an existing acceptor with other meta is another object.
    it("a PeeringToken create over an acceptor peering of that name succeeds when it is the same, and is refused when its meta differs", async () => {
        const tokens = new PeeringTokenProvider();
        const inputs = { peerName: `acc-${mark}`, meta: { team: "a" }, connection: { address: DC1 } };
        const first = (await tokens.create(inputs)).outs;
        const again = (await tokens.create(inputs)).outs;
        assert.equal(again.peeringId, first.peeringId);
        await assert.rejects(tokens.create({ ...inputs, meta: { team: "b" } }), /already exists .*with other meta/);
    });

    // Issue 15, defect 8: whatever fails after the write is undone before the error is returned.
    it("a PeeringToken create that fails after its write leaves no acceptor peering behind", async () => {
        const tokens = new PeeringTokenProvider();
        tokens.afterWrite = injected;
        await assert.rejects(tokens.create({ peerName: `acc-${mark}`, connection: { address: DC1 } }), /injected failure/);
        assert.deepEqual(await mine(DC1, mark), []);
    });

    it("a Peering create that fails after its establish leaves no dialer peering behind", async () => {
        const token = (await new PeeringTokenProvider().create({ peerName: `acc-${mark}`, connection: { address: DC1 } })).outs;
        const peerings = new PeeringProvider();
        peerings.afterWrite = injected;
        await assert.rejects(
            peerings.create({ peerName: `dial-${mark}`, peeringToken: token.peeringToken, connection: { address: DC2 } }),
            /injected failure/,
        );
        assert.deepEqual(await mine(DC2, mark), []);
    });

    it("a CaConfiguration create that fails after its write puts the previous configuration back", async () => {
        const reset = { Provider: "consul", Config: { LeafCertTTL: "72h", IntermediateCertTTL: "8760h", RootCertTTL: "87600h" } };
        assert.equal((await consul("PUT", `${DC2}/v1/connect/ca/configuration`, reset)).status, 200);
        const read = async () =>
            (await consul<{ Config: Record<string, unknown> }>("GET", `${DC2}/v1/connect/ca/configuration`)).body.Config;
        const roots = async () => (await consul<{ ActiveRootID: string }>("GET", `${DC2}/v1/connect/ca/roots`)).body.ActiveRootID;
        const [configBefore, rootBefore] = [await read(), await roots()];
        const ca = new CaConfigurationProvider();
        ca.afterWrite = injected;
        await assert.rejects(
            ca.create({ config: { leafCertTtl: "24h" }, connection: { address: DC2 } }),
            (err: Error & { id?: string }) => {
                assert.match(err.message, /injected failure/);
                assert.equal(err.id, undefined, "undone: nothing to record");
                return true;
            },
        );
        assert.deepEqual(await read(), configBefore);
        assert.equal(await roots(), rootBefore);
        // Without the injected failure the same create goes through.
        ca.afterWrite = undefined;
        const outs: CaConfigurationOutputs = (await ca.create({ config: { leafCertTtl: "24h" }, connection: { address: DC2 } })).outs;
        assert.equal(outs.config?.leafCertTtl, "24h");
        await consul("PUT", `${DC2}/v1/connect/ca/configuration`, reset);
    });
});
