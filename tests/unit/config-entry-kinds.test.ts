// The typed config-entry kinds (issue 19): each kind's mapping to Consul's fields and back, against
// what Consul 1.16.3 answers (bodies recorded from a real agent), and each schema's Consul rules.
import { strict as assert } from "node:assert";
import { parseEntry } from "../../provider/engine/config-entry";
import { changedFields, fromConsul, toConsul } from "../../provider/engine/entry-fields";
import { configEntryKind, configEntrySchema } from "../../provider/resources/config-entry";
import { JWT_PROVIDER_FIELDS, jwtProviderSchema } from "../../provider/resources/jwt-provider";
import { meshSchema, MESH_FIELDS } from "../../provider/resources/mesh";
import { proxyDefaultsSchema } from "../../provider/resources/proxy-defaults";
import { serviceDefaultsKind, serviceDefaultsSchema } from "../../provider/resources/service-defaults";
import { SERVICE_RESOLVER_FIELDS, serviceResolverSchema } from "../../provider/resources/service-resolver";
import { validate } from "../../provider/model/validation";

const jwks = Buffer.from(JSON.stringify({ keys: [] })).toString("base64");

const remoteProvider = {
    issuer: "x",
    audiences: ["a", "b"],
    jsonWebKeySet: {
        remote: {
            uri: "https://a.test/jwks",
            requestTimeoutMs: 1500,
            cacheDuration: "5m",
            fetchAsynchronously: true,
            retryPolicy: { numRetries: 3, retryPolicyBackOff: { baseInterval: "1s", maxInterval: "10s" } },
        },
    },
    locations: [
        { header: { name: "Authorization", valuePrefix: "Bearer ", forward: true } },
        { queryParam: { name: "t" } },
        { cookie: { name: "c" } },
    ],
    forwarding: { headerName: "x-jwt", padForwardPayloadHeader: true },
    cacheConfig: { size: 10 },
};

// What Consul 1.16.3 answered for remoteProvider (and for a minimal local one), indexes aside.
const remoteHeld = {
    JSONWebKeySet: {
        Remote: {
            URI: "https://a.test/jwks",
            RequestTimeoutMs: 1500,
            CacheDuration: 300000000000,
            FetchAsynchronously: true,
            RetryPolicy: { NumRetries: 3, RetryPolicyBackOff: { BaseInterval: 1000000000, MaxInterval: 10000000000 } },
        },
    },
    Issuer: "x",
    Audiences: ["a", "b"],
    Locations: [
        { Header: { Name: "Authorization", ValuePrefix: "Bearer ", Forward: true } },
        { QueryParam: { Name: "t" } },
        { Cookie: { Name: "c" } },
    ],
    Forwarding: { HeaderName: "x-jwt", PadForwardPayloadHeader: true },
    ClockSkewSeconds: 30,
    CacheConfig: { Size: 10 },
};

const failuresOf = (schema: Parameters<typeof validate>[0], inputs: Record<string, unknown>) =>
    validate(schema, inputs).failures.map((f) => `${f.property}: ${f.reason}`);

