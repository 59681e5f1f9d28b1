import { strict as assert } from "node:assert";
import { CountingProxy } from "../../bench/lib/proxy";
import { IntentionProvider, type IntentionInputs } from "../../provider/resources/intention";
import { consul, DC1, listIntentions, uniqueSuffix } from "../support/consul";

// Per-pair Intentions of one destination share one config entry: changes that are in flight
// together (as `pulumi up` and `destroy` send them, up to --parallel at a time) must reach Consul
// as one compare-and-set write, counted here at a proxy in front of the agent.
const provider = new IntentionProvider();

describe("Intention writes coalesced per destination", function () {
    this.timeout(60_000);
    const proxy = new CountingProxy(DC1);
    let connection: { address: string };
    let mark: string;
    before(async () => {
        connection = { address: `http://${await proxy.start()}` };
    });
    after(() => proxy.stop());
    beforeEach(() => {
        mark = uniqueSuffix();
        // Each test starts as a fresh provider process does (each Pulumi command runs one): nothing
        // remembered of earlier writes, no listing taken yet.
        delete globalThis.__consulMeshProcess?.entryListings;
        delete globalThis.__consulMeshProcess?.entryLastKnown;
        proxy.take();
    });
    afterEach(async () => {
        for (const i of await listIntentions(DC1, mark)) {
            await consul("DELETE", `${DC1}/v1/config/service-intentions/${i.DestinationName}`);
        }
    });

    const entryPath = () => `/v1/config/service-intentions/api-${mark}`;
    const pair = (j: number, action: "allow" | "deny" = "allow"): IntentionInputs => ({
        source: `web${j}-${mark}`,
        destination: `api-${mark}`,
        action,
        connection,
    });
    const writes = (reqs: string[]) => reqs.filter((r) => r.startsWith("PUT /v1/config?") || r.startsWith(`DELETE ${entryPath()}`));
    const reads = (reqs: string[]) => reqs.filter((r) => r.startsWith(`GET ${entryPath()}`));

    it("creates, updates and deletes 10 pairs of one destination with one CAS write and at most one read each", async () => {
        const pairs = Array.from({ length: 10 }, (_, j) => pair(j));
        const created = await Promise.all(pairs.map((p) => provider.create(p)));
        let reqs = proxy.take().requests;
        assert.equal(writes(reqs).length, 1, `create: ${reqs.join(", ")}`);
        assert.ok(reads(reqs).length <= 1, `create reads the entry only back (a listing is the starting guess): ${reqs.join(", ")}`);
        assert.match(writes(reqs)[0], /[?&]cas=0(&|$)/, "a new entry is created with cas=0");
        assert.equal((await listIntentions(DC1, mark)).length, 10);
        assert.ok(created.every((c) => c.outs.precedence === 9));

        const changed = pairs.map((p) => ({ ...p, action: "deny" as const }));
        await Promise.all(changed.map((p, j) => provider.update(created[j].id, created[j].outs, p)));
        reqs = proxy.take().requests;
        assert.equal(writes(reqs).length, 1, `update: ${reqs.join(", ")}`);
        assert.match(writes(reqs)[0], /[?&]cas=[1-9]\d*(&|$)/, "the update is a compare-and-set on the entry's index");
        assert.ok(reads(reqs).length <= 1, `update starts from the entry read back after the create: ${reqs.join(", ")}`);
        assert.deepEqual(
            (await listIntentions(DC1, mark)).map((i) => i.Action),
            Array<string>(10).fill("deny"),
        );

        await Promise.all(changed.map((p, j) => provider.delete(created[j].id, { ...p, precedence: 9 })));
        reqs = proxy.take().requests;
        assert.equal(writes(reqs).length, 1, `delete: ${reqs.join(", ")}`);
        assert.match(writes(reqs)[0], /[?&]cas=[1-9]\d*(&|$)/, "the delete is a compare-and-set on the entry's index");
        assert.ok(reads(reqs).length <= 1, `delete: ${reqs.join(", ")}`);
        assert.equal((await listIntentions(DC1, mark)).length, 0);
    });

    it("keeps a change made behind its back between two batches (the remembered index is only a guess)", async () => {
        const first = await provider.create(pair(0));
        // Someone else adds a source: the entry's index moves past the one this process remembers.
        const entry = await consul<{ Sources: unknown[] }>("GET", `${DC1}${entryPath()}`);
        entry.body.Sources.push({ Name: `other-${mark}`, Action: "deny" });
        assert.equal((await consul("PUT", `${DC1}/v1/config`, entry.body)).status, 200);
        proxy.take();
        await provider.update(first.id, first.outs, pair(0, "deny"));
        const reqs = proxy.take().requests;
        assert.equal(writes(reqs).length, 2, `a stale CAS, then a write from a fresh read: ${reqs.join(", ")}`);
        const held = (await listIntentions(DC1, mark)).map((i) => `${i.SourceName}:${i.Action}`).sort();
        assert.deepEqual(held, [`other-${mark}:deny`, `web0-${mark}:deny`]);
    });

    it("fails only the refused pair of a batch; the others are written in the same write", async () => {
        // Pair 3 exists already with another action, created outside consul-mesh: its create is refused.
        const put = await consul("PUT", `${DC1}/v1/config`, {
            Kind: "service-intentions",
            Name: `api-${mark}`,
            Sources: [{ Name: `web3-${mark}`, Action: "deny" }],
        });
        assert.equal(put.status, 200);
        proxy.take();
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, j) => provider.create(pair(j))));
        const reqs = proxy.take().requests;
        assert.deepEqual(
            results.map((r) => r.status),
            ["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"],
        );
        const refused = results[3];
        assert.ok(refused.status === "rejected" && refused.reason instanceof Error);
        assert.match(refused.reason.message, /already exists in Consul .* differs/);
        assert.equal(writes(reqs).length, 1, reqs.join(", "));
        const held = (await listIntentions(DC1, mark)).map((i) => `${i.SourceName}:${i.Action}`).sort();
        assert.deepEqual(
            held,
            [0, 1, 2, 3, 4, 5].map((j) => `web${j}-${mark}:${j === 3 ? "deny" : "allow"}`),
        );
    });
});
