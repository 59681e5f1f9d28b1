// The plugin's protocol adapter, over real gRPC in this process (no Consul): provider config
// refused by key without echoing a secret, secrets unwrapped for the provider classes and wrapped
// again on the way out, import IDs, the schema answered by GetSchema.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { checkProviderConfig, asStackConfig } from "../../provider/plugin/config";
import { allKinds, importable, kindOfUrn, secretOutputs } from "../../provider/plugin/kinds";
import { consulMeshService } from "../../provider/plugin/server";
import { markSecret, secret, SIG_KEY, toStruct, unwrapProps, type Props } from "../../provider/plugin/values";

const TOKEN = "3f1c0e6a-secret-token-value";

function struct(props: Props): structproto.Struct {
    return structproto.Struct.fromJavaScript(toStruct(props));
}

/** A unary call's answer (the client's callback form as a promise). */
function ask<Res>(send: (callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
    return new Promise((resolve, reject) => send((err, res) => (err ? reject(err) : resolve(res))));
}

describe("plugin: values and config", () => {
    it("unwraps secrets with their paths and wraps named properties again", () => {
        const { plain, secrets } = unwrapProps({ destination: secret("db"), sources: [{ name: secret("web") }], action: "allow" });
        assert.deepEqual(plain, { destination: "db", sources: [{ name: "web" }], action: "allow" });
        assert.deepEqual(secrets, ["destination", "sources.0.name"]);
        const marked = markSecret(plain, ["destination", "absent"]);
        assert.deepEqual(marked.destination, { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: "db" });
        assert.equal("absent" in marked, false);
    });

    it("parses stack-config strings by the key's type and refuses bad keys by name, never showing the token", () => {
        const ok = checkProviderConfig({
            address: "127.0.0.1:8500",
            insecureSkipVerify: "true",
            timeoutMs: "5000",
            headers: '{"X-A":"b"}',
            version: "0.1.0",
        });
        assert.deepEqual(ok.failures, []);
        assert.deepEqual(ok.value, { address: "127.0.0.1:8500", insecureSkipVerify: true, timeoutMs: 5000, headers: { "X-A": "b" } });
        const lookup = asStackConfig(ok.value ?? {});
        assert.equal(lookup("headers"), '{"X-A":"b"}');
        assert.equal(lookup("insecureSkipVerify"), "true");

        const bad = checkProviderConfig({
            token: secret(TOKEN),
            timeoutMs: "soon",
            datacenter: "dc 1",
            adress: "x",
            headers: { "X-Consul-Token": TOKEN },
        });
        const properties = bad.failures.map((f) => f.property).sort();
        assert.deepEqual(properties, ["adress", "datacenter", "headers", "timeoutMs"]);
        for (const f of bad.failures) assert.ok(!f.reason.includes(TOKEN), `a refusal shows the token: ${f.reason}`);
        assert.equal(bad.value, undefined);
    });

    it("turns each importable kind's ID into what its read needs", () => {
        assert.deepEqual(importable.Intention?.seed("web=>api"), { id: "web=>api", props: { source: "web", destination: "api" } });
        assert.deepEqual(importable.Intention?.seed("peer:dc2/web=>api"), {
            id: "peer:dc2/web=>api",
            props: { source: "web", destination: "api", sourcePeer: "dc2" },
        });
        assert.deepEqual(importable.ConfigEntry?.seed("terminating-gateway/gw"), {
            id: "gw",
            props: { kind: "terminating-gateway", name: "gw" },
        });
        assert.throws(() => importable.AclToken?.seed("deployer"), /a UUID/);
        assert.deepEqual(importable.AclPolicy?.seed("global-management"), { id: "global-management", props: {} });
        assert.throws(() => importable.Intention?.seed("web"), /<source>=><destination>/);
        assert.equal(importable.PeeringToken, undefined, "a peering token cannot be read back");
        assert.equal(kindOfUrn("urn:pulumi:s::p::consul-mesh:index:AclRole::r"), "AclRole");
        assert.equal(kindOfUrn("urn:pulumi:s::p::pulumi-nodejs:dynamic/consul-mesh:AclRole::r"), undefined);
    });
});

describe("plugin: gRPC service", () => {
    let server: grpc.Server;
    let client: provrpc.ResourceProviderClient;
    /** What the service sent to the engine's log: [urn, message]. */
    const logged: Array<[string, string]> = [];

    before(async () => {
        server = new grpc.Server();
        server.addService(
            provrpc.ResourceProviderService,
            consulMeshService({
                version: "9.9.9",
                schema: () => '{"name":"consul-mesh"}',
                log: (urn, message) => {
                    logged.push([urn, message]);
                    return Promise.resolve();
                },
            }),
        );
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
        );
        client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client.close();
        server.forceShutdown();
    });

    it("answers GetSchema with the package schema", async () => {
        const res = await ask<provproto.GetSchemaResponse>((cb) => client.getSchema(new provproto.GetSchemaRequest(), cb));
        assert.equal(res.getSchema(), '{"name":"consul-mesh"}');
    });

    it("CheckConfig refuses a bad key by name and keeps the token secret in the provider's inputs", async () => {
        const req = new provproto.CheckRequest();
        req.setUrn("urn:pulumi:s::p::pulumi:providers:consul-mesh::dc2");
        req.setNews(struct({ address: "127.0.0.1:8500", token: TOKEN, timeoutMs: "never", clientKey: secret("/etc/consul/key.pem") }));
        const res = await ask<provproto.CheckResponse>((cb) => client.checkConfig(req, cb));
        assert.deepEqual(
            res.getFailuresList().map((f) => f.getProperty()),
            ["timeoutMs"],
        );
        assert.ok(!res.getFailuresList()[0].getReason().includes(TOKEN));
        assert.deepEqual(res.getInputs()?.toJavaScript().token, { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: TOKEN });
        assert.deepEqual(res.getInputs()?.toJavaScript().clientKey, secret("/etc/consul/key.pem"), "a setting given secret stays secret");
        assert.equal(res.getInputs()?.toJavaScript().address, "127.0.0.1:8500");
    });

    it("Configure refuses bad config naming the key, without the token", async () => {
        const req = new provproto.ConfigureRequest();
        req.setArgs(struct({ token: secret(TOKEN), datacenter: "not a dc" }));
        await assert.rejects(
            ask<provproto.ConfigureResponse>((cb) => client.configure(req, cb)),
            (err: Error) => {
                assert.match(err.message, /consul-mesh:datacenter/);
                assert.ok(!err.message.includes(TOKEN));
                return true;
            },
        );
    });

    it("Check of an Intention: a secret name is unwrapped for the class, listed in secretNames and stays secret", async () => {
        const configure = new provproto.ConfigureRequest();
        configure.setArgs(struct({ address: "127.0.0.1:1" }));
        await ask<provproto.ConfigureResponse>((cb) => client.configure(configure, cb));
        const req = new provproto.CheckRequest();
        req.setUrn("urn:pulumi:s::p::consul-mesh:index:Intention::web-to-db");
        req.setOlds(struct({}));
        req.setNews(struct({ source: "web", destination: secret("db"), action: "allow" }));
        const res = await ask<provproto.CheckResponse>((cb) => client.check(req, cb));
        assert.deepEqual(res.getFailuresList(), []);
        const inputs = res.getInputs()?.toJavaScript() ?? {};
        assert.deepEqual(inputs.destination, { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: "db" });
        assert.deepEqual(inputs.secretNames, ["destination"]);
        assert.equal(inputs.cluster, "http://127.0.0.1:1");
        assert.equal(inputs.__provider, undefined);
    });

    it("Check sends the effective policy change to the engine's log, for the resource, with secret names masked", async () => {
        logged.length = 0;
        const req = new provproto.CheckRequest();
        req.setUrn("urn:pulumi:s::p::consul-mesh:index:ServiceIntentions::orders");
        req.setOlds(struct({ destination: "orders", sources: [{ name: "web", action: "allow" }] }));
        req.setNews(
            struct({
                destination: "orders",
                sources: [
                    { name: "web", action: "deny" },
                    { name: secret("vault"), action: "allow" },
                ],
            }),
        );
        await ask<provproto.CheckResponse>((cb) => client.check(req, cb));
        assert.deepEqual(logged, [
            [
                "urn:pulumi:s::p::consul-mesh:index:ServiceIntentions::orders",
                "consul-mesh: ServiceIntentions for orders: this change flips who may call whom:\n  [secret] -> orders: default => allow\n  web -> orders: allow => deny",
            ],
        ]);
        logged.length = 0;
        await ask<provproto.CheckResponse>((cb) => client.check(req, cb));
        req.setOlds(req.getNews());
        await ask<provproto.CheckResponse>((cb) => client.check(req, cb));
        assert.equal(logged.length, 1, "nothing is logged when nothing flips");
    });

    it("Check reports the class's failures by property", async () => {
        const req = new provproto.CheckRequest();
        req.setUrn("urn:pulumi:s::p::consul-mesh:index:Intention::bad");
        req.setNews(struct({ source: "web", destination: "db", action: "maybe" }));
        const res = await ask<provproto.CheckResponse>((cb) => client.check(req, cb));
        assert.deepEqual(
            res.getFailuresList().map((f) => f.getProperty()),
            ["action"],
        );
    });

    it("Read of an unimportable kind with no state says so", async () => {
        const req = new provproto.ReadRequest();
        req.setUrn("urn:pulumi:s::p::consul-mesh:index:PeeringToken::t");
        req.setId("dc2");
        await assert.rejects(
            ask<provproto.ReadResponse>((cb) => client.read(req, cb)),
            /cannot be imported/,
        );
    });
});

describe("plugin: secret outputs match the SDK's", () => {
    it("every output an SDK resource lists in additionalSecretOutputs is secret on the plugin path", () => {
        for (const kind of allKinds()) {
            const file = path.join(
                __dirname,
                "..",
                "..",
                "sdk",
                "resources",
                `${kind.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}.ts`,
            );
            const text = fs.readFileSync(file, "utf8");
            // The string literals of every additionalSecretOutputs list (and of CaConfiguration's secretOutputs).
            const lists = [...text.matchAll(/(?:additionalSecretOutputs: |const secretOutputs = )\[([^\]]*)\]/g)].map((m) => m[1]);
            const names = lists.flatMap((l) => [...l.matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1]));
            const plugin = new Set(secretOutputs(kind, { config: { privateKey: "k" } }));
            for (const name of names)
                assert.ok(plugin.has(name), `${kind}.${name} is secret on the dynamic path but not on the plugin path`);
            assert.ok(plugin.has("connection"), `${kind}.connection`);
        }
    });
});
