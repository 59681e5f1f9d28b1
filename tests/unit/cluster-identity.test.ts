// Where a resource lives, the same way for every kind: check records the cluster the connection
// reaches (the computed `cluster` input) and returns the parsed inputs; diff replaces only on a real
// move to another cluster (including a stack-config move of an address-less resource), updates for
// another spelling of the same address, and previews an update while the whole connection is unknown
// (a token being rotated makes the SDK's one secret connection unknown). Issue 15, defect 1's siblings.
import { strict as assert } from "node:assert";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { providers } from "../../provider";
import { UNKNOWN } from "../../provider/model/validation";
import { z } from "zod";

type Props = Record<string, unknown>;
const props = (value: unknown): Props => z.record(z.string(), z.unknown()).parse(value ?? {});

/** The provider's check and diff, with what they return typed (the host's interface says any). */
interface Checked {
    inputs: Props;
    failures: unknown[];
}
function typed(p: dynamic.ResourceProvider) {
    return {
        check: async (olds: Props, news: Props): Promise<Checked> => {
            const res = await p.check!(olds, news);
            return { inputs: props(res.inputs), failures: z.array(z.unknown()).parse(res.failures ?? []) };
        },
        diff: (olds: Props, news: Props): Promise<dynamic.DiffResult> => p.diff!("id", olds, news),
    };
}

/** A well-formed peering token (base64 JSON with a server address): check inspects, never dials it. */
const PEERING_TOKEN = Buffer.from(JSON.stringify({ ServerAddresses: ["127.0.0.1:8503"], PeerID: "p-1" })).toString("base64");
const SPKI = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

/** Minimal valid inputs of each kind whose identity includes where it lives. */
const minimal: Record<string, Record<string, unknown>> = {
    Intention: { source: "web", destination: "api", action: "allow" },
    ServiceIntentions: { destination: "api", sources: [{ name: "web", action: "allow" }] },
    ServiceDefaults: { name: "api", protocol: "http" },
    ExportedServices: { services: [{ name: "api", consumers: [{ peer: "dc2" }] }] },
    AclPolicy: { name: "p", rules: 'service "api" { policy = "read" }' },
    AclRole: { name: "r", policies: ["p"] },
    AclToken: { description: "t", policies: ["p"] },
    AclAuthMethod: { name: "ci", type: "jwt", jwt: { jwtValidationPubKeys: [SPKI], boundIssuer: "ci" } },
    AclBindingRule: { authMethod: "ci", bindType: "service", bindName: "api" },
    JwtProvider: { name: "okta", jsonWebKeySet: { remote: { uri: "https://issuer.example/jwks" } } },
    ProxyDefaults: { mode: "direct" },
    Mesh: { http: { sanitizeXForwardedClientCert: true } },
    ServiceResolver: { name: "api", connectTimeout: "5s" },
    ConfigEntry: { kind: "service-router", name: "api", entry: { Routes: [] } },
    // Peer names given, so that check asks no datacenter for their defaults.
    PeeringToken: { peerName: "dc2" },
    Peering: { peerName: "dc1", peeringToken: PEERING_TOKEN },
    CaConfiguration: { config: { leafCertTtl: "72h" } },
};

/** Inputs check computes (never declared by users). */
const COMPUTED = new Set(["cluster", "rootRotation"]);

/** Outputs every state of the kind has beside its inputs (what diff may rely on). */
const recorded: Record<string, Record<string, unknown>> = {
    AclToken: { accessorId: "3f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d55", secretId: "5e2b1f0e-6a7d-4c39-9e3c-0d4b3f1a4c1e" },
    // The CA provider Consul reported (an output; the input may leave it to its default).
    CaConfiguration: { provider: "consul" },
};

