// Issue 29: a refresh that cannot reach Consul is not evidence that an object is gone. Every kind's
// read must fail (naming the address) on a refused connection, never answer {} (which Pulumi records
// as deleted). The cross-cluster reads of a peering (the other side's cluster down) are covered by
// tests/e2e/fleet-example.test.ts.
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { providers } from "../../provider/index";

interface Readable {
    read(id: string, props: unknown): Promise<unknown>;
}

describe("read of every kind with Consul unreachable", function () {
    this.timeout(60_000);
    let address = "";
    before(async () => {
        // A port that was just free: nothing listens there, so every connection is refused.
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        await new Promise((resolve) => server.close(resolve));
    });

    /** Enough of every kind's recorded outputs for its read to reach Consul. */
    const props = () => {
        const connection = { address };
        return {
            connection,
            name: "api",
            kind: "service-defaults",
            peerName: "dc2",
            destination: "api",
            source: "web",
            accessorId: "00000000-0000-0000-0000-000000000001",
            services: [{ name: "api", consumers: [{ peer: "dc2" }] }],
            sources: [],
            expectations: [{ from: "web", to: "api", expect: "allow" }],
            provider: "consul",
            config: {},
            entry: {},
            dialer: { peerName: "dc1", connection },
            acceptor: { peerName: "dc1", connection },
        };
    };

    const kinds = Object.keys(providers).filter((k): k is keyof typeof providers => k in providers);
    for (const kind of kinds) {
        it(`${kind}: fails naming the address, never reports the object gone`, async () => {
            const provider: Readable = providers[kind];
            await assert.rejects(
                () => provider.read("api", props()),
                (err: Error) => {
                    assert.match(err.message, new RegExp(`${address.replace(/\./g, "\\.")}.*connection refused`));
                    return true;
                },
            );
        });
    }
});