describe("JwtProvider mapping and rules", () => {
    it("writes Consul's field names, durations as the nanoseconds Consul stores", () => {
        const { ClockSkewSeconds: _default, ...written } = remoteHeld;
        assert.deepEqual(toConsul(remoteProvider, JWT_PROVIDER_FIELDS), written);
    });

    it("reads Consul's answer back as declared: durations spelled as written, defaults and zero values not shown", () => {
        assert.deepEqual(fromConsul(remoteHeld, JWT_PROVIDER_FIELDS, remoteProvider), remoteProvider);
        const local = { jsonWebKeySet: { local: { jwks } } };
        const held = {
            JSONWebKeySet: { Local: { JWKS: jwks } },
            ClockSkewSeconds: 30,
            Forwarding: { HeaderName: "h", PadForwardPayloadHeader: false },
        };
        assert.deepEqual(fromConsul(held, JWT_PROVIDER_FIELDS, local), { ...local, forwarding: { headerName: "h" } });
        // Someone changed the clock skew: shown, in our spelling.
        assert.deepEqual(fromConsul({ ...held, ClockSkewSeconds: 90 }, JWT_PROVIDER_FIELDS, local), {
            ...local,
            forwarding: { headerName: "h" },
            clockSkewSeconds: 90,
        });
    });

    it("compares durations by value and zero values as unset; a real change is named", () => {
        const fields = ["jsonWebKeySet", "locations", "issuer"];
        const same = structuredClone(remoteProvider);
        same.jsonWebKeySet.remote.cacheDuration = "300s";
        assert.deepEqual(changedFields(remoteProvider, same, fields, JWT_PROVIDER_FIELDS), []);
        const withFalse = { ...remoteProvider, locations: [{ header: { name: "Authorization", valuePrefix: "Bearer ", forward: false } }] };
        const without = { ...remoteProvider, locations: [{ header: { name: "Authorization", valuePrefix: "Bearer " } }] };
        assert.deepEqual(changedFields(withFalse, without, fields, JWT_PROVIDER_FIELDS), []);
        assert.deepEqual(changedFields(remoteProvider, { ...remoteProvider, issuer: "y" }, fields, JWT_PROVIDER_FIELDS), ["issuer"]);
    });

    it("refuses what Consul's Validate refuses, naming the property", () => {
        const base = { name: "okta", jsonWebKeySet: { local: { jwks } } };
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [{ name: "okta" }, /^jsonWebKeySet: /],
            [{ ...base, jsonWebKeySet: {} }, /^jsonWebKeySet: jsonWebKeySet needs exactly one of local or remote/],
            [{ ...base, jsonWebKeySet: { local: { jwks }, remote: { uri: "https://x" } } }, /exactly one of local or remote/],
            [
                { ...base, jsonWebKeySet: { local: { jwks, filename: "/k" } } },
                /^jsonWebKeySet\.local: local needs exactly one of jwks or filename/,
            ],
            [{ ...base, jsonWebKeySet: { local: { jwks: "not base64!" } } }, /^jsonWebKeySet\.local\.jwks: jwks must be a base64-encoded/],
            [{ ...base, jsonWebKeySet: { remote: { uri: "notauri" } } }, /^jsonWebKeySet\.remote\.uri: uri must be an absolute URI/],
            [
                {
                    ...base,
                    jsonWebKeySet: {
                        remote: { uri: "https://x", retryPolicy: { retryPolicyBackOff: { baseInterval: "10s", maxInterval: "1s" } } },
                    },
                },
                /^jsonWebKeySet\.remote\.retryPolicy\.retryPolicyBackOff\.maxInterval: maxInterval must be at least baseInterval/,
            ],
            [{ ...base, jsonWebKeySet: { remote: { uri: "https://x", cacheDuration: "5 minutes" } } }, /cacheDuration must be a duration/],
            [
                { ...base, locations: [{ header: { name: "a" }, cookie: { name: "b" } }] },
                /^locations\.0: a location needs exactly one of header/,
            ],
            [{ ...base, locations: [{ queryParam: { name: "" } }] }, /^locations\.0\.queryParam\.name: query param name must not be empty/],
            [{ ...base, forwarding: { headerName: "" } }, /^forwarding\.headerName: forwarding needs headerName/],
            [{ ...base, clockSkewSeconds: -1 }, /^clockSkewSeconds: clockSkewSeconds must not be negative/],
            [{ ...base, meta: { "managed-by": "me" } }, /^meta: meta key "managed-by" is reserved/],
        ];
        for (const [inputs, reason] of cases) {
            const failures = failuresOf(jwtProviderSchema(), inputs);
            assert.ok(
                failures.some((f) => reason.test(f)),
                `${JSON.stringify(inputs)}: ${failures.join("; ")}`,
            );
        }
        assert.deepEqual(failuresOf(jwtProviderSchema(), { name: "okta", ...remoteProvider }), []);
        assert.deepEqual(failuresOf(jwtProviderSchema(), { ...base, jsonWebKeySet: { remote: { uri: "/jwks" } } }), []);
    });
});

