// Finding (low): a user header named X-Consul-Token (any letter case) merged with the token header,
// and header values (a proxy's credentials) were printed in errors. The header is refused before any
// request (input, stack config, or the resource's check), and header values are masked in errors
// even when the server echoes them. A recording server sees what was sent.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { connectionSchema } from "../../provider/consul/connection";
import { validate } from "../../provider/model/validation";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider } from "../support/probe-provider";

describe("security: X-Consul-Token headers refused, header values masked in errors", () => {
    let server: RecordingServer;
    before(async () => {
        server = await startRecordingServer((req) => ({
            status: 403,
            body: `Permission denied: proxy saw authorization=${String(req.headers["proxy-authorization"])} token=${req.token ?? ""}`,
        }));
    });
    after(() => server.close());
    beforeEach(() => {
        server.requests.length = 0;
    });

    it("refuses X-Consul-Token in any letter case, from input, stack config and check, before any request", () => {
        for (const name of ["X-Consul-Token", "x-consul-token", "X-CONSUL-TOKEN", "x-Consul-tOKEN"]) {
            assert.throws(
                () => new ProbeProvider().clientFor({ address: server.address, headers: { [name]: "smuggled-token" } }),
                /must not set X-Consul-Token/,
            );
            assert.throws(
                () =>
                    new ProbeProvider({ address: server.address, headers: JSON.stringify({ [name]: "smuggled-token" }) }).clientFor(
                        undefined,
                    ),
                /must not set X-Consul-Token/,
            );
            const { failures } = validate(z.object({ connection: connectionSchema() }), {
                connection: { address: server.address, headers: { [name]: "smuggled-token" } },
            });
            assert.deepEqual(
                failures.map((f) => f.property),
                ["connection.headers"],
            );
            assert.ok(!JSON.stringify(failures).includes("smuggled-token"));
        }
        assert.equal(server.requests.length, 0);
    });

    it("masks header values and the token in errors even when the server echoes them", async () => {
        const client = new ProbeProvider().clientFor({
            address: server.address,
            token: "the-real-token",
            headers: { "Proxy-Authorization": "Basic cHJveHk6c2VjcmV0" },
        });
        await assert.rejects(client.get("/v1/agent/self", z.unknown(), { retry: false }), (err: Error) => {
            assert.match(err.message, /403 Permission denied/);
            assert.ok(!err.message.includes("cHJveHk6c2VjcmV0"), "the header value is masked");
            assert.ok(!err.message.includes("the-real-token"), "the token is masked");
            assert.match(err.message, /authorization=\[secret\] token=\[secret\]/);
            return true;
        });
        assert.equal(server.requests.length, 1);
        assert.equal(server.requests[0].token, "the-real-token", "the token went in its own header, once");
        assert.equal(server.requests[0].headers["proxy-authorization"], "Basic cHJveHk6c2VjcmV0");
    });
});