function providerOf(kind: string, stackAddress?: string): ReturnType<typeof typed> {
    const p: dynamic.ResourceProvider | undefined = Object.entries(providers).find(([k]) => k === kind)?.[1];
    assert.ok(p, kind);
    const get = (key: string) => (key === "consul-mesh:address" ? stackAddress : undefined);
    const require = (key: string) => get(key) ?? assert.fail(`no ${key}`);
    void p.configure?.({ config: { get, require } });
    return typed(p);
}

describe("cluster identity of every resource kind", () => {
    afterEach(() => {
        // The providers are process-wide instances: put the stack config back.
        for (const kind of Object.keys(minimal)) providerOf(kind);
    });

    for (const [kind, inputs] of Object.entries(minimal)) {
        describe(kind, () => {
            it("check adds the normalised cluster and returns the parsed inputs", async () => {
                const p = providerOf(kind);
                const res = await p.check({}, { ...inputs, connection: { address: "HTTP://127.0.0.1:8500/" }, __provider: "x" });
                assert.deepEqual(res.failures, []);
                assert.equal(res.inputs.cluster, "http://127.0.0.1:8500");
                assert.equal(res.inputs.__provider, undefined, "reserved keys are the host's, not part of the parsed inputs");
                // The inputs as parsed: every declared value, and besides them only what check computes.
                for (const [key, value] of Object.entries(inputs)) assert.deepEqual(res.inputs[key], value, key);
                const computed = Object.keys(res.inputs).filter((k) => !(k in inputs) && k !== "connection");
                assert.ok(
                    computed.every((k) => COMPUTED.has(k)),
                    `unexpected inputs: ${computed.join(", ")}`,
                );
                // A stale computed value from the program is not taken: check decides it.
                const again = await p.check({}, { ...inputs, cluster: "http://elsewhere:8500" });
                assert.equal(again.inputs.cluster, "http://127.0.0.1:8500");
            });

            it("diff: another spelling is no change, another cluster replaces, an unknown connection previews an update", async () => {
                const p = providerOf(kind);
                const olds = {
                    ...(await p.check({}, { ...inputs, connection: { address: "127.0.0.1:8500" } })).inputs,
                    ...recorded[kind],
                };
                const respelled = (await p.check(olds, { ...inputs, connection: { address: "http://127.0.0.1:8500" } })).inputs;
                const same = await p.diff(olds, respelled);
                assert.deepEqual(same.replaces ?? [], []);
                // No update either: an update makes the resource's outputs unknown in the preview, and a
                // resource fed by them (a Peering by its PeeringToken) would preview a false replacement.
                assert.equal(same.changes, false, "a re-spelled address is no change");
                // The name messages give the cluster (PeeringMesh's fleet name) is no change either.
                const named = (await p.check(olds, { ...inputs, connection: { address: "127.0.0.1:8500", clusterName: "dc1" } })).inputs;
                assert.equal(named.cluster, olds.cluster);
                assert.equal((await p.diff(olds, named)).changes, false, "a cluster name is no change");
                const moved = (await p.check(olds, { ...inputs, connection: { address: "127.0.0.1:9500" } })).inputs;
                assert.deepEqual((await p.diff(olds, moved)).replaces, ["cluster"]);
                const unknown = (await p.check(olds, { ...inputs, connection: UNKNOWN })).inputs;
                assert.equal(unknown.cluster, UNKNOWN);
                const preview = await p.diff(olds, unknown);
                assert.deepEqual(preview.replaces ?? [], []);
                assert.equal(preview.changes, true);
            });

            it("diff: the stack config moving an address-less resource to another cluster replaces it", async () => {
                const olds = { ...(await providerOf(kind, "127.0.0.1:8500").check({}, { ...inputs })).inputs, ...recorded[kind] };
                const p = providerOf(kind, "127.0.0.1:9500");
                const news = (await p.check(olds, { ...inputs })).inputs;
                assert.equal(news.cluster, "http://127.0.0.1:9500");
                assert.deepEqual((await p.diff(olds, news)).replaces, ["cluster"]);
            });
        });
    }
});
