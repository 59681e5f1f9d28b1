// Finding (low): path segments "." and ".." pass encodeURIComponent and are resolved by the URL
// parser, reaching another endpoint with the token (only `check` stopped them). One path helper in
// the client refuses them, also percent-encoded, for every request; a recording server shows that
// nothing was sent.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider } from "../support/probe-provider";

describe("security: dot segments never reach a request", () => {
    let server: RecordingServer;
    before(async () => {
        server = await startRecordingServer();
    });
    after(() => server.close());

    it("refuses . and .. segments (plain or percent-encoded) for every method", async () => {
        const client = new ProbeProvider().clientFor({ address: server.address, token: "scoped-token" });
        const names = ["..", ".", "%2e%2e", "%2E.", ".%2e", "%2e"];
        for (const name of names) {
            const p = `/v1/acl/policy/${name}`;
            await assert.rejects(client.get(p, z.unknown()), /segment would reach another endpoint/);
            await assert.rejects(client.put(`/v1/acl/token/${name}/x`, {}, z.unknown()), /segment would reach another endpoint/);
            await assert.rejects(client.delete(`/v1/config/service-defaults/${name}`, z.unknown()), /segment would reach another endpoint/);
            await assert.rejects(client.post(`/v1/peering/${name}`, {}, z.unknown()), /segment would reach another endpoint/);
        }
        assert.equal(server.requests.length, 0);
        // A name that merely contains dots is fine and goes where it says.
        await client.get(`/v1/acl/policy/${encodeURIComponent("web..v2")}`, z.unknown());
        assert.deepEqual(
            server.requests.map((r) => r.path),
            ["/v1/acl/policy/web..v2"],
        );
    });
});
