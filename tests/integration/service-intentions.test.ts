import { strict as assert } from "node:assert";
import { IntentionProvider } from "../../provider/resources/intention";
import { ServiceDefaultsProvider } from "../../provider/resources/service-defaults";
import { ServiceIntentionsProvider, type ServiceIntentionsInputs } from "../../provider/resources/service-intentions";
import { consul, DC1, listIntentions, uniqueSuffix } from "../support/consul";

const provider = new ServiceIntentionsProvider();
const intentions = new IntentionProvider();
const defaults = new ServiceDefaultsProvider();
const connection = { address: DC1 };

interface StoredEntry {
    Meta?: Record<string, string>;
    Sources: Array<Record<string, unknown>>;
}

describe("ServiceIntentions and ServiceDefaults providers against a real Consul agent", function () {
    this.timeout(60_000);
    let mark: string;
    let api: string;
    beforeEach(() => {
        mark = uniqueSuffix();
        api = `api-${mark}`;
    });
    afterEach(async () => {
        await consul("DELETE", `${DC1}/v1/config/service-intentions/${api}`);
        await consul("DELETE", `${DC1}/v1/config/service-defaults/${api}`);
    });

    it("writes the whole entry with the ownership mark and reads it back in declared order", async () => {
        const inputs: ServiceIntentionsInputs = {
            destination: api,
            sources: [
                { name: "web", action: "allow" },
                { name: "*", action: "deny", description: "everything else" },
                { name: "frontend", peer: "dc2", action: "allow" },
            ],
            meta: { team: "payments" },
            connection,
        };
        const created = await provider.create(inputs);
        assert.equal(created.id, api);
        assert.deepEqual(created.outs.sources, inputs.sources);
        assert.deepEqual(created.outs.meta, { team: "payments" });
        const stored = (await consul<StoredEntry>("GET", `${DC1}/v1/config/service-intentions/${api}`)).body;
        assert.deepEqual(stored.Meta, { team: "payments", "managed-by": "consul-mesh" });
        // Consul re-sorted by precedence (exact names before "*"), yet nothing differs.
        assert.deepEqual(
            stored.Sources.map((s) => s.Name),
            ["web", "frontend", "*"],
        );
        const read = await provider.read(api, created.outs);
        assert.equal((await provider.diff(api, read.props as ServiceIntentionsInputs, inputs)).changes, false);
    });

    it("reports a source added by hand as drift and removes it on update", async () => {
        const inputs: ServiceIntentionsInputs = { destination: api, sources: [{ name: "web", action: "allow" }], connection };
        const created = await provider.create(inputs);
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=intruder&destination=${api}`, { Action: "allow" });
        const read = await provider.read(api, created.outs);
        assert.deepEqual(read.props?.sources.map((s: { name: string }) => s.name).sort(), ["intruder", "web"]);
        const diff = await provider.diff(api, read.props, inputs);
        assert.equal(diff.changes, true);
        await provider.update(api, read.props, inputs);
        assert.deepEqual(
            (await listIntentions(DC1)).filter((i) => i.DestinationName === api).map((i) => i.SourceName),
            ["web"],
        );
    });

    it("never overwrites an existing entry silently: adopt is required, then the entry is authoritative", async () => {
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=legacy&destination=${api}`, { Action: "deny" });
        const inputs: ServiceIntentionsInputs = { destination: api, sources: [{ name: "web", action: "allow" }], connection };
        await assert.rejects(provider.create(inputs), /already exists .* created outside consul-mesh; set adopt: true/);
        assert.deepEqual(
            (await listIntentions(DC1)).filter((i) => i.DestinationName === api).map((i) => i.SourceName),
            ["legacy"],
        );
        await provider.create({ ...inputs, adopt: true });
        assert.deepEqual(
            (await listIntentions(DC1)).filter((i) => i.DestinationName === api).map((i) => i.SourceName),
            ["web"],
        );
    });

    it("makes an Intention refuse a destination a ServiceIntentions owns, and leave it alone on delete", async () => {
        const owned = await provider.create({ destination: api, sources: [{ name: "web", action: "allow" }], connection });
        await assert.rejects(
            intentions.create({ source: "admin", destination: api, action: "allow", connection }),
            /managed as a whole by a consul-mesh ServiceIntentions/,
        );
        await intentions.delete(`web=>${api}`, { source: "web", destination: api, action: "allow", connection });
        const read = await provider.read(api, owned.outs);
        assert.deepEqual(read.props?.sources, [{ name: "web", action: "allow" }]);
    });

    // A ServiceIntentions destroyed with retainOnDelete (what consul-mesh import declares) leaves its
    // entry and mark: an Intention with adopt takes the destination back, without the mark.
    it("lets an Intention with adopt take a destination whose ServiceIntentions was retained (its mark removed, other sources kept)", async () => {
        await provider.create({ destination: api, sources: [{ name: "web", action: "allow" }], meta: { team: "a" }, connection });
        // The resource is gone from the program (retained: no delete was sent); its entry and mark stay.
        await assert.rejects(
            intentions.create({ source: "admin", destination: api, action: "deny", connection }),
            /set adopt: true on this Intention/,
        );
        const created = await intentions.create({ source: "admin", destination: api, action: "deny", adopt: true, connection });
        assert.equal(created.outs.action, "deny");
        const stored = await consul<StoredEntry>("GET", `${DC1}/v1/config/service-intentions/${api}`);
        assert.deepEqual(stored.body.Meta, { team: "a" }, "the mark is removed, other meta kept");
        assert.deepEqual(
            stored.body.Sources.map((s) => `${String(s.Name)}:${String(s.Action)}`),
            ["web:allow", "admin:deny"],
        );
        // Now Intentions manage it pair by pair: another one needs no adopt.
        await intentions.create({ source: "ops", destination: api, action: "allow", connection });
    });

    it("explains the missing protocol for L7 permissions, then works once ServiceDefaults sets http", async () => {
        const inputs: ServiceIntentionsInputs = {
            destination: api,
            sources: [{ name: "web", permissions: [{ action: "allow", http: { pathPrefix: "/v1", methods: ["get"] } }] }],
            connection,
        };
        await assert.rejects(provider.create(inputs), /incompatible with L7 intentions permissions[\s\S]*new ServiceDefaults\(/);
        const sd = await defaults.create({ name: api, protocol: "http", connection });
        assert.equal(sd.outs.protocol, "http");
        const created = await provider.create(inputs);
        assert.deepEqual(created.outs.sources[0].permissions, [{ action: "allow", http: { pathPrefix: "/v1", methods: ["GET"] } }]);
        assert.equal((await provider.diff(api, created.outs, inputs)).changes, false, "upper-cased methods are not a change");
        await provider.delete(api, created.outs);
        await defaults.delete(api, sd.outs);
        assert.equal((await consul("GET", `${DC1}/v1/config/service-defaults/${api}`)).status, 404);
    });

    it("deletes the entry, and deleting again succeeds", async () => {
        const created = await provider.create({ destination: api, sources: [{ name: "web", action: "allow" }], connection });
        await provider.delete(api, created.outs);
        assert.equal((await consul("GET", `${DC1}/v1/config/service-intentions/${api}`)).status, 404);
        await provider.delete(api, created.outs);
        assert.deepEqual(await provider.read(api, created.outs), {});
    });
});
