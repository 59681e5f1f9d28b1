import { strict as assert } from "node:assert";
import { z } from "zod";
import { afterWriteHook } from "../../provider/engine/config-entry";
import { WholeEntryProvider } from "../../provider/engine/config-entry-resource";
import { connectionSchema } from "../../provider/consul/connection";
import { ExportedServicesProvider } from "../../provider/resources/exported-services";
import { IntentionProvider } from "../../provider/resources/intention";
import { JwtProviderProvider } from "../../provider/resources/jwt-provider";
import { ServiceDefaultsProvider } from "../../provider/resources/service-defaults";
import { ServiceIntentionsProvider, type ServiceIntentionsInputs } from "../../provider/resources/service-intentions";
import { consul, DC1, uniqueSuffix } from "../support/consul";

const connection = { address: DC1 };
const intentions = new IntentionProvider();
const serviceIntentions = new ServiceIntentionsProvider();
const serviceDefaults = new ServiceDefaultsProvider();
const exported = new ExportedServicesProvider();

/** Paths of every `undefined` inside a value: the dynamic-provider host refuses them in outputs. */
function undefinedPaths(value: unknown, at = "outs"): string[] {
    if (value === undefined) return [at];
    if (Array.isArray(value)) return value.flatMap((v, i) => undefinedPaths(v, `${at}[${i}]`));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${at}.${k}`));
    return [];
}

async function stored(kind: string, name: string): Promise<unknown> {
    const res = await consul<Record<string, unknown>>("GET", `${DC1}/v1/config/${kind}/${name}`);
    if (res.status === 404) return undefined;
    const { CreateIndex: _c, ModifyIndex: _m, ...rest } = res.body;
    return rest;
}

describe("config-entry engine against a real Consul agent", function () {
    this.timeout(60_000);
    let mark: string;
    let api: string;
    const jwtProvider = `jwt-${uniqueSuffix()}`;
    before(async () => {
        const jwks = Buffer.from(JSON.stringify({ keys: [] })).toString("base64");
        await new JwtProviderProvider().create({
            name: jwtProvider,
            issuer: "https://issuer.test",
            jsonWebKeySet: { local: { jwks } },
            connection,
        });
    });
    beforeEach(() => {
        mark = uniqueSuffix();
        api = `api-${mark}`;
    });
    afterEach(async () => {
        afterWriteHook.run = undefined;
        await consul("DELETE", `${DC1}/v1/config/service-intentions/${api}`);
        await consul("DELETE", `${DC1}/v1/config/service-defaults/${api}`);
        await consul("DELETE", `${DC1}/v1/config/exported-services/default`);
    });
    after(() => consul("DELETE", `${DC1}/v1/config/jwt-provider/${jwtProvider}`));

    // Defect 7: Consul drops `Value` of a claim required to be "" (omitempty); the read-back built
    // `value: undefined`, which the dynamic-provider host cannot encode, after the entry was written.
    it("round-trips a JWT claim required to be empty, with no undefined in outputs and no diff", async () => {
        const inputs: ServiceIntentionsInputs = {
            destination: api,
            sources: [{ name: "web", action: "allow" }],
            jwt: { providers: [{ name: jwtProvider, verifyClaims: [{ path: ["role"], value: "" }] }] },
            connection,
        };
        const created = await serviceIntentions.create(inputs);
        const held = (
            await consul<{ JWT: { Providers: Array<{ VerifyClaims: Array<Record<string, unknown>> }> } }>(
                "GET",
                `${DC1}/v1/config/service-intentions/${api}`,
            )
        ).body;
        assert.deepEqual(held.JWT.Providers[0].VerifyClaims, [{ Path: ["role"] }], "Consul stores the claim without Value");
        assert.deepEqual(undefinedPaths(created.outs), []);
        assert.deepEqual(created.outs.jwt, inputs.jwt);
        const read = await serviceIntentions.read(api, created.outs);
        assert.deepEqual(undefinedPaths(read), []);
        assert.equal((await serviceIntentions.diff(api, read.props!, inputs)).changes, false, "no perpetual diff");
    });

    it("never returns undefined inside outputs of any config-entry resource", async () => {
        const results: unknown[] = [];
        const pair = await intentions.create({ source: "web", destination: api, action: "allow", description: undefined, connection });
        results.push(pair, await intentions.read(pair.id, pair.outs));
        const sd = await serviceDefaults.create({ name: api, protocol: "http", meta: undefined, connection });
        results.push(sd, await serviceDefaults.read(api, sd.outs));
        const es = await exported.create({ services: [{ name: api, consumers: [{ peer: "p1" }] }], adopt: undefined, connection });
        results.push(es, await exported.read("default", es.outs));
        for (const r of results) assert.deepEqual(undefinedPaths(r), []);
    });

    // Defect 5: a create that finds what it asked for (its earlier attempt, answer lost) succeeds;
    // something different is a clear error naming what differs.
    describe("a create that finds the object already there", () => {
        it("ServiceIntentions: identical is success, different is refused naming the fields", async () => {
            const inputs: ServiceIntentionsInputs = {
                destination: api,
                sources: [
                    { name: "web", action: "allow" },
                    { name: "*", action: "deny" },
                ],
                meta: { team: "a" },
                connection,
            };
            await serviceIntentions.create(inputs);
            const again = await serviceIntentions.create(inputs);
            assert.deepEqual(again.outs.sources, inputs.sources);
            await assert.rejects(
                serviceIntentions.create({ ...inputs, meta: { team: "b" } }),
                /already exists at .* differs from the declared one in Meta: it is marked as managed by consul-mesh/,
            );
        });

        it("Intention: identical is success, different is refused", async () => {
            const inputs = { source: "web", destination: api, action: "allow" as const, connection };
            await intentions.create(inputs);
            assert.equal((await intentions.create(inputs)).outs.action, "allow");
            await assert.rejects(
                intentions.create({ ...inputs, action: "deny" }),
                /already exists in Consul .*differs from the declared one/,
            );
        });

        it("ServiceDefaults: identical is success, different is refused naming the fields", async () => {
            await serviceDefaults.create({ name: api, protocol: "http", connection });
            assert.equal((await serviceDefaults.create({ name: api, protocol: "http", connection })).outs.protocol, "http");
            await assert.rejects(
                serviceDefaults.create({ name: api, protocol: "grpc", connection }),
                /service-defaults ".*" already exists at .* differs from the declared one in Protocol/,
            );
            assert.equal((await consul<{ Protocol: string }>("GET", `${DC1}/v1/config/service-defaults/${api}`)).body.Protocol, "http");
        });

        it("ExportedServices: a pair already exported is identical by nature: success", async () => {
            const inputs = { services: [{ name: api, consumers: [{ peer: "p1" }] }], connection };
            await exported.create(inputs);
            assert.deepEqual((await exported.create(inputs)).outs.services, inputs.services);
        });
    });

    // Defect 8: whatever fails after the write undoes it (with CAS), so Consul is as before.
    describe("a failure after the write leaves Consul unchanged", () => {
        const failAfterWrite = () => {
            afterWriteHook.run = () => {
                throw new Error("injected failure after the write");
            };
        };

        it("Intention: the shared entry is back as it was, another writer's pair kept", async () => {
            await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=other&destination=${api}`, { Action: "deny" });
            const before = await stored("service-intentions", api);
            failAfterWrite();
            await assert.rejects(
                intentions.create({ source: "web", destination: api, action: "allow", connection }),
                /injected failure after the write[\s\S]*undone/,
            );
            assert.deepEqual(await stored("service-intentions", api), before);
        });

        it("ServiceIntentions: create leaves no entry; a failed update restores the previous one", async () => {
            const inputs: ServiceIntentionsInputs = { destination: api, sources: [{ name: "web", action: "allow" }], connection };
            failAfterWrite();
            await assert.rejects(serviceIntentions.create(inputs), /injected failure/);
            assert.equal(await stored("service-intentions", api), undefined);
            afterWriteHook.run = undefined;
            const created = await serviceIntentions.create(inputs);
            const before = await stored("service-intentions", api);
            failAfterWrite();
            await assert.rejects(serviceIntentions.update(api, created.outs, { ...inputs, sources: [{ name: "web", action: "deny" }] }));
            assert.deepEqual(await stored("service-intentions", api), before);
        });

        it("ServiceDefaults: create leaves no entry", async () => {
            failAfterWrite();
            await assert.rejects(serviceDefaults.create({ name: api, protocol: "http", connection }), /injected failure/);
            assert.equal(await stored("service-defaults", api), undefined);
        });

        it("ExportedServices: the shared entry is back as it was", async () => {
            await consul("PUT", `${DC1}/v1/config`, {
                Kind: "exported-services",
                Name: "default",
                Services: [{ Name: "other", Consumers: [{ Peer: "p2" }] }],
            });
            const before = await stored("exported-services", "default");
            failAfterWrite();
            await assert.rejects(
                exported.create({ services: [{ name: api, consumers: [{ peer: "p1" }] }], connection }),
                /injected failure/,
            );
            assert.deepEqual(await stored("exported-services", "default"), before);
        });

        it("does not undo when someone changed the entry after our write, and has the create recorded", async () => {
            afterWriteHook.run = async () => {
                await consul("PUT", `${DC1}/v1/config`, { Kind: "service-defaults", Name: api, Protocol: "grpc" });
                throw new Error("injected failure after the write");
            };
            const err = await serviceDefaults.create({ name: api, protocol: "http", connection }).then(
                () => assert.fail("create must fail"),
                (e: unknown) => e,
            );
            assert.ok(err instanceof Error);
            assert.match(err.message, /changed after our write[\s\S]*The write stays in Consul: .* is recorded/);
            // The id and properties make Pulumi record the resource instead of forgetting what stays in Consul.
            assert.equal(Reflect.get(err, "id"), api);
            assert.equal((await consul<{ Protocol: string }>("GET", `${DC1}/v1/config/service-defaults/${api}`)).body.Protocol, "grpc");
        });
    });

    // A later kind (here proxy-defaults) is its kind, schema and mapping; the engine does the rest.
    it("takes a new kind from its kind, schema and mapping alone", async () => {
        const schema = () =>
            z
                .object({
                    mode: z.enum(["direct", "transparent"]),
                    adopt: z.boolean().optional(),
                    connection: connectionSchema().optional(),
                })
                .strict();
        const proxyDefaults = new WholeEntryProvider<z.infer<ReturnType<typeof schema>>>({
            kind: "proxy-defaults",
            schema,
            name: () => "global",
            identity: [],
            toEntry: (inputs, current) => ({ ...(current ?? {}), Kind: "proxy-defaults", Name: "global", Mode: inputs.mode }),
            outputs: (entry) => ({ mode: entry.Mode === "transparent" ? "transparent" : "direct" }),
            changes: (olds, news) => (olds.mode !== news.mode ? ["mode"] : []),
            adoptHint: "manage it",
        });
        try {
            const created = await proxyDefaults.create({ mode: "transparent", connection });
            assert.deepEqual(created.outs, { mode: "transparent", connection });
            assert.equal(
                (await consul<{ Mode: string; Meta: Record<string, string> }>("GET", `${DC1}/v1/config/proxy-defaults/global`)).body.Meta[
                    "managed-by"
                ],
                "consul-mesh",
            );
            const read = await proxyDefaults.read("global", created.outs);
            assert.equal((await proxyDefaults.diff("global", read.props!, { mode: "transparent", connection })).changes, false);
            await proxyDefaults.update("global", created.outs, { mode: "direct", connection });
            assert.equal((await consul<{ Mode: string }>("GET", `${DC1}/v1/config/proxy-defaults/global`)).body.Mode, "direct");
            await proxyDefaults.delete("global", created.outs);
            assert.equal((await consul("GET", `${DC1}/v1/config/proxy-defaults/global`)).status, 404);
        } finally {
            await consul("DELETE", `${DC1}/v1/config/proxy-defaults/global`);
        }
    });
});
