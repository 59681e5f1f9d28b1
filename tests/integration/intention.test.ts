import { strict as assert } from "node:assert";
import { IntentionProvider, type IntentionInputs } from "../../provider/resources/intention";
import { ServiceDefaultsProvider } from "../../provider/resources/service-defaults";
import { consul, DC1, listIntentions, uniqueSuffix } from "../support/consul";

const provider = new IntentionProvider();
const connection = { address: DC1 };

describe("Intention provider against a real Consul agent", function () {
    this.timeout(60_000);
    let mark: string;
    beforeEach(() => {
        mark = uniqueSuffix();
    });
    afterEach(async () => {
        // Leave the cluster clean whatever the test did.
        for (const i of await listIntentions(DC1, mark)) {
            await consul("DELETE", `${DC1}/v1/config/service-intentions/${i.DestinationName}`);
        }
    });

    it("creates, reads, updates and deletes one pair", async () => {
        const inputs: IntentionInputs = {
            source: `web-${mark}`,
            destination: `api-${mark}`,
            action: "allow",
            description: "d1",
            connection,
        };
        const created = await provider.create(inputs);
        assert.equal(created.id, `web-${mark}=>api-${mark}`);
        assert.equal(created.outs.precedence, 9);
        let listed = await listIntentions(DC1, mark);
        assert.deepEqual(
            listed.map((i) => [i.SourceName, i.Action, i.Description]),
            [[`web-${mark}`, "allow", "d1"]],
        );

        const read = await provider.read(created.id, created.outs);
        assert.equal(read.id, created.id);
        assert.deepEqual(read.props, created.outs);

        const updated = await provider.update(created.id, created.outs, { ...inputs, action: "deny", description: undefined });
        assert.equal(updated.outs.action, "deny");
        listed = await listIntentions(DC1, mark);
        assert.deepEqual(
            listed.map((i) => [i.Action, i.Description]),
            [["deny", undefined]],
        );

        await provider.delete(created.id, updated.outs);
        assert.deepEqual(await listIntentions(DC1, mark), []);
        // Deleting what is already gone succeeds, and read reports it gone.
        await provider.delete(created.id, updated.outs);
        assert.deepEqual(await provider.read(created.id, updated.outs), {});
    });

    it("loses no write when 40 pairs for one destination are created at once, from two writers", async () => {
        const destination = `db-${mark}`;
        // Two different tokens give two independent write queues, so Consul's CAS check is exercised too
        // (ACLs are off on the test cluster, so the tokens are not checked).
        const results = await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
                provider.create({
                    source: `svc${i}-${mark}`,
                    destination,
                    action: i % 2 ? "allow" : "deny",
                    connection: { ...connection, token: i % 2 ? "writer-a" : "writer-b" },
                }),
            ),
        );
        assert.equal(results.length, 40);
        const listed = await listIntentions(DC1, mark);
        assert.equal(listed.length, 40);
        for (let i = 0; i < 40; i++) {
            const found = listed.find((x) => x.SourceName === `svc${i}-${mark}`);
            assert.equal(found?.Action, i % 2 ? "allow" : "deny", `svc${i}`);
        }
        // And deleting them all in parallel leaves nothing behind (the entry itself is removed).
        await Promise.all(results.map((r) => provider.delete(r.id, r.outs)));
        assert.deepEqual(await listIntentions(DC1, mark), []);
        assert.equal((await consul("GET", `${DC1}/v1/config/service-intentions/${destination}`)).status, 404);
    });

    it("keeps sources it does not manage when writing the shared entry", async () => {
        const destination = `api-${mark}`;
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=manual-${mark}&destination=${destination}`, { Action: "deny" });
        const created = await provider.create({ source: `web-${mark}`, destination, action: "allow", connection });
        await provider.delete(created.id, created.outs);
        const listed = await listIntentions(DC1, mark);
        assert.deepEqual(
            listed.map((i) => [i.SourceName, i.Action]),
            [[`manual-${mark}`, "deny"]],
        );
    });

    it("refuses to take over an existing intention unless adopt is set", async () => {
        const destination = `api-${mark}`;
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=web-${mark}&destination=${destination}`, { Action: "deny" });
        const inputs: IntentionInputs = { source: `web-${mark}`, destination, action: "allow", connection };
        await assert.rejects(provider.create(inputs), /already exists in Consul .*set adopt: true/);
        assert.equal((await listIntentions(DC1, mark))[0].Action, "deny", "a refused create changes nothing");
        const adopted = await provider.create({ ...inputs, adopt: true });
        assert.equal(adopted.outs.action, "allow");
    });

    it("reads drift made behind its back and realigns inputs", async () => {
        const inputs: IntentionInputs = { source: `web-${mark}`, destination: `api-${mark}`, action: "allow", connection };
        const created = await provider.create(inputs);
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=web-${mark}&destination=api-${mark}`, {
            Action: "deny",
            Description: "flipped by hand",
        });
        const read = await provider.read(created.id, created.outs);
        assert.equal(read.props?.action, "deny");
        assert.equal(read.props?.description, "flipped by hand");
        assert.equal(read.inputs?.action, "deny");
        const diff = await provider.diff(created.id, read.props, inputs);
        assert.equal(diff.changes, true);
        assert.deepEqual(diff.replaces, []);
    });

    it("realigns no input when refreshing pairs in sync: read's inputs are check's (L4 and L7)", async () => {
        // Otherwise every unchanged pair is a "same" step with changed inputs after a refresh, and the
        // engine writes the whole state once per pair on the next up.
        const destination = `api-${mark}`;
        const defaults = new ServiceDefaultsProvider();
        const sd = await defaults.create({ name: destination, protocol: "http", connection });
        try {
            const l4: IntentionInputs = {
                source: `web-${mark}`,
                destination,
                action: "allow",
                sourceType: "consul",
                description: "",
                connection,
            };
            const l7: IntentionInputs = {
                source: `ui-${mark}`,
                destination,
                permissions: [{ action: "allow", http: { pathPrefix: "/v1", methods: ["get"] } }],
                description: "read-only",
                connection,
            };
            for (const inputs of [l4, l7]) {
                const checked = await provider.check({}, { __provider: "exports.handler = ...", ...inputs });
                assert.deepEqual(checked.failures, []);
                const created = await provider.create(inputs);
                const read = await provider.read(created.id, created.outs);
                const { cluster: _computed, ...checkedInputs } = checked.inputs;
                assert.deepEqual(read.inputs, checkedInputs, `${created.id}: read's inputs differ from check's`);
            }
        } finally {
            await consul("DELETE", `${DC1}/v1/config/service-intentions/${destination}`);
            await defaults.delete(destination, sd.outs);
        }
    });

    it("fails fast with the address when Consul is not there", async () => {
        await assert.rejects(
            provider.create({ source: "web", destination: "api", action: "allow", connection: { address: "http://127.0.0.1:1" } }),
            /GET \/v1\/config\/service-intentions\/api at http:\/\/127\.0\.0\.1:1 failed: connection refused/,
        );
    });
});
