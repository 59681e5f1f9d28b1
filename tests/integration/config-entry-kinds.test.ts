// The typed config-entry kinds of issue 19 (and ConfigEntry for any other kind) against a real
// Consul agent: what Consul stores is what was declared (Consul's field names, ownership mark), a
// re-read shows no change, a hand edit shows as a change of the field edited and `update` repairs
// it, and delete leaves nothing.
import { strict as assert } from "node:assert";
import type { EntryInputs } from "../../provider/engine/entry-fields";
import { WholeEntryProvider } from "../../provider/engine/config-entry-resource";
import { ConfigEntryProvider } from "../../provider/resources/config-entry";
import { JwtProviderProvider } from "../../provider/resources/jwt-provider";
import { MeshProvider } from "../../provider/resources/mesh";
import { ProxyDefaultsProvider } from "../../provider/resources/proxy-defaults";
import { ServiceDefaultsProvider } from "../../provider/resources/service-defaults";
import { ServiceResolverProvider } from "../../provider/resources/service-resolver";
import { consul, DC1, uniqueSuffix } from "../support/consul";

const connection = { address: DC1 };
const jwks = Buffer.from(JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0", alg: "HS256", kid: "k1" }] })).toString("base64");

type Held = Record<string, unknown> & { Meta?: Record<string, string> };

async function held(kind: string, name: string): Promise<Held | undefined> {
    const res = await consul<Held>("GET", `${DC1}/v1/config/${kind}/${name}`);
    if (res.status === 404) return undefined;
    const { CreateIndex: _c, ModifyIndex: _m, Hash: _h, ...rest } = res.body;
    return rest;
}

async function handEdit(entry: Held): Promise<void> {
    const res = await consul("PUT", `${DC1}/v1/config`, entry);
    assert.equal(res.status, 200, JSON.stringify(res.body));
}

/**
 * The lifecycle every kind must pass: create stores `expected`, a re-read shows no change, a hand
 * edit shows as a change of `editedField` and update puts the declared entry back, delete removes it.
 */
async function lifecycle(
    provider: WholeEntryProvider<EntryInputs>,
    kind: string,
    name: string,
    inputs: EntryInputs,
    expected: Held,
    edit: (entry: Held) => Held,
    editedField: string,
): Promise<void> {
    const created = await provider.create({ ...inputs, connection });
    assert.equal(created.id, name);
    assert.deepEqual(await held(kind, name), expected, "Consul holds the declared entry");
    const read = await provider.read(name, created.outs);
    assert.equal((await provider.diff(name, read.props ?? {}, { ...inputs, connection })).changes, false, "no change on a re-read");

    const current = await held(kind, name);
    assert.ok(current);
    await handEdit(edit(structuredClone(current)));
    const drifted = await provider.read(name, created.outs);
    const diff = await provider.diff(name, drifted.props ?? {}, { ...inputs, connection });
    assert.equal(diff.changes, true, "the hand edit shows");
    assert.deepEqual(diff.replaces, [], `the edit of ${editedField} is an update, not a replacement`);
    const updated = await provider.update(name, drifted.props ?? {}, { ...inputs, connection });
    assert.deepEqual(await held(kind, name), expected, "update put the declared entry back");
    assert.equal((await provider.diff(name, updated.outs, { ...inputs, connection })).changes, false);

    await provider.delete(name, updated.outs);
    assert.equal(await held(kind, name), undefined, "delete removed the entry");
}

const mark = { "managed-by": "consul-mesh" };

describe("typed config-entry kinds against a real Consul agent", function () {
    this.timeout(60_000);
    let svc: string;
    beforeEach(() => {
        svc = `svc-${uniqueSuffix()}`;
    });
    afterEach(async () => {
        for (const path of [`service-router/${svc}`, `service-resolver/${svc}`, `service-defaults/${svc}`, `jwt-provider/${svc}`]) {
            await consul("DELETE", `${DC1}/v1/config/${path}`);
        }
        await consul("DELETE", `${DC1}/v1/config/proxy-defaults/global`);
        await consul("DELETE", `${DC1}/v1/config/mesh/mesh`);
    });

    it("JwtProvider: inline JWKS, remote key set with its fetch settings, locations, forwarding", async () => {
        const provider = new JwtProviderProvider();
        await lifecycle(
            provider,
            "jwt-provider",
            svc,
            {
                name: svc,
                issuer: "https://issuer.test",
                audiences: ["api"],
                jsonWebKeySet: { local: { jwks } },
                locations: [{ header: { name: "Authorization", valuePrefix: "Bearer ", forward: false } }, { cookie: { name: "jwt" } }],
                forwarding: { headerName: "x-jwt-payload" },
                cacheConfig: { size: 100 },
                meta: { team: "identity" },
            },
            {
                Kind: "jwt-provider",
                Name: svc,
                Issuer: "https://issuer.test",
                Audiences: ["api"],
                JSONWebKeySet: { Local: { JWKS: jwks } },
                Locations: [{ Header: { Name: "Authorization", ValuePrefix: "Bearer " } }, { Cookie: { Name: "jwt" } }],
                Forwarding: { HeaderName: "x-jwt-payload", PadForwardPayloadHeader: false },
                ClockSkewSeconds: 30,
                CacheConfig: { Size: 100 },
                Meta: { team: "identity", ...mark },
            },
            (e) => ({ ...e, Issuer: "https://evil.test" }),
            "issuer",
        );
        // A remote key set: durations read back (Consul stores nanoseconds) as written.
        const remote = {
            name: svc,
            jsonWebKeySet: {
                remote: {
                    uri: "https://issuer.test/jwks",
                    requestTimeoutMs: 1500,
                    cacheDuration: "5m",
                    fetchAsynchronously: true,
                    retryPolicy: { numRetries: 2, retryPolicyBackOff: { baseInterval: "1s", maxInterval: "10s" } },
                },
            },
            clockSkewSeconds: 45,
            connection,
        };
        const created = await provider.create(remote);
        assert.deepEqual(created.outs, remote);
        assert.equal((await held("jwt-provider", svc))?.ClockSkewSeconds, 45);
        assert.equal((await provider.diff(svc, (await provider.read(svc, created.outs)).props ?? {}, remote)).changes, false);
        const shorter = structuredClone(remote);
        shorter.jsonWebKeySet.remote.cacheDuration = "300s";
        assert.equal((await provider.diff(svc, created.outs, shorter)).changes, false, "durations compare by value");
        await provider.delete(svc, created.outs);
    });

    it("ServiceDefaults: no protocol (inherit), the new fields, and Consul's empty protocol is no perpetual diff", async () => {
        await lifecycle(
            new ServiceDefaultsProvider(),
            "service-defaults",
            svc,
            {
                name: svc,
                mode: "transparent",
                transparentProxy: { outboundListenerPort: 15001, dialedDirectly: true },
                meshGateway: { mode: "local" },
                upstreamConfig: {
                    overrides: [
                        { name: "db", peer: "dc2", connectTimeoutMs: 500, passiveHealthCheck: { interval: "10s", maxFailures: 3 } },
                    ],
                    defaults: { connectTimeoutMs: 1000, limits: { maxPendingRequests: 5 } },
                },
                maxInboundConnections: 100,
                localConnectTimeoutMs: 200,
                localRequestTimeoutMs: 300,
            },
            {
                Kind: "service-defaults",
                Name: svc,
                Protocol: "",
                Mode: "transparent",
                TransparentProxy: { OutboundListenerPort: 15001, DialedDirectly: true },
                MeshGateway: { Mode: "local" },
                Expose: {},
                UpstreamConfig: {
                    Overrides: [
                        {
                            Name: "db",
                            Peer: "dc2",
                            ConnectTimeoutMs: 500,
                            PassiveHealthCheck: { Interval: 10_000_000_000, MaxFailures: 3 },
                            MeshGateway: {},
                        },
                    ],
                    Defaults: { Peer: "", ConnectTimeoutMs: 1000, Limits: { MaxPendingRequests: 5 }, MeshGateway: {} },
                },
                MaxInboundConnections: 100,
                LocalConnectTimeoutMs: 200,
                LocalRequestTimeoutMs: 300,
                Meta: mark,
            },
            (e) => ({ ...e, Protocol: "grpc" }),
            "protocol",
        );
    });

    // Issue 31 item 16: fields users copy from Terraform configs and Consul's API tests.
    it("ServiceDefaults: externalSni and the upstream escape hatches, stored by Consul as written, no perpetual diff", async () => {
        const cluster = JSON.stringify({ name: "db", connectTimeout: "5s", type: "STRICT_DNS" });
        const listener = JSON.stringify({
            name: "db:127.0.0.1:9191",
            address: { socketAddress: { address: "127.0.0.1", portValue: 9191 } },
        });
        await lifecycle(
            new ServiceDefaultsProvider(),
            "service-defaults",
            svc,
            {
                name: svc,
                protocol: "http",
                externalSni: "db.external.example.com",
                upstreamConfig: {
                    overrides: [{ name: "db", envoyClusterJson: cluster, envoyListenerJson: listener }],
                    defaults: { envoyClusterJson: "not json: Consul does not parse it", connectTimeoutMs: 250 },
                },
            },
            {
                Kind: "service-defaults",
                Name: svc,
                Protocol: "http",
                TransparentProxy: {},
                MeshGateway: {},
                Expose: {},
                ExternalSNI: "db.external.example.com",
                UpstreamConfig: {
                    Overrides: [{ Name: "db", Peer: "", EnvoyClusterJSON: cluster, EnvoyListenerJSON: listener, MeshGateway: {} }],
                    Defaults: { Peer: "", EnvoyClusterJSON: "not json: Consul does not parse it", ConnectTimeoutMs: 250, MeshGateway: {} },
                },
                Meta: mark,
            },
            (e) => ({ ...e, ExternalSNI: "evil.example.com" }),
            "externalSni",
        );
    });

    it("ProxyDefaults: the global entry with config, mesh gateway, transparent proxy, expose and access logs", async () => {
        await lifecycle(
            new ProxyDefaultsProvider(),
            "proxy-defaults",
            "global",
            {
                mode: "direct",
                config: { protocol: "http", local_connect_timeout_ms: 1000 },
                meshGateway: { mode: "local" },
                transparentProxy: { outboundListenerPort: 15001 },
                expose: { checks: true, paths: [{ path: "/metrics", localPathPort: 9102, listenerPort: 21500, protocol: "http" }] },
                accessLogs: { enabled: true, type: "file", path: "/tmp/envoy-access.log" },
            },
            {
                Kind: "proxy-defaults",
                Name: "global",
                Mode: "direct",
                Config: { protocol: "http", local_connect_timeout_ms: 1000 },
                MeshGateway: { Mode: "local" },
                TransparentProxy: { OutboundListenerPort: 15001 },
                Expose: { Checks: true, Paths: [{ Path: "/metrics", LocalPathPort: 9102, ListenerPort: 21500, Protocol: "http" }] },
                AccessLogs: { Enabled: true, Type: "file", Path: "/tmp/envoy-access.log" },
                Meta: mark,
            },
            (e) => ({ ...e, Config: { protocol: "tcp" } }),
            "config",
        );
    });

    it("Mesh: written without a Name (Consul refuses one), settings of every group", async () => {
        await lifecycle(
            new MeshProvider(),
            "mesh",
            "mesh",
            {
                transparentProxy: { meshDestinationsOnly: true },
                tls: { incoming: { tlsMinVersion: "TLSv1_2" }, outgoing: { tlsMinVersion: "TLSv1_2", tlsMaxVersion: "TLSv1_3" } },
                http: { sanitizeXForwardedClientCert: true },
                peering: { peerThroughMeshGateways: true },
            },
            {
                Kind: "mesh",
                TransparentProxy: { MeshDestinationsOnly: true },
                TLS: { Incoming: { TLSMinVersion: "TLSv1_2" }, Outgoing: { TLSMinVersion: "TLSv1_2", TLSMaxVersion: "TLSv1_3" } },
                HTTP: { SanitizeXForwardedClientCert: true },
                Peering: { PeerThroughMeshGateways: true },
                Meta: mark,
            },
            ({ Name: _n, ...e }) => ({ ...e, HTTP: { SanitizeXForwardedClientCert: false } }),
            "http",
        );
    });

    it("ServiceResolver: subsets, failover to a peer and a datacenter, timeouts, load balancer", async () => {
        await lifecycle(
            new ServiceResolverProvider(),
            "service-resolver",
            svc,
            {
                name: svc,
                defaultSubset: "v1",
                subsets: { v1: { filter: "Service.Meta.version == v1", onlyPassing: true }, v2: { filter: "Service.Meta.version == v2" } },
                failover: { "*": { targets: [{ peer: "dc2" }, { service: svc, datacenter: "dc3" }] } },
                connectTimeout: "90s",
                loadBalancer: { policy: "least_request", leastRequestConfig: { choiceCount: 3 } },
            },
            {
                Kind: "service-resolver",
                Name: svc,
                DefaultSubset: "v1",
                Subsets: { v1: { Filter: "Service.Meta.version == v1", OnlyPassing: true }, v2: { Filter: "Service.Meta.version == v2" } },
                Failover: { "*": { Targets: [{ Peer: "dc2" }, { Service: svc, Datacenter: "dc3" }] } },
                ConnectTimeout: "1m30s",
                LoadBalancer: { Policy: "least_request", LeastRequestConfig: { ChoiceCount: 3 } },
                Meta: mark,
            },
            (e) => ({ ...e, Failover: { "*": { Targets: [{ Peer: "other" }] } } }),
            "failover",
        );
    });

    it("ConfigEntry: a service-router (a kind without its own resource), Consul's defaults no change", async () => {
        const defaults = new ServiceDefaultsProvider();
        const sd = await defaults.create({ name: svc, protocol: "http", connection });
        await lifecycle(
            new ConfigEntryProvider(),
            "service-router",
            svc,
            {
                kind: "service-router",
                name: svc,
                entry: { Routes: [{ Match: { HTTP: { PathPrefix: "/v2" } }, Destination: { Service: svc, PrefixRewrite: "/" } }] },
            },
            {
                Kind: "service-router",
                Name: svc,
                Routes: [{ Match: { HTTP: { PathPrefix: "/v2" } }, Destination: { Service: svc, PrefixRewrite: "/" } }],
                Meta: mark,
            },
            (e) => ({ ...e, Routes: [{ Match: { HTTP: { PathPrefix: "/v3" } }, Destination: { Service: svc } }] }),
            "entry.Routes",
        );
        await defaults.delete(svc, sd.outs);
    });

    it("a create that finds a different entry is refused naming the fields; adopt takes it over", async () => {
        await handEdit({ Kind: "jwt-provider", Name: svc, Issuer: "https://other.test", JSONWebKeySet: { Local: { JWKS: jwks } } });
        const provider = new JwtProviderProvider();
        const inputs = { name: svc, issuer: "https://issuer.test", jsonWebKeySet: { local: { jwks } }, connection };
        await assert.rejects(
            provider.create(inputs),
            /jwt-provider ".*" already exists at .* differs from the declared one in Issuer, Meta: it was created outside consul-mesh/,
        );
        const adopted = await provider.create({ ...inputs, adopt: true });
        assert.equal(adopted.outs.issuer, "https://issuer.test");
        assert.deepEqual((await held("jwt-provider", svc))?.Meta, mark);
    });
});
