import { strict as assert } from "node:assert";
import { IntentionProvider, intentionId, type IntentionOutputs } from "../../provider/resources/intention";
import { UNKNOWN } from "../../provider/model/validation";
import { sourceKey, writableEntry } from "../../provider/engine/service-intentions-entry";
import { createFailure } from "../../provider/engine/base";
import { ConsulApiError } from "../../provider/consul/errors";

const provider = new IntentionProvider();
const base = { source: "web", destination: "api", action: "allow" as const };

async function failures(news: Record<string, unknown>) {
    const res = await provider.check({}, { __provider: "exports.handler = ...", ...news });
    return res.failures ?? [];
}

describe("Intention check", () => {
    it("accepts a valid pair and ignores Pulumi's reserved __provider key", async () => {
        assert.deepEqual(await failures(base), []);
        assert.deepEqual(await failures({ ...base, source: "*", sourcePeer: "dc2-peer", description: "x" }), []);
    });

    it("names the property and the reason for bad input", async () => {
        const cases: Array<[Record<string, unknown>, string, RegExp]> = [
            [{ ...base, source: "" }, "source", /must not be empty/],
            [{ ...base, destination: "api/v1" }, "destination", /service name/],
            [{ ...base, action: "permit" }, "action", /"allow" or "deny"/],
            [{ ...base, description: "x".repeat(513) }, "description", /512/],
            [{ ...base, sourcePeer: "Bad_Peer" }, "sourcePeer", /peer name/],
            [{ ...base, color: "blue" }, "color", /unknown field "color"/],
            [{ ...base, connection: { address: "x", tokn: "y" } }, "connection.tokn", /unknown field "tokn"/],
            [{ ...base, connection: { timeoutMs: 5 } }, "connection.timeoutMs", /100/],
        ];
        for (const [news, property, reason] of cases) {
            const f = await failures(news);
            assert.equal(f.length, 1, `one failure for ${JSON.stringify(news).slice(0, 80)}: ${JSON.stringify(f)}`);
            assert.equal(f[0].property, property);
            assert.match(f[0].reason, reason);
        }
        assert.deepEqual(
            (await failures({ destination: "api", action: "allow" })).map((f) => f.property),
            ["source"],
        );
        const neither = await failures({ source: "web", destination: "api" });
        assert.deepEqual(
            neither.map((f) => [f.property, f.reason]),
            [["action", 'either action ("allow"/"deny") or permissions is required']],
        );
        const both = await failures({ ...base, permissions: [{ action: "deny", http: { pathPrefix: "/admin" } }] });
        assert.deepEqual(
            both.map((f) => f.property),
            ["permissions"],
        );
    });

    it("does not fail on values that are unknown during preview", async () => {
        assert.deepEqual(await failures({ ...base, source: UNKNOWN, connection: UNKNOWN }), []);
        assert.deepEqual(await failures({ ...base, connection: { address: UNKNOWN, token: UNKNOWN } }), []);
        // ...but still reports the known bad ones next to them.
        const f = await failures({ ...base, source: UNKNOWN, action: "maybe" });
        assert.deepEqual(
            f.map((x) => x.property),
            ["action"],
        );
    });
});

describe("Intention check's inputs", () => {
    it("are the pair as Consul holds it (what read realigns to): no sourceType, methods upper-case, no empty description", async () => {
        // `cluster` (computed from the environment) aside.
        const inputsOf = async (news: Record<string, unknown>) => {
            const { cluster: _computed, ...inputs } = (await provider.check({}, { __provider: "p", ...news })).inputs;
            return inputs;
        };
        assert.deepEqual(await inputsOf({ ...base, sourceType: "consul", description: "" }), base);
        const permissions = [{ action: "allow", http: { pathPrefix: "/v1", methods: ["get"] } }];
        assert.deepEqual(await inputsOf({ source: "web", destination: "api", permissions, description: "d" }), {
            source: "web",
            destination: "api",
            permissions: [{ action: "allow", http: { pathPrefix: "/v1", methods: ["GET"] } }],
            description: "d",
        });
    });
});

