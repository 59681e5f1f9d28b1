// Finding (low): addresses with credentials (`http://user:pass@host`) were accepted, silently not
// used and printed in errors and the retry log; addresses with a path, query or fragment sent the
// token to another endpoint. Both are refused before any request, and the refusal never prints
// the password. A recording server shows that nothing (and no token) reached it.
import { strict as assert } from "node:assert";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider, withEnv } from "../support/probe-provider";

describe("security: addresses with credentials, a path, a query or a fragment are refused", () => {
    let server: RecordingServer;
    before(async () => {
        server = await startRecordingServer();
    });
    after(() => server.close());

    it("refuses each form before any request, naming the problem and never the password", async () => {
        const hostPort = server.address.replace("http://", "");
        const cases: Array<[string, RegExp]> = [
            [`http://admin:hunter2-secret@${hostPort}`, /must not carry user:password@/],
            [`http://admin@${hostPort}`, /must not carry user:password@/],
            [`${server.address}/v1/kv/elsewhere`, /must not carry a path/],
            [`${server.address}/?dc=x`, /must not carry a query or fragment/],
            [`${server.address}#frag`, /must not carry a query or fragment/],
            [`${server.address},http://u:hunter2-secret@127.0.0.1:1`, /must not carry user:password@/],
        ];
        for (const [address, reason] of cases) {
            for (const where of ["input", "stack config", "environment"] as const) {
                const run = () => {
                    const provider = new ProbeProvider(where === "stack config" ? { address, token: "stack-token" } : {});
                    return provider.clientFor(where === "input" ? { address, token: "own-token" } : undefined);
                };
                const env =
                    where === "environment"
                        ? { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_TOKEN: "env-token" }
                        : { CONSUL_HTTP_ADDR: undefined };
                await withEnv(env, () => {
                    assert.throws(run, (err: Error) => {
                        assert.match(err.message, reason, `${address} from ${where}`);
                        assert.ok(!err.message.includes("hunter2-secret"), `${where}: the password is not in the message`);
                        return true;
                    });
                    return Promise.resolve();
                });
            }
        }
        assert.equal(server.requests.length, 0, "no request (and so no token) reached the server");
    });
});
