// Issue 31, items 1 and 2: a resource that exists in Consul is reached at the cluster recorded in its
// state (`cluster`), whatever the stack config and environment say today, and never with
// credentials that belong to another address.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import { z } from "zod";
import { ConsulClient, CredentialsElsewhereError } from "../../provider/consul/client";
import { parseClusterTarget, resolveConnection, resolveRecorded } from "../../provider/consul/connection";
import { IntentionAssertionsProvider, type Expectation } from "../../provider/resources/intention-assertions";
import { PeeringProvider } from "../../provider/resources/peering";
import { PeeringTokenProvider } from "../../provider/resources/peering-token";

const none = () => undefined;
const lookup = (values: Record<string, string>) => (k: string) => values[k];

describe("the recorded cluster", () => {
    it("parses a recorded target: addresses as recorded, the datacenter only when recorded", () => {
        assert.deepEqual(parseClusterTarget("http://127.0.0.1:8500"), {
            address: "http://127.0.0.1:8500",
            datacenter: undefined,
        });
        assert.deepEqual(parseClusterTarget("http://a:1,http://b:1?dc=dc2"), {
            address: "http://a:1,http://b:1",
            datacenter: "dc2",
        });
        for (const notATarget of [undefined, "", 42, "127.0.0.1:8500", "HTTP://a:1/"]) {
            assert.equal(parseClusterTarget(notATarget), undefined, String(notATarget));
        }
    });

    it("unchanged settings resolve as ever (token, address order, datacenter)", () => {
        const config = lookup({
            address: "http://b:1,http://a:1",
            token: "stack-token",
            datacenter: "dc9",
        });
        const conn = resolveRecorded({ cluster: "http://a:1,http://b:1?dc=dc9" }, config, {});
        assert.deepEqual(conn.baseUrls, ["http://b:1", "http://a:1"], "the program's preference order is kept");
        assert.equal(conn.token, "stack-token");
        assert.equal(conn.datacenter, "dc9");
        assert.equal(conn.withheldCredentials, undefined);
    });

    it("moved settings: requests go to the recorded cluster, the other cluster's token is withheld and the client says so", () => {
        // Story 1: deployed with CONSUL_HTTP_ADDR=dc3 (and its token), refreshed with another address.
        const env = {
            CONSUL_HTTP_ADDR: "http://other:8500",
            CONSUL_HTTP_TOKEN: "dc3-management",
        };
        const conn = resolveRecorded({ cluster: "http://dc3:8500" }, none, env);
        assert.deepEqual(conn.baseUrls, ["http://dc3:8500"]);
        assert.equal(conn.token, undefined, "the environment's token belongs to the environment's address");
        assert.ok(conn.withheldCredentials);
        assert.match(conn.withheldCredentials, /lives at http:\/\/dc3:8500/);
        assert.match(conn.withheldCredentials, /reach http:\/\/other:8500/);
        assert.match(conn.withheldCredentials, /CONSUL_HTTP_ADDR=http:\/\/dc3:8500 and CONSUL_HTTP_TOKEN/);
        assert.ok(!conn.withheldCredentials.includes("dc3-management"), "names settings, never values");

        // Story 2: consul-mesh:address/token moved from dc3 to dc2.
        const moved = lookup({ address: "http://dc2:9500", token: "dc2-token" });
        const old = resolveRecorded({ cluster: "http://dc3:8500" }, moved, {});
        assert.deepEqual(old.baseUrls, ["http://dc3:8500"], "the old side is deleted where it lives");
        assert.equal(old.token, undefined);
        assert.match(old.withheldCredentials ?? "", /consul-mesh:token/);
        assert.equal(resolveConnection(undefined, moved, {}).token, "dc2-token", "new objects go to dc2 with dc2's token");
    });

    it("moved settings: the resource's own token, or a setting whose address is the recorded one, is used there", () => {
        const moved = lookup({ address: "http://dc2:9500", token: "dc2-token" });
        const own = resolveRecorded({ cluster: "http://dc3:8500", connection: { token: "own-token" } }, moved, {});
        assert.deepEqual([own.baseUrls, own.token, own.withheldCredentials], [["http://dc3:8500"], "own-token", undefined]);
        // The advice the error gives: the environment names the recorded cluster and its token.
        const advised = resolveRecorded({ cluster: "http://dc3:8500" }, moved, {
            CONSUL_HTTP_ADDR: "DC3:8500",
            CONSUL_HTTP_TOKEN: "dc3-token",
        });
        assert.deepEqual([advised.token, advised.withheldCredentials], ["dc3-token", undefined]);
        // token: "" (anonymous on purpose) stays anonymous, and nothing is withheld from no credentials.
        const anonymous = resolveRecorded({ cluster: "http://dc3:8500", connection: { token: "" } }, moved, {});
        assert.deepEqual([anonymous.token, anonymous.withheldCredentials], [undefined, undefined]);
        const nothing = resolveRecorded({ cluster: "http://dc3:8500" }, lookup({ address: "http://dc2:9500" }), {});
        assert.deepEqual([nothing.baseUrls, nothing.token, nothing.withheldCredentials], [["http://dc3:8500"], undefined, undefined]);
    });

    it("pins the recorded datacenter (and none when none was recorded)", () => {
        const conn = resolveRecorded(
            { cluster: "http://dc3:8500?dc=east", connection: { token: "t" } },
            lookup({ datacenter: "west" }),
            {},
        );
        assert.equal(conn.datacenter, "east");
        const bare = resolveRecorded({ cluster: "http://dc3:8500", connection: { token: "t" } }, lookup({ datacenter: "west" }), {});
        assert.equal(bare.datacenter, undefined);
    });

    it("state written before `cluster` existed resolves as before", () => {
        const env = {
            CONSUL_HTTP_ADDR: "http://other:8500",
            CONSUL_HTTP_TOKEN: "t",
        };
        const conn = resolveRecorded({}, none, env);
        assert.deepEqual([conn.baseUrls, conn.token, conn.withheldCredentials], [["http://other:8500"], "t", undefined]);
    });

    it("a client with withheld credentials sends nothing without a token, and a call with its own token goes ahead", async () => {
        const seen: Array<string | undefined> = [];
        const server = http.createServer((req, res) => {
            const t = req.headers["x-consul-token"];
            seen.push(Array.isArray(t) ? t.join(",") : t);
            res.writeHead(200, { "content-type": "application/json" });
            res.end("{}");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const bound = server.address();
            assert.ok(bound !== null && typeof bound === "object");
            const recorded = `http://127.0.0.1:${bound.port}`;
            const client = new ConsulClient(
                resolveRecorded({ cluster: recorded }, lookup({ address: "http://127.0.0.1:1", token: "x" }), {}),
            );
            await assert.rejects(client.get("/v1/acl/policy/p1", z.unknown()), (err: Error) => {
                assert.ok(err instanceof CredentialsElsewhereError);
                assert.match(err.message, /did not send GET \/v1\/acl\/policy\/p1/);
                return true;
            });
            assert.deepEqual(seen, [], "nothing was sent");
            await client.get("/v1/acl/token/self", z.unknown(), {
                token: "its-own-secret",
            });
            assert.deepEqual(seen, ["its-own-secret"]);
        } finally {
            await new Promise<void>((r) => server.close(() => r()));
        }
    });
});

describe("IntentionAssertions records the cluster it checks", () => {
    it("check adds the cluster, a move of the settings is an update (nothing in Consul to replace), outputs keep it", async () => {
        const p = new IntentionAssertionsProvider();
        const expectations: Expectation[] = [{ from: "web", to: "api", expect: "allow" }];
        await p.configure({
            config: { get: (k: string) => (k === "consul-mesh:address" ? "127.0.0.1:8500" : undefined), require: () => "" },
        });
        const olds = (await p.check({}, { expectations })).inputs;
        assert.equal(olds.cluster, "http://127.0.0.1:8500");
        await p.configure({
            config: { get: (k: string) => (k === "consul-mesh:address" ? "127.0.0.1:9500" : undefined), require: () => "" },
        });
        const news = (await p.check(olds, { expectations })).inputs;
        assert.equal(news.cluster, "http://127.0.0.1:9500");
        const diff = await p.diff(
            "a-1",
            { expectations, results: [], violations: [], cluster: "http://127.0.0.1:8500" },
            { expectations, cluster: "http://127.0.0.1:9500" },
        );
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
        const same = await p.diff(
            "a-1",
            { expectations, results: [], violations: [], cluster: "http://127.0.0.1:9500" },
            { expectations, cluster: "http://127.0.0.1:9500" },
        );
        assert.equal(same.changes, false);
    });
});

describe("a peering records where its other side lives", () => {
    const token = Buffer.from(JSON.stringify({ ServerAddresses: ["127.0.0.1:8503"], PeerID: "p-1" })).toString("base64");
    const stackAt = (address: string) => ({
        config: { get: (k: string) => (k === "consul-mesh:address" ? address : undefined), require: () => "" },
    });

    it("Peering: acceptorCluster from the acceptor's connection and the settings; a settings move of it is an update", async () => {
        const p = new PeeringProvider();
        await p.configure(stackAt("127.0.0.1:8500"));
        const inputs = { peerName: "dc1", peeringToken: token, acceptor: { peerName: "dc2" }, connection: { address: "127.0.0.1:9500" } };
        const olds = (await p.check({}, inputs)).inputs;
        assert.deepEqual([olds.cluster, olds.acceptorCluster], ["http://127.0.0.1:9500", "http://127.0.0.1:8500"]);
        const named = (await p.check({}, { ...inputs, acceptor: { peerName: "dc2", connection: { address: "http://h:1" } } })).inputs;
        assert.equal(named.acceptorCluster, "http://h:1");
        assert.equal((await p.check({}, { peerName: "dc1", peeringToken: token })).inputs.acceptorCluster, undefined);
        await p.configure(stackAt("127.0.0.1:7500"));
        const news = (await p.check(olds, inputs)).inputs;
        assert.equal(news.acceptorCluster, "http://127.0.0.1:7500");
        const outs = {
            ...inputs,
            cluster: "http://127.0.0.1:9500",
            acceptorCluster: "http://127.0.0.1:8500",
            peeringId: "p-2",
            state: "ACTIVE",
            peerServerAddresses: [],
            importedServiceCount: 0,
            exportedServiceCount: 0,
        };
        const diff = await p.diff("dc1", outs, { ...inputs, cluster: "http://127.0.0.1:9500", acceptorCluster: "http://127.0.0.1:7500" });
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
        const legacy = await p.diff("dc1", { ...outs, acceptorCluster: undefined }, { ...inputs, cluster: "http://127.0.0.1:9500" });
        assert.equal(legacy.changes, false, "a state written before acceptorCluster existed shows no change");
    });

    it("PeeringToken: dialerCluster likewise", async () => {
        const p = new PeeringTokenProvider();
        await p.configure(stackAt("127.0.0.1:9500"));
        const inputs = { peerName: "dc2", dialer: { peerName: "dc1" }, connection: { address: "127.0.0.1:8500" } };
        const checked = (await p.check({}, inputs)).inputs;
        assert.deepEqual([checked.cluster, checked.dialerCluster], ["http://127.0.0.1:8500", "http://127.0.0.1:9500"]);
        const outs = {
            ...inputs,
            cluster: "http://127.0.0.1:8500",
            dialerCluster: "http://127.0.0.1:9500",
            peeringToken: "t",
            peeringId: "p",
            state: "ACTIVE",
        };
        const diff = await p.diff("dc2", outs, { ...inputs, cluster: "http://127.0.0.1:8500", dialerCluster: "http://127.0.0.1:7500" });
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
    });
});
