import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ConsulClient, retryStats } from "../../provider/client";
import { resolveConnection } from "../../provider/connection";
import { ConsulApiError } from "../../provider/errors";

// The retry policy is a pure client behaviour; a scripted loopback HTTP server (not a Consul
// stand-in: it returns fixed statuses) drives it. Behaviour against real Consul is in tests/integration.
function scriptedServer(statuses: Array<[number, string]>): Promise<{ url: string; hits: () => number; close: () => void }> {
    let hits = 0;
    const server = http.createServer((req, res) => {
        const [status, body] = statuses[Math.min(hits, statuses.length - 1)];
        hits++;
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(body.replace("$TOKEN", String(req.headers["x-consul-token"] ?? "")));
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as AddressInfo).port;
            resolve({ url: `http://127.0.0.1:${port}`, hits: () => hits, close: () => server.close() });
        }),
    );
}

function client(url: string, token?: string) {
    return new ConsulClient(resolveConnection({ address: url, token, timeoutMs: 2000 }, () => undefined, {}));
}

describe("Consul client", () => {
    it("retries 429, 503 and 'No cluster leader', then succeeds", async () => {
        const s = await scriptedServer([[429, "rate limit exceeded"], [503, "unavailable"], [500, "No cluster leader"], [200, "true"]]);
        const before = retryStats().retries;
        try {
            const res = await client(s.url).get<boolean>("/v1/x");
            assert.equal(res.body, true);
            assert.equal(s.hits(), 4);
            assert.equal(retryStats().retries - before, 3);
        } finally {
            s.close();
        }
    });

    it("does not retry validation errors and reports method, path, status and Consul's message", async () => {
        const s = await scriptedServer([[500, "Sources[0].Action must be set to 'allow' or 'deny'"]]);
        try {
            await assert.rejects(client(s.url).put("/v1/config", {}), (err: ConsulApiError) => {
                assert.ok(err instanceof ConsulApiError);
                assert.equal(err.statusCode, 500);
                assert.match(err.message, /PUT \/v1\/config at http:\/\/127\.0\.0\.1:\d+ failed: 500 Sources\[0\]\.Action/);
                return true;
            });
            assert.equal(s.hits(), 1);
        } finally {
            s.close();
        }
    });

    it("gives up after a bounded number of attempts", async function () {
        this.timeout(20_000);
        const s = await scriptedServer([[429, "rate limit exceeded"]]);
        try {
            await assert.rejects(client(s.url).get("/v1/x"), /429 rate limit exceeded/);
            assert.equal(s.hits(), 6);
        } finally {
            s.close();
        }
    });

    it("never includes the token in an error, even when the server echoes it", async () => {
        const s = await scriptedServer([[403, "Permission denied: token $TOKEN lacks operator:write"]]);
        try {
            await assert.rejects(client(s.url, "7d3c1f0e-secret").get("/v1/connect/ca/configuration"), (err: Error) => {
                assert.doesNotMatch(err.message, /7d3c1f0e/);
                assert.match(err.message, /403 Permission denied: token \[secret\]/);
                return true;
            });
        } finally {
            s.close();
        }
    });

    it("names the address when nothing listens there, without retrying", async () => {
        const started = Date.now();
        await assert.rejects(client("http://127.0.0.1:1").get("/v1/status/leader"), (err: ConsulApiError) => {
            assert.equal(err.statusCode, 0);
            assert.match(err.message, /at http:\/\/127\.0\.0\.1:1 failed: connection refused/);
            return true;
        });
        assert.ok(Date.now() - started < 2000);
    });
});
