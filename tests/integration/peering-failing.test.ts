import { strict as assert } from "node:assert";
import { PeeringProvider, type PeeringInputs, type PeeringOutputs } from "../../provider/resources/peering";
import { PeeringTokenProvider, type PeeringTokenOutputs } from "../../provider/resources/peering-token";
import { clusterSpecs } from "../../scripts/lib/clusters";
import { consul, DC1, DC2, uniqueSuffix } from "../support/consul";
import { waitFor } from "../support/faults";
import { TcpProxy } from "../support/tcp-proxy";

const tokens = new PeeringTokenProvider();
const peerings = new PeeringProvider();
const dc1 = { address: DC1 };
const dc2 = { address: DC2 };

interface Peering {
    ID: string;
    State: string;
}
const stateOf = async (address: string, name: string) => {
    const res = await consul<Peering>("GET", `${address}/v1/peering/${name}`);
    return res.status === 200 ? res.body : undefined;
};

// Issue 15, defect 2: a peering whose stream broke is FAILING, and Consul keeps re-dialing it. The
// acceptor is reached through a TCP forwarder (serverExternalAddresses) that the test cuts and restores.
describe("Peering through an outage: FAILING is a state, not a deletion", function () {
    this.timeout(180_000);
    const mark = uniqueSuffix();
    const acceptorName = `dc2-fail-${mark}`;
    const dialerName = `dc1-fail-${mark}`;
    const grpcTls = clusterSpecs().find((c) => c.name === "dc1")!.ports.grpcTls;
    const proxy = new TcpProxy("127.0.0.1", grpcTls);

    after(async () => {
        await proxy.cut();
        await consul("DELETE", `${DC2}/v1/peering/${dialerName}`);
        await consul("DELETE", `${DC1}/v1/peering/${acceptorName}`);
    });

    it("reads a FAILING peering as it is, fails up naming the state, and keeps it until Consul brings it back", async () => {
        const port = await proxy.start();
        const token = (await tokens.create({ peerName: acceptorName, serverExternalAddresses: [`127.0.0.1:${port}`], connection: dc1 }))
            .outs;
        const inputs: PeeringInputs = { peerName: dialerName, peeringToken: token.peeringToken, connection: dc2 };
        const made = (await peerings.create(inputs)).outs;
        assert.equal(made.state, "ACTIVE");

        await proxy.cut();
        await waitFor(
            "the dialer's peering to turn FAILING",
            async () => ((await stateOf(DC2, dialerName))?.State === "FAILING" ? true : undefined),
            60_000,
        );

        // Refresh: still there, with its state (drift), not gone.
        const read = await peerings.read(dialerName, made);
        assert.equal(read.id, dialerName, "a FAILING peering must not read as deleted");
        const seen = read.props as PeeringOutputs;
        assert.equal(seen.state, "FAILING");
        assert.equal(seen.peeringId, made.peeringId);
        const tokenRead = await tokens.read(acceptorName, token);
        assert.equal(tokenRead.id, acceptorName, "the acceptor's side is not gone either");
        assert.notEqual((tokenRead.props as PeeringTokenOutputs).peeringId, undefined);

        // up: an update (no replacement) that waits within its bound, then fails naming the state.
        const diff = await peerings.diff(dialerName, seen, inputs);
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
        await assert.rejects(peerings.update(dialerName, seen, { ...inputs, activeTimeoutSeconds: 1 }), (err: Error) => {
            assert.match(
                err.message,
                /did not become ACTIVE \(last state FAILING\) within 1 s\. Consul reports FAILING: the stream to the peer broke/,
            );
            return true;
        });
        assert.equal((await stateOf(DC2, dialerName))?.ID, made.peeringId, "the failing peering is kept");

        // The network comes back: Consul re-dials the same peering, and up succeeds.
        await proxy.start();
        const healed = (await peerings.update(dialerName, seen, inputs)).outs;
        assert.equal(healed.state, "ACTIVE");
        assert.equal(healed.peeringId, made.peeringId, "the same peering, never re-created");
        assert.equal((await peerings.diff(dialerName, healed, inputs)).changes, false);
    });
});