describe("ServiceDefaults mapping", () => {
    const kind = () => serviceDefaultsKind;

    it("reads Consul's empty protocol (inherit proxy-defaults) as unset, and a state that says tcp still compares", () => {
        const spec = kind();
        const held = parseEntry({ Kind: "service-defaults", Name: "api", Protocol: "", TransparentProxy: {}, MeshGateway: {}, Expose: {} });
        assert.deepEqual(spec.outputs(held, { name: "api" }), { name: "api", meta: undefined });
        assert.deepEqual(spec.changes({ name: "api" }, { name: "api" }), []);
        // A state from when protocol was required (and Consul held "tcp").
        assert.deepEqual(spec.changes({ name: "api", protocol: "tcp" }, { name: "api", protocol: "tcp" }), []);
        assert.deepEqual(spec.changes({ name: "api", protocol: "tcp" }, { name: "api" }), ["protocol"]);
    });

    it("owns its fields (one left out is removed) and keeps fields it does not model", () => {
        const spec = kind();
        const current = parseEntry({
            Kind: "service-defaults",
            Name: "api",
            Protocol: "http",
            MaxInboundConnections: 5,
            RateLimits: { InstanceLevel: { RequestsPerSecond: 1 } },
        });
        const next = spec.toEntry(
            { name: "api", protocol: "grpc", upstreamConfig: { defaults: { passiveHealthCheck: { interval: "10s" } } } },
            current,
        );
        assert.equal(next.Protocol, "grpc");
        assert.equal(next.MaxInboundConnections, undefined);
        assert.deepEqual(next.RateLimits, { InstanceLevel: { RequestsPerSecond: 1 } });
        assert.deepEqual(next.UpstreamConfig, { Defaults: { PassiveHealthCheck: { Interval: 10_000_000_000 } } });
    });
});

// Issue 31 item 16: ExternalSNI and the upstream escape hatches could not be written at all.
describe("ServiceDefaults externalSni, envoyClusterJson and envoyListenerJson", () => {
    const inputs = {
        name: "api",
        externalSni: "api.external.example.com",
        upstreamConfig: {
            overrides: [{ name: "db", envoyClusterJson: '{"name":"db"}', envoyListenerJson: '{"name":"db-listener"}' }],
            defaults: { envoyClusterJson: "{}" },
        },
    };

    it("accepts any text, as Consul 1.16.3 does, and refuses other types naming the property", () => {
        assert.deepEqual(failuresOf(serviceDefaultsSchema(), inputs), []);
        assert.deepEqual(
            failuresOf(serviceDefaultsSchema(), { name: "api", upstreamConfig: { defaults: { envoyListenerJson: "not json" } } }),
            [],
        );
        assert.deepEqual(failuresOf(serviceDefaultsSchema(), { name: "api", externalSni: 7 }), [
            "externalSni: externalSni must be a string (a TLS server name)",
        ]);
        assert.deepEqual(
            failuresOf(serviceDefaultsSchema(), { name: "api", upstreamConfig: { defaults: { envoyClusterJson: { name: "db" } } } }),
            ["upstreamConfig.defaults.envoyClusterJson: envoyClusterJson must be a string (Envoy cluster JSON)"],
        );
    });

    it("writes Consul's names (ExternalSNI, EnvoyClusterJSON, EnvoyListenerJSON) and reads them back unchanged", () => {
        const spec = serviceDefaultsKind;
        const entry = spec.toEntry(inputs, undefined);
        assert.equal(entry.ExternalSNI, "api.external.example.com");
        assert.deepEqual(entry.UpstreamConfig, {
            Overrides: [{ Name: "db", EnvoyClusterJSON: '{"name":"db"}', EnvoyListenerJSON: '{"name":"db-listener"}' }],
            Defaults: { EnvoyClusterJSON: "{}" },
        });
        const held = parseEntry({ ...entry, Protocol: "", TransparentProxy: {}, MeshGateway: {}, Expose: {} });
        assert.deepEqual(spec.outputs(held, inputs), { ...inputs, meta: undefined });
        assert.deepEqual(spec.changes(inputs, inputs), []);
        assert.deepEqual(spec.changes(inputs, { ...inputs, externalSni: "other.example.com" }), ["externalSni"]);
    });
});

