import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { consul, DC1, DC2, eventually } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

type Entry = Record<string, unknown>;

/** The entries examples/mesh-config declares in dc1 (kind/name). */
const ENTRIES = [
    "jwt-provider/corp-issuer",
    "proxy-defaults/global",
    "mesh/mesh",
    "service-defaults/api",
    "service-intentions/api",
    "service-resolver/api",
    "service-router/api",
];

async function entry(path: string): Promise<Entry | undefined> {
    const res = await consul<Entry>("GET", `${DC1}/v1/config/${path}`);
    if (res.status === 404) return undefined;
    const { CreateIndex: _c, ModifyIndex: _m, Hash: _h, ...rest } = res.body;
    return rest;
}

async function put(body: Entry): Promise<void> {
    const res = await consul("PUT", `${DC1}/v1/config`, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
}

// examples/mesh-config through the real Pulumi CLI against dc1 and dc2: one stack, one up, checks
// batched (the whole e2e suite stays near ten minutes).
describe("examples/mesh-config with the Pulumi CLI (JWT, proxy defaults, mesh, failover to a peer, any kind)", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/mesh-config");
    // A JSON web key set generated for this run (the public half of a fresh RSA key).
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwks = Buffer.from(
        JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "test", alg: "RS256", use: "sig" }] }),
    ).toString("base64");
    const declared = new Map<string, Entry | undefined>();

    before(async () => {
        await program.init({
            "consul-mesh-mesh-config:dc1Address": DC1,
            "consul-mesh-mesh-config:dc2Address": DC2,
            "consul-mesh-mesh-config:jwks": jwks,
        });
        // dc2's api (catalog only): what dc2 exports to dc1 and dc1's resolver fails over to.
        const reg = await consul("PUT", `${DC2}/v1/catalog/register`, {
            Node: "api-node",
            Address: "10.0.0.20",
            Service: { Service: "api", Port: 8080 },
        });
        assert.equal(reg.status, 200);
    });
    after(async () => {
        const state = await program.run(["stack", "ls"], { allowFailure: true });
        if (state.code === 0) await program.destroy().catch(() => undefined);
        program.cleanup();
        await consul("PUT", `${DC2}/v1/catalog/deregister`, { Node: "api-node" });
    });

    it("writes every entry as declared, the intentions after the JWT provider they name, and api fails over to dc2's", async () => {
        await program.up();
        for (const path of ENTRIES) declared.set(path, await entry(path));
        const [jwt, proxy, meshEntry, , intentions, resolver, router] = ENTRIES.map((p) => declared.get(p));
        assert.deepEqual(jwt?.JSONWebKeySet, { Local: { JWKS: jwks } });
        assert.equal(jwt?.Issuer, "https://issuer.corp.example");
        assert.deepEqual((intentions?.Sources as Array<{ Permissions: Array<{ JWT: unknown }> }>)[0].Permissions[0].JWT, {
            Providers: [{ Name: "corp-issuer", VerifyClaims: [{ Path: ["role"], Value: "admin" }] }],
        });
        assert.deepEqual(proxy?.Config, { protocol: "http" });
        assert.deepEqual(meshEntry?.HTTP, { SanitizeXForwardedClientCert: true });
        assert.deepEqual(resolver?.Failover, { "*": { Targets: [{ Peer: "dc2" }] } });
        assert.deepEqual(router?.Routes, [{ Match: { HTTP: { PathPrefix: "/v2" } }, Destination: { Service: "api", PrefixRewrite: "/" } }]);
        for (const [path, e] of declared) assert.equal((e?.Meta as Record<string, string>)["managed-by"], "consul-mesh", path);

        // Consul's own view: dc1 imports dc2's api over the peering, and api's discovery chain fails over to it.
        assert.ok(
            await eventually(async () => {
                const res = await consul<unknown[]>("GET", `${DC1}/v1/health/service/api?peer=dc2`);
                return res.status === 200 && res.body.length > 0;
            }),
            "dc1 imports api from the peer dc2",
        );
        const chain = await consul<{ Chain: { Targets: Record<string, { Peer?: string; Service: string }> } }>(
            "GET",
            `${DC1}/v1/discovery-chain/api`,
        );
        assert.ok(
            Object.values(chain.body.Chain.Targets).some((t) => t.Peer === "dc2" && t.Service === "api"),
            JSON.stringify(chain.body.Chain.Targets),
        );
    });

    it("shows no changes on preview --refresh of the untouched stack", async () => {
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("shows a hand edit of each kind on refresh and puts every entry back with up", async () => {
        const edit = async (path: string, change: (e: Entry) => Entry) => {
            const current = declared.get(path);
            assert.ok(current, path);
            await put(change(structuredClone(current)));
        };
        await edit("jwt-provider/corp-issuer", (e) => ({ ...e, Issuer: "https://evil.example" }));
        await edit("proxy-defaults/global", (e) => ({ ...e, AccessLogs: { Enabled: false } }));
        await edit("mesh/mesh", (e) => ({ ...e, HTTP: { SanitizeXForwardedClientCert: false } }));
        await edit("service-defaults/api", (e) => ({ ...e, Protocol: "http2" }));
        await edit("service-resolver/api", (e) => ({ ...e, ConnectTimeout: "10s" }));
        await edit("service-router/api", (e) => ({
            ...e,
            Routes: [{ Match: { HTTP: { PathPrefix: "/v3" } }, Destination: { Service: "api" } }],
        }));

        const { steps } = await program.preview(["--refresh"]);
        assert.deepEqual(
            changingSteps(steps)
                .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
                .sort(),
            ["update api-defaults", "update api-resolver", "update api-router", "update issuer", "update mesh", "update proxy-defaults"],
        );
        await program.up(["--refresh"]);
        for (const path of ENTRIES) assert.deepEqual(await entry(path), declared.get(path), `${path} is back as declared`);
    });

    it("destroys every entry and the peering", async () => {
        await program.destroy();
        for (const path of ENTRIES) assert.equal(await entry(path), undefined, path);
        for (const address of [DC1, DC2]) assert.deepEqual((await consul<unknown[]>("GET", `${address}/v1/peerings`)).body, [], address);
    });
});
