import { strict as assert } from "node:assert";
import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

// Issue 15, defect 9: ClusterPeering used to build a Consul client in the program and call
// /v1/agent/self inside an apply, so a preview needed the network and a token in the program
// process. The program now leaves unset peer names to the providers.
describe("ClusterPeering in the program", function () {
    this.timeout(20_000);
    let server: net.Server;
    let connections = 0;
    let address = "";
    const registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];

    before(async () => {
        // A "Consul" that counts every connection the program makes and hangs up at once.
        server = net.createServer((socket) => {
            connections++;
            socket.destroy();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        address = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    const inputs = z.record(z.string(), z.unknown()).parse(args.inputs);
                    registered.push({ type: args.type, name: args.name, inputs });
                    return { id: `${args.name}-id`, state: inputs };
                },
                call: () => ({}),
            },
            "project",
            "stack",
            true, // preview
        );
    });
    after(() => server.close());

    it("makes no Consul call and leaves unset peer names to the providers", async () => {
        const { ClusterPeering } = await import("../../sdk/components/cluster-peering");
        const peering = new ClusterPeering("p", {
            acceptor: { connection: { address, token: "acceptor-token" } },
            dialer: { connection: { address: `${address}/`, token: "dialer-token" } },
        });
        // Let every apply in the program run.
        await new Promise<void>((resolve) => pulumi.all([peering.token.urn, peering.peering.urn]).apply(() => resolve()));
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(connections, 0, "the program connected to Consul");
        const token = registered.find((r) => r.type.endsWith("PeeringToken"));
        const dialer = registered.find((r) => r.type.endsWith(":Peering"));
        assert.ok(token && dialer, `registered: ${registered.map((r) => r.type).join(", ")}`);
        assert.equal(token.inputs.peerName, undefined);
        assert.equal(dialer.inputs.peerName, undefined);
    });
});