describe("ServiceResolver mapping and rules", () => {
    const resolver = {
        defaultSubset: "v1",
        subsets: { v1: { filter: "Service.Meta.version == v1", onlyPassing: true }, v2: { filter: "Service.Meta.version == v2" } },
        failover: { "*": { targets: [{ peer: "dc2" }, { service: "x", datacenter: "dc2" }] } },
        connectTimeout: "90s",
        loadBalancer: { policy: "ring_hash", hashPolicies: [{ field: "header", fieldValue: "x-user" }] },
    };

    it("keeps subset names and failover keys, writes durations as Go's text and reads them back as written", () => {
        const written = toConsul(resolver, SERVICE_RESOLVER_FIELDS);
        assert.deepEqual(written, {
            DefaultSubset: "v1",
            Subsets: { v1: { Filter: "Service.Meta.version == v1", OnlyPassing: true }, v2: { Filter: "Service.Meta.version == v2" } },
            Failover: { "*": { Targets: [{ Peer: "dc2" }, { Service: "x", Datacenter: "dc2" }] } },
            ConnectTimeout: "1m30s",
            LoadBalancer: { Policy: "ring_hash", HashPolicies: [{ Field: "header", FieldValue: "x-user" }] },
        });
        assert.deepEqual(fromConsul(written, SERVICE_RESOLVER_FIELDS, resolver), resolver);
    });

    it("refuses Consul's combinations", () => {
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [{ name: "api", defaultSubset: "v3", subsets: { v1: {} } }, /^defaultSubset: defaultSubset "v3" is not one of the subsets/],
            [
                { name: "api", redirect: { service: "b" }, failover: { "*": { datacenters: ["dc2"] } } },
                /^redirect: redirect cannot be combined with failover/,
            ],
            [{ name: "api", failover: { v9: { datacenters: ["dc2"] } } }, /^failover\.v9: failover keys are "\*" or a subset name/],
            [
                { name: "api", failover: { "*": { targets: [{ peer: "dc2", datacenter: "dc1" }] } } },
                /^failover\.\*\.targets\.0\.peer: .*both a peer and a datacenter/,
            ],
            [
                { name: "api", failover: { "*": { service: "b", targets: [{ peer: "dc2" }] } } },
                /^failover\.\*\.targets: targets cannot be combined/,
            ],
            [{ name: "api", subsets: { V1: {} } }, /^subsets\.V1: subset names must be lower-case/],
            [
                { name: "api", loadBalancer: { policy: "random", hashPolicies: [{ sourceIP: true }] } },
                /^loadBalancer\.hashPolicies: hashPolicies need policy/,
            ],
            [{ name: "api", connectTimeout: "5" }, /^connectTimeout: connectTimeout must be a duration/],
        ];
        for (const [inputs, reason] of cases) {
            const failures = failuresOf(serviceResolverSchema(), inputs);
            assert.ok(
                failures.some((f) => reason.test(f)),
                `${JSON.stringify(inputs)}: ${failures.join("; ")}`,
            );
        }
        assert.deepEqual(failuresOf(serviceResolverSchema(), { name: "api", ...resolver }), []);
    });
});

