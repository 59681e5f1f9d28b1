// Issue 29 (found by bench:fleet with six clusters destroyed at once): a peering's deletion mark can
// be overwritten by the peer's own termination arriving at the same moment, and Consul then keeps
// the peering TERMINATED for good. deletePeeringAndWait deletes again while the mark is missing.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ConsulClient } from "../../provider/consul/client";
import { resolveConnection } from "../../provider/consul/connection";
import { deletePeeringAndWait } from "../../provider/engine/peering-api";

/** A fake Consul holding one peering "dc6"; `onDelete` decides what each DELETE leaves behind. */
async function fakeConsul(onDelete: (n: number) => "lost" | "marked" | "gone") {
    let peering: Record<string, unknown> | undefined = { ID: "p1", Name: "dc6", State: "TERMINATED" };
    let deletes = 0;
    const server = http.createServer((req, res) => {
        if (req.method === "DELETE") {
            deletes++;
            const outcome = onDelete(deletes);
            if (outcome === "gone") peering = undefined;
            else if (outcome === "marked") peering = { ...peering, State: "DELETING", DeletedAt: new Date().toISOString() };
            res.writeHead(200, { "content-type": "application/json" }).end("{}");
            return;
        }
        if (!peering) res.writeHead(404).end("peering not found");
        else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(peering));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new ConsulClient(
        resolveConnection({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` }, () => undefined, {}),
    );
    return { client, deletes: () => deletes, close: () => new Promise((r) => server.close(r)) };
}

describe("deletePeeringAndWait", function () {
    this.timeout(20_000);

    it("deletes again when the deletion mark was lost (TERMINATED without DeletedAt), until the peering is gone", async () => {
        const fake = await fakeConsul((n) => (n === 1 ? "lost" : "gone"));
        try {
            await deletePeeringAndWait(fake.client, "dc6", 10_000);
            assert.equal(fake.deletes(), 2);
        } finally {
            await fake.close();
        }
    });

    it("sends one DELETE while the peering is marked DELETING, and fails naming it when it outlives the bound", async () => {
        const fake = await fakeConsul(() => "marked");
        try {
            await assert.rejects(
                () => deletePeeringAndWait(fake.client, "dc6", 2_500),
                /peering "dc6" at .* was deleted but is still there after 3 s \(state DELETING\)/,
            );
            assert.equal(fake.deletes(), 1);
        } finally {
            await fake.close();
        }
    });
});
