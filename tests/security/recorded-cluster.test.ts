// Finding (high, issue 31 items 1 and 2): read and delete followed today's settings, not the
// resource. A stack deployed with CONSUL_HTTP_ADDR=<dc3> and refreshed with another address sent
// dc3's management token (and a resource's own token) to the other server and reported the
// resources deleted; a move of consul-mesh:address/token from dc3 to dc2 deleted the old objects at
// dc2, leaving them alive on dc3. The rule now: read and delete (the old side of a replacement too)
// talk only to the cluster recorded in the resource's state, with the resource's own connection or a
// setting whose address is that cluster; a token the settings hold for another address is never sent
// there, and when that is all there is, the call fails naming both clusters, having sent nothing.
// Every resource kind, read and delete, against two recording servers: `recorded` stands for dc3,
// `current` for where the settings point now.
import { strict as assert } from "node:assert";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { providers } from "../../provider";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { withEnv } from "../support/probe-provider";

const ACCESSOR = "3f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d55";
const SECRET = "5e2b1f0e-6a7d-4c39-9e3c-0d4b3f1a4c1e";
const PEERING_TOKEN = Buffer.from(JSON.stringify({ ServerAddresses: ["127.0.0.1:8503"], PeerID: "p-1" })).toString("base64");
const SPKI = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

/** A state of each kind as a deployment leaves it (the cluster is added per test). */
const states: Record<string, { id: string; props: Record<string, unknown> }> = {
    Intention: { id: "web=>api", props: { source: "web", destination: "api", action: "allow" } },
    ServiceIntentions: { id: "api", props: { destination: "api", sources: [{ name: "web", action: "allow" }] } },
    ServiceDefaults: { id: "api", props: { name: "api", protocol: "http" } },
    ExportedServices: { id: "default", props: { services: [{ name: "api", consumers: [{ peer: "dc2" }] }] } },
    AclPolicy: { id: ACCESSOR, props: { name: "p", rules: 'service "api" { policy = "read" }', policyId: ACCESSOR } },
    AclRole: { id: ACCESSOR, props: { name: "r", policies: ["p"], roleId: ACCESSOR } },
    AclToken: { id: ACCESSOR, props: { description: "t", policies: ["p"], accessorId: ACCESSOR, secretId: SECRET } },
    AclAuthMethod: { id: "ci", props: { name: "ci", type: "jwt", jwt: { jwtValidationPubKeys: [SPKI], boundIssuer: "ci" } } },
    AclBindingRule: { id: ACCESSOR, props: { authMethod: "ci", bindType: "service", bindName: "api", ruleId: ACCESSOR } },
    JwtProvider: { id: "okta", props: { name: "okta", jsonWebKeySet: { remote: { uri: "https://issuer.example/jwks" } } } },
    ProxyDefaults: { id: "global", props: { mode: "direct" } },
    Mesh: { id: "mesh", props: { http: { sanitizeXForwardedClientCert: true } } },
    ServiceResolver: { id: "api", props: { name: "api", connectTimeout: "5s" } },
    ConfigEntry: { id: "service-router/api", props: { kind: "service-router", name: "api", entry: { Routes: [] } } },
    PeeringToken: { id: "dc2", props: { peerName: "dc2", peeringToken: PEERING_TOKEN, peeringId: "p-1", state: "ACTIVE" } },
    Peering: {
        id: "dc1",
        props: {
            peerName: "dc1",
            peeringToken: PEERING_TOKEN,
            peeringId: "p-2",
            state: "ACTIVE",
            peerServerAddresses: [],
            importedServiceCount: 0,
            exportedServiceCount: 0,
        },
    },
    CaConfiguration: { id: "connect-ca", props: { config: { leafCertTtl: "72h" }, configKeys: ["leafCertTtl"], resetOnDelete: true } },
    AclBootstrap: { id: ACCESSOR, props: { accessorId: ACCESSOR, secretId: SECRET, revokeOnDelete: true } },
    IntentionAssertions: { id: "a-1", props: { expectations: [{ from: "web", to: "api", expect: "allow" }], results: [], violations: [] } },
};

