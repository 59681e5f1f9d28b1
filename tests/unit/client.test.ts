import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { assertSafePath, backoffMs, ConsulClient, retryStats, undiciParts } from "../../provider/consul/client";
import { resolveConnection } from "../../provider/consul/connection";
import { ConsulApiError } from "../../provider/consul/errors";

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

/** Every backoff the clients below asked for, in ms; the fake sleeper returns at once (no real waiting). */
let slept: number[] = [];
const fakeSleep = (ms: number): Promise<void> => {
    slept.push(ms);
    return Promise.resolve();
};

function client(url: string, token?: string) {
    return new ConsulClient(
        resolveConnection({ address: url, token, timeoutMs: 2000 }, () => undefined, {}),
        fakeSleep,
    );
}

describe("Consul client", () => {
    beforeEach(() => {
        slept = [];
    });

    it("loads only undici's Agent and request API (the installed undici still has them where the client looks)", () => {
        // The fallback (the whole package) works too, but costs each provider process about 25 ms more (issue 30).
        assert.equal(undiciParts().whole, false);
        assert.equal(typeof undiciParts().Agent, "function");
    });

    it("sends the path and query through undici's request API as given", async () => {
        let seen = "";
        const server = http.createServer((req, res) => {
            seen = `${req.method} ${req.url}`;
            res.writeHead(200, { "content-type": "application/json" });
            res.end("{}");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            await client(url).get("/v1/config/service-intentions/web", z.unknown(), { query: { ns: "a b" } });
            assert.equal(seen, "GET /v1/config/service-intentions/web?ns=a+b");
        } finally {
            server.close();
        }
    });

    it("backs off exponentially from 250 ms, half jittered, capped at 4 s", () => {
        assert.deepEqual(
            [1, 2, 3, 4, 5, 6, 9].map((a) => backoffMs(a, () => 0)),
            [125, 250, 500, 1000, 2000, 2000, 2000],
        );
        assert.deepEqual(
            [1, 2, 5, 9].map((a) => backoffMs(a, () => 1)),
            [250, 500, 4000, 4000],
        );
    });

    it("retries 429, 503 and 'No cluster leader', then succeeds", async () => {
        const s = await scriptedServer([
            [429, "rate limit exceeded"],
            [503, "unavailable"],
            [500, "No cluster leader"],
            [200, "true"],
        ]);
        const before = retryStats().retries;
        try {
            const res = await client(s.url).get("/v1/x", z.boolean());
            assert.equal(res.body, true);
            assert.equal(s.hits(), 4);
            assert.equal(retryStats().retries - before, 3);
            assert.equal(slept.length, 3, "one backoff before each repeat");
            slept.forEach((ms, i) => assert.ok(ms >= 125 * 2 ** i && ms <= 250 * 2 ** i, `backoff ${i + 1} is ${ms} ms`));
        } finally {
            s.close();
        }
    });

    it("does not retry validation errors and reports method, path, status and Consul's message", async () => {
        const s = await scriptedServer([[500, "Sources[0].Action must be set to 'allow' or 'deny'"]]);
        try {
            await assert.rejects(client(s.url).put("/v1/config", {}, z.unknown()), (err: ConsulApiError) => {
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

    it("gives up on a throttling server after a bounded number of attempts (more patient than for other errors)", async () => {
        const s = await scriptedServer([[429, "rate limit exceeded"]]);
        try {
            await assert.rejects(client(s.url).get("/v1/x", z.unknown()), /429 rate limit exceeded/);
            assert.equal(s.hits(), 10);
            assert.equal(slept.length, 9, "a backoff between each two attempts");
            const total = slept.reduce((a, b) => a + b, 0);
            assert.ok(total >= 12_000 && total <= 24_500, `about 25 s of patience in all, got ${total} ms`);
        } finally {
            s.close();
        }
    });

    it("never includes the token in an error, even when the server echoes it", async () => {
        const s = await scriptedServer([[403, "Permission denied: token $TOKEN lacks operator:write"]]);
        try {
            await assert.rejects(client(s.url, "7d3c1f0e-secret").get("/v1/connect/ca/configuration", z.unknown()), (err: Error) => {
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
        await assert.rejects(client("http://127.0.0.1:1").get("/v1/status/leader", z.unknown()), (err: ConsulApiError) => {
            assert.equal(err.statusCode, 0);
            assert.match(err.message, /at http:\/\/127\.0\.0\.1:1 failed: connection refused/);
            return true;
        });
        assert.ok(Date.now() - started < 2000);
    });

    it("names the cluster by the program's name for it (connection.clusterName) before its address", async () => {
        const named = new ConsulClient(
            resolveConnection({ address: "http://127.0.0.1:1", clusterName: "dc4", timeoutMs: 2000 }, () => undefined, {}),
            fakeSleep,
        );
        await assert.rejects(named.get("/v1/peerings", z.unknown()), (err: ConsulApiError) => {
            assert.equal(err.cluster, "dc4");
            assert.equal(err.address, "http://127.0.0.1:1", "the address itself is unchanged");
            assert.match(err.message, /Consul GET \/v1\/peerings at cluster "dc4" \(http:\/\/127\.0\.0\.1:1\) failed: connection refused/);
            return true;
        });
    });

    it("fails over to the next address when a server refuses connections, then sticks to the one that answered", async () => {
        const s = await scriptedServer([[200, "true"]]);
        const before = { ...retryStats() };
        try {
            const c = client(`http://127.0.0.1:1,${s.url}`);
            assert.deepEqual(c.conn.baseUrls, ["http://127.0.0.1:1", s.url]);
            assert.equal((await c.get("/v1/x", z.boolean())).body, true);
            assert.equal(retryStats().failovers - before.failovers, 1);
            assert.equal(retryStats().retries - before.retries, 0, "a failover is not a backoff retry");
            // The next call goes straight to the server that answered.
            assert.equal((await client(`http://127.0.0.1:1,${s.url}`).get("/v1/x", z.boolean())).body, true);
            assert.equal(retryStats().failovers - before.failovers, 1);
            assert.equal(s.hits(), 2);
        } finally {
            s.close();
        }
    });

    it("fails over when a server has no leader or is losing it", async () => {
        const leaderless = await scriptedServer([[500, "No cluster leader"]]);
        const losing = await scriptedServer([[500, "rpc error making call: EOF"]]);
        const healthy = await scriptedServer([[200, '"ok"']]);
        try {
            const res = await client(`${leaderless.url},${losing.url},${healthy.url}`).get("/v1/y", z.string());
            assert.equal(res.body, "ok");
            assert.deepEqual([leaderless.hits(), losing.hits(), healthy.hits()], [1, 1, 1]);
        } finally {
            leaderless.close();
            losing.close();
            healthy.close();
        }
    });

    it("names every server when none is reachable, without backoff", async () => {
        const started = Date.now();
        await assert.rejects(
            client("http://127.0.0.1:1,http://127.0.0.1:2").get("/v1/status/leader", z.unknown()),
            (err: ConsulApiError) => {
                assert.equal(err.statusCode, 0);
                assert.match(err.message, /connection refused .*tried every server: http:\/\/127\.0\.0\.1:1, http:\/\/127\.0\.0\.1:2/);
                return true;
            },
        );
        assert.ok(Date.now() - started < 2000);
    });

    it("still never repeats a retry: false call that reached a server", async () => {
        const first = await scriptedServer([[500, "No cluster leader"]]);
        const second = await scriptedServer([[200, "true"]]);
        try {
            await assert.rejects(
                client(`${first.url},${second.url}`).post("/v1/peering/token", {}, z.unknown(), { retry: false }),
                /No cluster leader/,
            );
            assert.deepEqual([first.hits(), second.hits()], [1, 0]);
        } finally {
            first.close();
            second.close();
        }
    });

    it("appends one JSON line per retry to CONSUL_MESH_RETRY_LOG", async () => {
        const s = await scriptedServer([
            [429, "rate limit exceeded"],
            [200, "true"],
        ]);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cm-retry-")), "retries.jsonl");
        process.env.CONSUL_MESH_RETRY_LOG = file;
        try {
            await client(s.url).get("/v1/z", z.unknown());
            const lines = fs
                .readFileSync(file, "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as Record<string, unknown>);
            assert.equal(lines.length, 1);
            assert.equal(lines[0].kind, "retry");
            assert.equal(lines[0].status, 429);
            assert.equal(lines[0].path, "/v1/z");
        } finally {
            delete process.env.CONSUL_MESH_RETRY_LOG;
            s.close();
        }
    });

    it("backs off and retries when the other servers have no leader and the old leader refuses connections", async () => {
        const survivor = await scriptedServer([
            [500, "No cluster leader"],
            [200, "true"],
        ]);
        const before = { ...retryStats() };
        try {
            // The dead leader (port 1) is listed first and tried again after the backoff: still refused, then the survivor answers.
            assert.equal((await client(`${survivor.url},http://127.0.0.1:1`).get("/v1/x", z.boolean())).body, true);
            assert.equal(retryStats().retries - before.retries, 1);
            assert.ok(retryStats().failovers - before.failovers >= 1);
            assert.equal(slept.length, 1, "one backoff before the second round");
        } finally {
            survivor.close();
        }
    });

    it("does not retry a validation error even after another server had no leader", async () => {
        const leaderless = await scriptedServer([[500, "No cluster leader"]]);
        const strict = await scriptedServer([[400, "Invalid service name"]]);
        try {
            await assert.rejects(client(`${leaderless.url},${strict.url}`).put("/v1/config", {}, z.unknown()), /400 Invalid service name/);
            assert.deepEqual([leaderless.hits(), strict.hits()], [1, 1]);
        } finally {
            leaderless.close();
            strict.close();
        }
    });

    it("marks a write whose answer was lost as possibly applied, and a refused or throttled one as not", async () => {
        // Reads the whole request, then cuts the connection: the request arrived, the answer never came.
        let cutHits = 0;
        const cut = http.createServer((req) => {
            cutHits++;
            req.resume();
            req.on("end", () => req.socket.destroy());
        });
        await new Promise<void>((r) => cut.listen(0, "127.0.0.1", r));
        const cutUrl = `http://127.0.0.1:${(cut.address() as AddressInfo).port}`;
        const throttled = await scriptedServer([[429, "rate limit exceeded"]]);
        const outcome = async (url: string, method: "put" | "get") => {
            const c = client(url);
            const err = await (method === "put" ? c.put("/v1/config", {}, z.unknown()) : c.get("/v1/config", z.unknown())).then(
                () => assert.fail("must fail"),
                (e: unknown) => e as ConsulApiError,
            );
            assert.ok(err instanceof ConsulApiError, String(err));
            return err.writeMayHaveLanded;
        };
        try {
            assert.equal(await outcome(cutUrl, "put"), true, "a PUT cut after sending");
            assert.equal(cutHits, 6, "other retryable failures: 6 attempts");
            assert.equal(slept.length, 5, "a backoff between each two of the 6 attempts");
            assert.equal(await outcome(cutUrl, "get"), false, "reads change nothing");
            assert.equal(await outcome("http://127.0.0.1:1", "put"), false, "refused: never sent");
            assert.equal(await outcome(throttled.url, "put"), false, "429: refused by Consul");
        } finally {
            cut.close();
            throttled.close();
        }
    });
});

describe('Consul client, writes that must not be repeated once sent (retry: "until-sent")', () => {
    beforeEach(() => {
        slept = [];
    });

    it("repeats answers that prove the write was not applied (429, no leader), then succeeds", async () => {
        const s = await scriptedServer([
            [429, "rate limit exceeded"],
            [500, "No cluster leader"],
            [200, "true"],
        ]);
        try {
            const res = await client(s.url).put("/v1/acl/binding-rule", {}, z.boolean(), { retry: "until-sent" });
            assert.equal(res.body, true);
            assert.equal(s.hits(), 3);
        } finally {
            s.close();
        }
    });

    it("stops at the first attempt whose outcome is unknown, marked as possibly applied", async () => {
        let hits = 0;
        const cut = http.createServer((req) => {
            hits++;
            req.resume();
            req.on("end", () => req.socket.destroy());
        });
        await new Promise<void>((r) => cut.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(cut.address() as AddressInfo).port}`;
        try {
            const err = await client(url)
                .put("/v1/acl/binding-rule", {}, z.unknown(), { retry: "until-sent" })
                .then(
                    () => assert.fail("must fail"),
                    (e: unknown) => e,
                );
            assert.ok(err instanceof ConsulApiError, String(err));
            assert.equal(err.writeMayHaveLanded, true);
            assert.equal(hits, 1, "sent once: never repeated");
            assert.deepEqual(slept, []);
        } finally {
            cut.close();
        }
    });
});

describe("request paths", () => {
    it("refuses . and .. segments (also percent-encoded) before any request", async () => {
        for (const bad of ["/v1/peering/..", "/v1/peering/.", "/v1/config/service-defaults/%2e%2E", "/v1/x/%2e/y"]) {
            assert.throws(() => assertSafePath(bad), /a "\." or "\.\." segment would reach another endpoint/, bad);
        }
        assert.doesNotThrow(() => assertSafePath("/v1/peering/a.b..c?dc=x"));
        const client = new ConsulClient(resolveConnection({ address: "http://127.0.0.1:1" }, () => undefined, {}));
        await assert.rejects(client.get("/v1/acl/token/..", z.unknown()), /segment would reach another endpoint/);
    });
});