describe("Intention diff", () => {
    const olds: IntentionOutputs = { ...base, description: undefined, sourceType: "consul", precedence: 9 };

    it("reports no change for identical inputs (description unset vs empty is the same)", async () => {
        const d = await provider.diff("web=>api", olds, { ...base, description: "" });
        assert.equal(d.changes, false);
        assert.deepEqual(d.replaces, []);
    });

    it("replaces on identity fields and updates in place otherwise", async () => {
        assert.deepEqual((await provider.diff("", olds, { ...base, source: "admin" })).replaces, ["source"]);
        assert.deepEqual((await provider.diff("", olds, { ...base, destination: "db" })).replaces, ["destination"]);
        assert.deepEqual((await provider.diff("", olds, { ...base, sourcePeer: "p" })).replaces, ["sourcePeer"]);
        assert.deepEqual((await provider.diff("", olds, { ...base, connection: { address: "http://127.0.0.1:9500" } })).replaces, [
            "cluster",
        ]);
        const d = await provider.diff("", olds, { ...base, action: "deny", description: "no" });
        assert.equal(d.changes, true);
        assert.deepEqual(d.replaces, []);
        assert.equal(d.deleteBeforeReplace, true);
    });

    it("treats a token change as an in-place change that touches nothing in Consul", async () => {
        const d = await provider.diff("", { ...olds, connection: { token: "a" } }, { ...base, connection: { token: "b" } });
        assert.equal(d.changes, true);
        assert.deepEqual(d.replaces, []);
    });
});

describe("service-intentions entry helpers", () => {
    it("builds ids and source keys from (peer, name)", () => {
        assert.equal(intentionId(base), "web=>api");
        assert.equal(intentionId({ ...base, sourcePeer: "dc2" }), "peer:dc2/web=>api");
        assert.notEqual(sourceKey({ Name: "web" }), sourceKey({ Name: "web", Peer: "dc2" }));
        assert.equal(sourceKey({ name: "web", peer: "dc2" }), sourceKey({ Name: "web", Peer: "dc2" }), "one key for both spellings");
    });

    it("strips computed and legacy fields before writing", () => {
        const entry = writableEntry({
            Kind: "service-intentions",
            Name: "api",
            CreateIndex: 1,
            ModifyIndex: 2,
            Hash: 3,
            Sources: [{ Name: "web", Action: "allow", Precedence: 9, LegacyID: "x", LegacyMeta: {} }],
        });
        assert.deepEqual(entry, { Kind: "service-intentions", Name: "api", Sources: [{ Name: "web", Action: "allow" }] });
    });
});

describe("create after lost answers", () => {
    it("records a create whose write may have landed (id, properties with __provider), and passes other errors through", () => {
        const inputs = { source: "web", destination: "api", action: "allow", __provider: "shim" };
        const lost = new ConsulApiError("PUT", "/v1/config", 0, "other side closed", "http://127.0.0.1:8500", undefined, "UND_ERR_SOCKET");
        lost.writeMayHaveLanded = true;
        const recorded = createFailure(lost, "web=>api", inputs) as Error & { id: string; properties: Record<string, unknown> };
        assert.equal(recorded.id, "web=>api");
        assert.equal(recorded.properties.__provider, "shim");
        assert.match(recorded.message, /PUT \/v1\/config at http:\/\/127\.0\.0\.1:8500 failed: other side closed/);
        assert.match(recorded.message, /may have been applied in Consul/);
        const refused = new ConsulApiError(
            "PUT",
            "/v1/config",
            0,
            "connection refused",
            "http://127.0.0.1:8500",
            undefined,
            "ECONNREFUSED",
        );
        assert.equal(createFailure(refused, "web=>api", inputs), refused);
        const plain = new Error("intention web=>api already exists");
        assert.equal(createFailure(plain, "web=>api", inputs), plain);
    });
});