describe("Mesh and ProxyDefaults rules and mapping", () => {
    it("maps TLS and HTTP names, and reads Consul's zero-valued transparent proxy as unset", () => {
        const mesh = {
            tls: { incoming: { tlsMinVersion: "TLSv1_2", cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] } },
            http: { sanitizeXForwardedClientCert: true },
        };
        const written = toConsul(mesh, MESH_FIELDS);
        assert.deepEqual(written, {
            TLS: { Incoming: { TLSMinVersion: "TLSv1_2", CipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] } },
            HTTP: { SanitizeXForwardedClientCert: true },
        });
        assert.deepEqual(
            fromConsul({ ...(written as object), TransparentProxy: { MeshDestinationsOnly: false } }, MESH_FIELDS, mesh),
            mesh,
        );
        // Consul answers the mesh entry without a Name: the engine names it.
        assert.equal(parseEntry({ Kind: "mesh" }, "mesh").Name, "mesh");
    });

    it("refuses what Consul refuses", () => {
        const mesh = failuresOf(meshSchema(), {
            tls: {
                incoming: { tlsMinVersion: "TLSv1_3", cipherSuites: ["X"] },
                outgoing: { tlsMinVersion: "TLSv1_2", tlsMaxVersion: "TLSv1_1" },
            },
        });
        assert.ok(
            mesh.some((f) => /^tls\.incoming\.cipherSuites: cipherSuites cannot be set with tlsMinVersion TLSv1_3/.test(f)),
            mesh.join("; "),
        );
        assert.ok(
            mesh.some((f) => /^tls\.outgoing\.tlsMaxVersion: tlsMaxVersion must not be below/.test(f)),
            mesh.join("; "),
        );
        const proxy = failuresOf(proxyDefaultsSchema(), {
            config: { protocol: "udp" },
            accessLogs: { type: "file" },
            expose: { paths: [{ path: "metrics" }] },
        });
        assert.ok(
            proxy.some((f) => /^config\.protocol: protocol must be/.test(f)),
            proxy.join("; "),
        );
        assert.ok(
            proxy.some((f) => /^accessLogs\.path: type "file" needs a path/.test(f)),
            proxy.join("; "),
        );
        assert.ok(
            proxy.some((f) => /^expose\.paths\.0\.path: an exposed path must start with/.test(f)),
            proxy.join("; "),
        );
    });
});

describe("ConfigEntry (any other kind)", () => {
    it("refuses kinds with their own resource and fields that are not the entry's", () => {
        const failures = failuresOf(configEntrySchema(), { kind: "service-resolver", name: "api", entry: { Kind: "x" } });
        assert.ok(
            failures.some((f) => /^kind: kind "service-resolver" has its own resource: use ServiceResolver/.test(f)),
            failures.join("; "),
        );
        assert.ok(
            failures.some((f) => /^entry\.Kind: Kind is not part of entry/.test(f)),
            failures.join("; "),
        );
    });

    it("shows the entry as declared while Consul holds what it held after the write, and Consul's entry once it changed", () => {
        const declared = { kind: "service-router", name: "api", entry: { Routes: [{ Match: { HTTP: { PathPrefix: "/v2" } } }] } };
        const held = { Routes: [{ Match: { HTTP: { PathPrefix: "/v2" } }, Destination: { NumRetries: 0 } }] };
        const afterWrite = configEntryKind.outputs(parseEntry({ Kind: "service-router", Name: "api", ...held }), declared);
        assert.deepEqual(afterWrite.entry, declared.entry);
        assert.deepEqual(afterWrite.lastWrite, { entry: declared.entry, held });
        const reread = configEntryKind.outputs(parseEntry({ Kind: "service-router", Name: "api", ...held }), afterWrite);
        assert.deepEqual(configEntryKind.changes(reread, declared), []);
        const edited = { Routes: [{ Match: { HTTP: { PathPrefix: "/v3" } } }] };
        const drifted = configEntryKind.outputs(parseEntry({ Kind: "service-router", Name: "api", ...edited }), afterWrite);
        assert.deepEqual(drifted.entry, edited);
        assert.deepEqual(configEntryKind.changes(drifted, declared), ["entry.Routes"]);
        // The hand edit undone by hand: the next refresh shows the declared entry again, no change.
        const undone = configEntryKind.outputs(parseEntry({ Kind: "service-router", Name: "api", ...held }), drifted);
        assert.deepEqual(undone.entry, declared.entry);
        assert.deepEqual(configEntryKind.changes(undone, declared), []);
    });
});