/** Calls that bring the resource's own secret and need no connection token (a bootstrap token reads itself). */
const OWN_SECRET_CALLS = new Set(["AclBootstrap read", "AclBootstrap delete"]);
/** Deletes that send nothing: Consul holds nothing of an assertion. */
const NOTHING_TO_DELETE = new Set(["IntentionAssertions delete"]);

function providerOf(kind: string, stack: Record<string, string> = {}): dynamic.ResourceProvider {
    const p: dynamic.ResourceProvider | undefined = Object.entries(providers).find(([k]) => k === kind)?.[1];
    assert.ok(p, kind);
    const get = (key: string) => stack[key.replace(/^consul-mesh:/, "")];
    void p.configure?.({ config: { get, require: (key: string) => get(key) ?? assert.fail(key) } });
    return p;
}

async function outcome(call: () => Promise<unknown>): Promise<Error | undefined> {
    try {
        await call();
        return undefined;
    } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
    }
}

describe("security: read and delete reach only the resource's recorded cluster", function () {
    this.timeout(60_000);
    let recorded: RecordingServer;
    let current: RecordingServer;
    before(async () => {
        const gone = () => ({ status: 404, body: "not found" });
        [recorded, current] = await Promise.all([startRecordingServer(gone), startRecordingServer(gone)]);
    });
    after(() => Promise.all([recorded.close(), current.close()]));
    beforeEach(() => {
        for (const s of [recorded, current]) s.requests.length = 0;
    });
    afterEach(() => {
        for (const kind of Object.keys(states)) providerOf(kind);
    });

    const moves: Array<{ story: string; env: () => Record<string, string | undefined>; stack: () => Record<string, string> }> = [
        {
            story: "the environment now points elsewhere, with the same token (story 1: refresh)",
            env: () => ({
                CONSUL_HTTP_ADDR: current.address,
                CONSUL_HTTP_TOKEN: "dc3-management-token",
                CONSUL_HTTP_TOKEN_FILE: undefined,
            }),
            stack: () => ({}),
        },
        {
            story: "consul-mesh:address/token moved to another cluster (story 2: the old side of a move)",
            env: () => ({ CONSUL_HTTP_ADDR: undefined, CONSUL_HTTP_TOKEN: undefined, CONSUL_HTTP_TOKEN_FILE: undefined }),
            stack: () => ({ address: current.address, token: "dc2-token" }),
        },
    ];

    for (const move of moves) {
        it(`${move.story}: every kind fails naming both clusters, sends nothing elsewhere, no token of another cluster`, async () => {
            const failures: string[] = [];
            await withEnv(move.env(), async () => {
                for (const [kind, state] of Object.entries(states)) {
                    const p = providerOf(kind, move.stack());
                    const props = { ...state.props, cluster: recorded.address };
                    for (const op of ["read", "delete"] as const) {
                        const before = recorded.requests.length;
                        const err = await outcome(() => (op === "read" ? p.read!(state.id, props) : p.delete!(state.id, props)));
                        const name = `${kind} ${op}`;
                        if (OWN_SECRET_CALLS.has(name)) {
                            assert.ok(recorded.requests.length > before, `${name} reached the recorded cluster`);
                            assert.ok(
                                recorded.requests.slice(before).every((r) => r.token === SECRET),
                                `${name}: only the resource's own secret`,
                            );
                        } else if (!NOTHING_TO_DELETE.has(name)) {
                            if (!err || !/did not send/.test(err.message)) failures.push(`${name}: ${err?.message ?? "succeeded"}`);
                            else {
                                assert.ok(err.message.includes(`lives at ${recorded.address}`), `${name} names the recorded cluster`);
                                assert.ok(err.message.includes(`reach ${current.address}`), `${name} names where the settings point`);
                                assert.match(err.message, /CONSUL_HTTP_ADDR=.* CONSUL_HTTP_TOKEN/, `${name} says what to set`);
                                assert.ok(!/dc3-management-token|dc2-token/.test(err.message), `${name}: no token in the message`);
                            }
                        }
                    }
                }
            });
            assert.deepEqual(current.requests, [], "nothing went to where the settings point now");
            assert.ok(
                recorded.requests.every((r) => r.token === SECRET),
                "the recorded cluster saw no token of the settings (only a bootstrap token reading itself)",
            );
            assert.deepEqual(failures, [], "every call without a token of the recorded cluster failed loudly, not silently");
        });
    }

    it("with the resource's own token, every kind reads and deletes at the recorded cluster with it", async () => {
        await withEnv(
            { CONSUL_HTTP_ADDR: current.address, CONSUL_HTTP_TOKEN: "dc2-env-token", CONSUL_HTTP_TOKEN_FILE: undefined },
            async () => {
                for (const [kind, state] of Object.entries(states)) {
                    const p = providerOf(kind, { address: current.address, token: "dc2-token" });
                    const props = { ...state.props, cluster: recorded.address, connection: { token: "own-token" } };
                    const before = recorded.requests.length;
                    const read = await outcome(() => p.read!(state.id, props));
                    assert.ok(!read || !/did not send/.test(read.message), `${kind} read: ${read?.message}`);
                    assert.ok(recorded.requests.length > before, `${kind} read reached the recorded cluster`);
                    const del = await outcome(() => p.delete!(state.id, props));
                    assert.ok(!del || !/did not send/.test(del.message), `${kind} delete: ${del?.message}`);
                }
            },
        );
        assert.deepEqual(current.requests, [], "nothing went to where the settings point now");
        const tokens = new Set(recorded.requests.map((r) => r.token));
        assert.deepEqual([...tokens].sort(), [SECRET, "own-token"].sort(), "only the resource's own credentials");
    });

    it("settings that still reach the recorded cluster resolve as ever (a plain refresh keeps working)", async () => {
        await withEnv(
            { CONSUL_HTTP_ADDR: recorded.address, CONSUL_HTTP_TOKEN: "dc3-management-token", CONSUL_HTTP_TOKEN_FILE: undefined },
            async () => {
                for (const [kind, state] of Object.entries(states)) {
                    const p = providerOf(kind);
                    const err = await outcome(() => p.read!(state.id, { ...state.props, cluster: recorded.address }));
                    assert.ok(!err || !/did not send/.test(err.message), `${kind} read: ${err?.message}`);
                }
            },
        );
        assert.deepEqual(current.requests, []);
        assert.ok(
            recorded.requests.some((r) => r.token === "dc3-management-token"),
            "the environment's token at its own address",
        );
    });
    it("a peering's other side is read where it was recorded too (Peering's acceptor, PeeringToken's dialer)", async () => {
        // This side names its cluster and token; the other side names none: settings placed it at `recorded`.
        const peerings = JSON.stringify({ ID: "p-1", Name: "x", State: "ACTIVE", PeerID: "p-0", PeerServerAddresses: ["127.0.0.1:8503"] });
        const thisSide = await startRecordingServer(() => ({ status: 200, body: peerings, contentType: "application/json" }));
        try {
            const connection = { address: thisSide.address, token: "this-side-token" };
            const sides = [
                {
                    kind: "Peering",
                    id: "dc1",
                    props: { ...states.Peering.props, connection, acceptor: { peerName: "dc2" }, acceptorCluster: recorded.address },
                },
                {
                    kind: "PeeringToken",
                    id: "dc2",
                    props: {
                        ...states.PeeringToken.props,
                        peeringId: "p-1",
                        connection,
                        dialer: { peerName: "dc1" },
                        dialerCluster: recorded.address,
                    },
                },
            ];
            await withEnv(
                { CONSUL_HTTP_ADDR: current.address, CONSUL_HTTP_TOKEN: "moved-env-token", CONSUL_HTTP_TOKEN_FILE: undefined },
                async () => {
                    for (const side of sides) {
                        const p = providerOf(side.kind);
                        const err = await outcome(() => p.read!(side.id, { ...side.props, cluster: thisSide.address }));
                        assert.ok(err, `${side.kind}: the read fails instead of reporting the peering gone`);
                        assert.ok(err.message.includes(`lives at ${recorded.address}`), `${side.kind}: ${err.message}`);
                    }
                },
            );
            assert.equal(thisSide.requests.length, 2, "this side was read, at its own address");
            assert.ok(thisSide.requests.every((r) => r.token === "this-side-token"));
            assert.deepEqual(current.requests, [], "the other side was not looked for where the settings point now");
            assert.deepEqual(recorded.requests, [], "nor sent anything without a token of its own");
        } finally {
            await thisSide.close();
        }
    });
});
