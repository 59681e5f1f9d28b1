// The table of invalid inputs for the bad-input sweep: every resource and component, each case with
// the property the preview must name and the reason it must give.

export interface BadInputCase {
    kind: string;
    args: Record<string, unknown>;
    /** The property the check failure names (dotted path). */
    property: string;
    reason: RegExp;
    /** The resource the failure is reported on, when a component's child reports it: `${name}${suffix}`. */
    childSuffix?: string;
}

/** A token that parses like one Consul generates (its other inputs are what the cases break). */
export const WELL_FORMED_TOKEN = Buffer.from(
    JSON.stringify({
        CA: null,
        ServerAddresses: ["127.0.0.1:8503"],
        ServerName: "server.dc1.peering.example.consul",
        PeerID: "0b6a4a8f-5d4b-4c39-9e3c-2b1f0e6a7d55",
    }),
).toString("base64");

const long = (n: number) => "x".repeat(n);
const l4 = { source: "web", destination: "api", action: "allow" };
const si = (extra: Record<string, unknown>) => ({ destination: "api", sources: [{ name: "web", action: "allow" }], ...extra });
const src = (source: Record<string, unknown>) => ({ destination: "api", sources: [source] });
const l7 = (http: Record<string, unknown>) => ({ source: "web", destination: "api", permissions: [{ action: "allow", http }] });
const ca = (config: Record<string, unknown>) => ({ config });
const peering = (extra: Record<string, unknown>) => ({ peerName: "dc2", peeringToken: WELL_FORMED_TOKEN, ...extra });
const exported = (services: unknown) => ({ services });

const NOT_A_STRING = /expected string/;
const NOT_A_BOOLEAN = /expected boolean/;
const UNKNOWN_FIELD = /unknown field/;

export const BAD_INPUTS: BadInputCase[] = [
    // Intention: names, actions, L7, lengths, types, unknown fields.
    { kind: "Intention", args: { ...l4, source: "" }, property: "source", reason: /source must not be empty/ },
    { kind: "Intention", args: { ...l4, source: "web*" }, property: "source", reason: /no partial wildcards/ },
    { kind: "Intention", args: { ...l4, source: "-web" }, property: "source", reason: /must be a service name/ },
    { kind: "Intention", args: { ...l4, source: "web-" }, property: "source", reason: /must be a service name/ },
    { kind: "Intention", args: { ...l4, source: "we b" }, property: "source", reason: /must be a service name/ },
    { kind: "Intention", args: { ...l4, source: long(257) }, property: "source", reason: /must be a service name/ },
    { kind: "Intention", args: { ...l4, source: 42 }, property: "source", reason: /source must be a string/ },
    { kind: "Intention", args: { action: "allow", destination: "api" }, property: "source", reason: /source is required/ },
    { kind: "Intention", args: { ...l4, destination: "" }, property: "destination", reason: /destination must not be empty/ },
    { kind: "Intention", args: { ...l4, destination: "api/v1" }, property: "destination", reason: /must be a service name/ },
    { kind: "Intention", args: { ...l4, destination: "a*" }, property: "destination", reason: /no partial wildcards/ },
    { kind: "Intention", args: { ...l4, destination: ["api"] }, property: "destination", reason: /destination must be a string/ },
    { kind: "Intention", args: { ...l4, action: "permit" }, property: "action", reason: /action must be "allow" or "deny"/ },
    { kind: "Intention", args: { ...l4, action: "ALLOW" }, property: "action", reason: /action must be "allow" or "deny"/ },
    { kind: "Intention", args: { ...l4, action: true }, property: "action", reason: /action must be "allow" or "deny"/ },
    {
        kind: "Intention",
        args: { source: "web", destination: "api" },
        property: "action",
        reason: /either action .* or permissions is required/,
    },
    { kind: "Intention", args: { ...l4, sourcePeer: "DC2" }, property: "sourcePeer", reason: /must be a peer name/ },
    { kind: "Intention", args: { ...l4, sourcePeer: "*" }, property: "sourcePeer", reason: /no wildcard/ },
    { kind: "Intention", args: { ...l4, sourcePeer: long(64) }, property: "sourcePeer", reason: /1 to 63 characters/ },
    { kind: "Intention", args: { ...l4, description: long(513) }, property: "description", reason: /at most 512/ },
    { kind: "Intention", args: { ...l4, description: 7 }, property: "description", reason: NOT_A_STRING },
    { kind: "Intention", args: { ...l4, sourceType: "jwt" }, property: "sourceType", reason: /sourceType must be "consul"/ },
    { kind: "Intention", args: { ...l4, adopt: "yes" }, property: "adopt", reason: NOT_A_BOOLEAN },
    { kind: "Intention", args: { ...l4, precedence: 9 }, property: "precedence", reason: UNKNOWN_FIELD },
    { kind: "Intention", args: { ...l4, Action: "allow" }, property: "Action", reason: UNKNOWN_FIELD },
    { kind: "Intention", args: { ...l7({ pathPrefix: "/" }), action: "allow" }, property: "permissions", reason: /mutually exclusive/ },
    { kind: "Intention", args: { ...l7({ pathPrefix: "/" }), destination: "*" }, property: "permissions", reason: /wildcard destination/ },
    {
        kind: "Intention",
        args: { ...l4, action: undefined, permissions: [] },
        property: "permissions",
        reason: /must not be empty when given/,
    },
    { kind: "Intention", args: l7({ methods: ["FETCH"] }), property: "permissions.0.http.methods.0", reason: /invalid HTTP method/ },
    { kind: "Intention", args: l7({ pathExact: "admin" }), property: "permissions.0.http.pathExact", reason: /must start with "\/"/ },
    { kind: "Intention", args: l7({ pathPrefix: "api" }), property: "permissions.0.http.pathPrefix", reason: /must start with "\/"/ },
    {
        kind: "Intention",
        args: l7({ pathExact: "/a", pathPrefix: "/b" }),
        property: "permissions.0.http",
        reason: /at most one of pathExact, pathPrefix or pathRegex/,
    },
    { kind: "Intention", args: l7({}), property: "permissions.0.http", reason: /at least a path, a method or a header/ },
    {
        kind: "Intention",
        args: l7({ header: [{ name: "x" }] }),
        property: "permissions.0.http.header.0",
        reason: /exactly one of present, exact/,
    },
    {
        kind: "Intention",
        args: l7({ header: [{ name: "x", exact: "a", prefix: "b" }] }),
        property: "permissions.0.http.header.0",
        reason: /got exact, prefix/,
    },
    {
        kind: "Intention",
        args: l7({ header: [{ name: "", present: true }] }),
        property: "permissions.0.http.header.0.name",
        reason: /header name must not be empty/,
    },
    {
        kind: "Intention",
        args: l7({ header: [{ name: "x", present: true, ignorecase: true }] }),
        property: "permissions.0.http.header.0.ignorecase",
        reason: UNKNOWN_FIELD,
    },
    { kind: "Intention", args: l7({ path: "/x" }), property: "permissions.0.http.path", reason: UNKNOWN_FIELD },
    {
        kind: "Intention",
        args: { source: "web", destination: "api", permissions: [{ action: "maybe", http: { pathPrefix: "/" } }] },
        property: "permissions.0.action",
        reason: /permission action must be "allow" or "deny"/,
    },
    {
        kind: "Intention",
        args: { source: "web", destination: "api", permissions: [{ action: "allow", http: { pathPrefix: "/" }, jwt: { providers: [] } }] },
        property: "permissions.0.jwt.providers",
        reason: /at least one JWT provider/,
    },
    { kind: "Intention", args: { ...l4, connection: { timeoutMs: 5 } }, property: "connection.timeoutMs", reason: /100/ },
    {
        kind: "Intention",
        args: { ...l4, connection: { datacenter: "dc 1" } },
        property: "connection.datacenter",
        reason: /only letters, digits/,
    },
    {
        kind: "Intention",
        args: { ...l4, connection: { insecureSkipVerify: "true" } },
        property: "connection.insecureSkipVerify",
        reason: NOT_A_BOOLEAN,
    },
    {
        kind: "Intention",
        args: { ...l4, connection: { addr: "http://127.0.0.1:8500" } },
        property: "connection.addr",
        reason: UNKNOWN_FIELD,
    },
    {
        kind: "Intention",
        args: { ...l4, connection: { address: "" } },
        property: "connection.address",
        reason: /at least 1|too small|>=1/i,
    },
    { kind: "Intention", args: { ...l4, connection: { headers: { "x-a": 1 } } }, property: "connection.headers.x-a", reason: NOT_A_STRING },

    // ServiceIntentions: sources as a set, meta limits, jwt, unknown fields.
    { kind: "ServiceIntentions", args: { destination: "api", sources: [] }, property: "sources", reason: /at least one source/ },
    { kind: "ServiceIntentions", args: { destination: "api" }, property: "sources", reason: /expected array/ },
    { kind: "ServiceIntentions", args: { destination: "api", sources: "web" }, property: "sources", reason: /expected array/ },
    { kind: "ServiceIntentions", args: { ...si({}), destination: "api!" }, property: "destination", reason: /must be a service name/ },
    { kind: "ServiceIntentions", args: { ...si({}), destination: "" }, property: "destination", reason: /must not be empty/ },
    {
        kind: "ServiceIntentions",
        args: {
            destination: "api",
            sources: [
                { name: "web", action: "allow" },
                { name: "web", action: "deny" },
            ],
        },
        property: "sources.1.name",
        reason: /duplicate source "web"/,
    },
    {
        kind: "ServiceIntentions",
        args: {
            destination: "api",
            sources: [
                { name: "web", peer: "dc2", action: "allow" },
                { name: "web", peer: "dc2", action: "deny" },
            ],
        },
        property: "sources.1.name",
        reason: /duplicate source "dc2\/web"/,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", peer: "*", action: "allow" }),
        property: "sources.0.peer",
        reason: /no wildcard/,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", peer: "dc_2", action: "allow" }),
        property: "sources.0.peer",
        reason: /must be a peer name/,
    },
    { kind: "ServiceIntentions", args: src({ name: "w*b", action: "allow" }), property: "sources.0.name", reason: /no partial wildcards/ },
    { kind: "ServiceIntentions", args: src({ action: "allow" }), property: "sources.0.name", reason: /name is required/ },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", action: "block" }),
        property: "sources.0.action",
        reason: /action must be "allow" or "deny"/,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web" }),
        property: "sources.0.action",
        reason: /either action .* or permissions is required/,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", type: "peer", action: "allow" }),
        property: "sources.0.type",
        reason: /type must be "consul"/,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", action: "allow", description: long(600) }),
        property: "sources.0.description",
        reason: /at most 512/,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", action: "allow", precedence: 1 }),
        property: "sources.0.precedence",
        reason: UNKNOWN_FIELD,
    },
    {
        kind: "ServiceIntentions",
        args: src({ name: "web", permissions: [{ action: "allow", http: { methods: ["GRAB"] } }] }),
        property: "sources.0.permissions.0.http.methods.0",
        reason: /invalid HTTP method/,
    },
    {
        kind: "ServiceIntentions",
        args: { destination: "*", sources: [{ name: "web", permissions: [{ action: "allow", http: { pathPrefix: "/" } }] }] },
        property: "sources.0.permissions",
        reason: /wildcard destination/,
    },
    { kind: "ServiceIntentions", args: si({ meta: { k: long(513) } }), property: "meta.k", reason: /at most 512/ },
    { kind: "ServiceIntentions", args: si({ meta: { [long(129)]: "v" } }), property: `meta.${long(129)}`, reason: /1 to 128 characters/ },
    {
        kind: "ServiceIntentions",
        args: si({ meta: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) }),
        property: "meta",
        reason: /at most 64 pairs/,
    },
    { kind: "ServiceIntentions", args: si({ meta: { "managed-by": "me" } }), property: "meta", reason: /reserved for consul-mesh/ },
    { kind: "ServiceIntentions", args: si({ meta: { k: 1 } }), property: "meta.k", reason: NOT_A_STRING },
    {
        kind: "ServiceIntentions",
        args: si({ jwt: { providers: [{ name: "" }] } }),
        property: "jwt.providers.0.name",
        reason: /JWT provider name must not be empty/,
    },
    {
        kind: "ServiceIntentions",
        args: si({ jwt: { providers: [{ name: "okta", verifyClaims: [{ path: [], value: "x" }] }] } }),
        property: "jwt.providers.0.verifyClaims.0.path",
        reason: /at least 1|too small|>=1/i,
    },
    { kind: "ServiceIntentions", args: si({ jwt: { provider: "okta" } }), property: "jwt.provider", reason: UNKNOWN_FIELD },
    { kind: "ServiceIntentions", args: si({ defaultAction: "deny" }), property: "defaultAction", reason: UNKNOWN_FIELD },

    // ServiceDefaults.
    {
        kind: "ServiceDefaults",
        args: { name: "api", protocol: "https" },
        property: "protocol",
        reason: /protocol must be "tcp", "http", "http2" or "grpc"/,
    },
    { kind: "ServiceDefaults", args: { name: "api", protocol: 7 }, property: "protocol", reason: /protocol must be/ },
    { kind: "ServiceDefaults", args: { name: "*", protocol: "http" }, property: "name", reason: /name cannot be "\*"/ },
    { kind: "ServiceDefaults", args: { name: "", protocol: "http" }, property: "name", reason: /name must not be empty/ },
    { kind: "ServiceDefaults", args: { name: "my api", protocol: "http" }, property: "name", reason: /must be a service name/ },
    { kind: "ServiceDefaults", args: { name: "api", protocol: "http", meta: { k: long(513) } }, property: "meta.k", reason: /at most 512/ },
    { kind: "ServiceDefaults", args: { name: "api", mode: "tproxy" }, property: "mode", reason: /mode must be "direct" or "transparent"/ },
    { kind: "ServiceDefaults", args: { name: "api", protocol: "http", Mode: "transparent" }, property: "Mode", reason: UNKNOWN_FIELD },
    {
        kind: "ServiceDefaults",
        args: { name: "api", upstreamConfig: { overrides: [{ name: "db", passiveHealthCheck: { interval: "10" } }] } },
        property: "upstreamConfig.overrides.0.passiveHealthCheck.interval",
        reason: /interval must be a duration/,
    },
    {
        kind: "ServiceDefaults",
        args: { name: "api", destination: { addresses: [], port: 443 } },
        property: "destination.addresses",
        reason: /at least one address/,
    },
    {
        kind: "ServiceDefaults",
        args: { name: "api", maxInboundConnections: -1 },
        property: "maxInboundConnections",
        reason: /must not be negative/,
    },
    { kind: "ServiceDefaults", args: { name: "api", protocol: "http", adopt: 1 }, property: "adopt", reason: NOT_A_BOOLEAN },
    { kind: "ServiceDefaults", args: { name: "api", externalSni: 7 }, property: "externalSni", reason: /externalSni must be a string/ },
    {
        kind: "ServiceDefaults",
        args: { name: "api", upstreamConfig: { overrides: [{ name: "db", envoyClusterJson: { name: "db" } }] } },
        property: "upstreamConfig.overrides.0.envoyClusterJson",
        reason: /envoyClusterJson must be a string/,
    },
    {
        kind: "ServiceDefaults",
        args: { name: "api", upstreamConfig: { defaults: { envoyListenerJson: ["x"] } } },
        property: "upstreamConfig.defaults.envoyListenerJson",
        reason: /envoyListenerJson must be a string/,
    },

    // JwtProvider: Consul's Validate rules.
    { kind: "JwtProvider", args: { name: "okta" }, property: "jsonWebKeySet", reason: /expected object|required/ },
    { kind: "JwtProvider", args: { name: "okta", jsonWebKeySet: {} }, property: "jsonWebKeySet", reason: /exactly one of local or remote/ },
    {
        kind: "JwtProvider",
        args: { name: "okta", jsonWebKeySet: { local: { jwks: "%%%" } } },
        property: "jsonWebKeySet.local.jwks",
        reason: /base64-encoded/,
    },
    {
        kind: "JwtProvider",
        args: {
            name: "okta",
            jsonWebKeySet: { remote: { uri: "https://x", retryPolicy: { retryPolicyBackOff: { baseInterval: "9s", maxInterval: "1s" } } } },
        },
        property: "jsonWebKeySet.remote.retryPolicy.retryPolicyBackOff.maxInterval",
        reason: /at least baseInterval/,
    },
    {
        kind: "JwtProvider",
        args: {
            name: "okta",
            jsonWebKeySet: { remote: { uri: "https://x" } },
            locations: [{ header: { name: "a" }, queryParam: { name: "b" } }],
        },
        property: "locations.0",
        reason: /exactly one of header, queryParam or cookie/,
    },
    {
        kind: "JwtProvider",
        args: { name: "okta", jsonWebKeySet: { remote: { uri: "x" } }, forwarding: {} },
        property: "forwarding.headerName",
        reason: /expected string|headerName/,
    },

    // ProxyDefaults.
    { kind: "ProxyDefaults", args: { mode: "sidecar" }, property: "mode", reason: /mode must be "direct" or "transparent"/ },
    { kind: "ProxyDefaults", args: { config: { protocol: "udp" } }, property: "config.protocol", reason: /protocol must be/ },
    { kind: "ProxyDefaults", args: { accessLogs: { enabled: true, type: "file" } }, property: "accessLogs.path", reason: /needs a path/ },
    { kind: "ProxyDefaults", args: { meshGateway: { mode: "all" } }, property: "meshGateway.mode", reason: /"none", "local" or "remote"/ },

    // Mesh.
    {
        kind: "Mesh",
        args: { tls: { incoming: { tlsMinVersion: "1.2" } } },
        property: "tls.incoming.tlsMinVersion",
        reason: /must be one of TLS_AUTO/,
    },
    {
        kind: "Mesh",
        args: { http: { sanitizeXForwardedClientCert: "yes" } },
        property: "http.sanitizeXForwardedClientCert",
        reason: NOT_A_BOOLEAN,
    },
    { kind: "Mesh", args: { peering: { peerThroughGateways: true } }, property: "peering.peerThroughGateways", reason: UNKNOWN_FIELD },

    // ServiceResolver.
    { kind: "ServiceResolver", args: { name: "api", defaultSubset: "v2" }, property: "defaultSubset", reason: /not one of the subsets/ },
    {
        kind: "ServiceResolver",
        args: { name: "api", failover: { "*": { targets: [{ peer: "dc2", datacenter: "dc1" }] } } },
        property: "failover.*.targets.0.peer",
        reason: /both a peer and a datacenter/,
    },
    { kind: "ServiceResolver", args: { name: "api", connectTimeout: "5" }, property: "connectTimeout", reason: /must be a duration/ },
    {
        kind: "ServiceResolver",
        args: { name: "api", redirect: { service: "b" }, defaultSubset: "v1", subsets: { v1: {} } },
        property: "redirect",
        reason: /cannot be combined/,
    },

    // ConfigEntry (any other kind).
    {
        kind: "ConfigEntry",
        args: { kind: "jwt-provider", name: "x", entry: {} },
        property: "kind",
        reason: /has its own resource: use JwtProvider/,
    },
    {
        kind: "ConfigEntry",
        args: { kind: "Service Router", name: "x", entry: {} },
        property: "kind",
        reason: /must be a Consul config entry kind/,
    },
    {
        kind: "ConfigEntry",
        args: { kind: "service-router", name: "x", entry: { Name: "y" } },
        property: "entry.Name",
        reason: /not part of entry/,
    },
    { kind: "ConfigEntry", args: { kind: "service-router", name: "", entry: {} }, property: "name", reason: /name must not be empty/ },

    // MeshPolicy (component): its ServiceIntentions children report the bad value.
    {
        kind: "MeshPolicy",
        args: { defaultAction: "block" },
        property: "sources.0.action",
        reason: /action must be "allow" or "deny"/,
        childSuffix: "-default",
    },
    {
        kind: "MeshPolicy",
        args: { defaultAction: "deny", allow: { "web*": ["api"] } },
        property: "sources.0.name",
        reason: /no partial wildcards/,
        childSuffix: "-api",
    },
    {
        kind: "MeshPolicy",
        args: { defaultAction: "deny", allow: { web: ["api v2"] } },
        property: "destination",
        reason: /must be a service name/,
        childSuffix: "-api v2",
    },
    {
        kind: "MeshPolicy",
        args: { defaultAction: "deny", peers: { DC2: { allow: { web: ["api"] } } } },
        property: "sources.0.peer",
        reason: /must be a peer name/,
        childSuffix: "-api",
    },

    {
        kind: "MeshPolicy",
        args: { defaultAction: "deny", allow: { web: ["api"] }, expect: [{ from: "web", to: "api", expect: "permit" }] },
        property: "expectations.0.expect",
        reason: /expect must be "allow" or "deny"/,
        childSuffix: "-expectations",
    },

    // IntentionAssertions: names, outcomes, requests, unknown fields.
    { kind: "IntentionAssertions", args: { expectations: [] }, property: "expectations", reason: /must not be empty/ },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "*", to: "db", expect: "deny" }] },
        property: "expectations.0.from",
        reason: /one service/,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", to: "d b", expect: "deny" }] },
        property: "expectations.0.to",
        reason: /must be a service name/,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", to: "db", expect: "yes" }] },
        property: "expectations.0.expect",
        reason: /expect must be "allow" or "deny"/,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", fromPeer: "DC2", to: "db", expect: "deny" }] },
        property: "expectations.0.fromPeer",
        reason: /must be a peer name/,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", to: "db", expect: "deny", path: "admin" }] },
        property: "expectations.0.path",
        reason: /path must start with/,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", to: "db", expect: "deny", method: "FETCH" }] },
        property: "expectations.0.method",
        reason: /method must be one of/,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", to: "db", expect: "deny", port: 80 }] },
        property: "expectations.0.port",
        reason: UNKNOWN_FIELD,
    },
    {
        kind: "IntentionAssertions",
        args: { expectations: [{ from: "web", to: "db", expect: "deny" }], when: "always" },
        property: "when",
        reason: UNKNOWN_FIELD,
    },

    // CaConfiguration: durations, the TTL rules, key types and sizes, provider/config consistency.
    { kind: "CaConfiguration", args: ca({ leafCertTtl: "3 days" }), property: "config.leafCertTtl", reason: /Go duration/ },
    { kind: "CaConfiguration", args: ca({ leafCertTtl: "72" }), property: "config.leafCertTtl", reason: /Go duration/ },
    { kind: "CaConfiguration", args: ca({ leafCertTtl: "" }), property: "config.leafCertTtl", reason: /Go duration/ },
    { kind: "CaConfiguration", args: ca({ leafCertTtl: 72 }), property: "config.leafCertTtl", reason: NOT_A_STRING },
    { kind: "CaConfiguration", args: ca({ leafCertTtl: "30m" }), property: "config.leafCertTtl", reason: /at least 1h/ },
    {
        kind: "CaConfiguration",
        args: ca({ leafCertTtl: "8761h", intermediateCertTtl: "87600h", rootCertTtl: "87600h" }),
        property: "config.leafCertTtl",
        reason: /at most 8760h/,
    },
    { kind: "CaConfiguration", args: ca({ intermediateCertTtl: "2h" }), property: "config.intermediateCertTtl", reason: /at least 3h/ },
    {
        kind: "CaConfiguration",
        args: ca({ leafCertTtl: "72h", intermediateCertTtl: "100h" }),
        property: "config.intermediateCertTtl",
        reason: /at least 3 x leafCertTtl/,
    },
    {
        kind: "CaConfiguration",
        args: ca({ intermediateCertTtl: "8760h", rootCertTtl: "4380h" }),
        property: "config.rootCertTtl",
        reason: /must not be shorter than intermediateCertTtl/,
    },
    { kind: "CaConfiguration", args: ca({ rootCertTtl: "1y" }), property: "config.rootCertTtl", reason: /Go duration/ },
    {
        kind: "CaConfiguration",
        args: ca({ privateKeyType: "ed25519" }),
        property: "config.privateKeyType",
        reason: /must be "ec" or "rsa"/,
    },
    {
        kind: "CaConfiguration",
        args: ca({ privateKeyType: "ec", privateKeyBits: 2048 }),
        property: "config.privateKeyBits",
        reason: /224|256|384|521/,
    },
    {
        kind: "CaConfiguration",
        args: ca({ privateKeyType: "rsa", privateKeyBits: 1024 }),
        property: "config.privateKeyBits",
        reason: /2048/,
    },
    {
        kind: "CaConfiguration",
        args: ca({ privateKeyBits: 224 }),
        property: "config.privateKeyBits",
        reason: /P-224 root, which consul-mesh refuses/,
    },
    { kind: "CaConfiguration", args: ca({ privateKeyBits: 256.5 }), property: "config.privateKeyBits", reason: /expected int/ },
    { kind: "CaConfiguration", args: ca({ rotationPeriod: 2160 }), property: "config.rotationPeriod", reason: /expected string/ },
    { kind: "CaConfiguration", args: ca({ csrMaxPerSecond: -1 }), property: "config.csrMaxPerSecond", reason: />=0|too small/i },
    { kind: "CaConfiguration", args: ca({ csrMaxConcurrent: 1.5 }), property: "config.csrMaxConcurrent", reason: /expected int/ },
    { kind: "CaConfiguration", args: ca({ leaf_cert_ttl: "72h" }), property: "config.leaf_cert_ttl", reason: UNKNOWN_FIELD },
    { kind: "CaConfiguration", args: { provider: "letsencrypt" }, property: "provider", reason: /must be one of consul, vault, aws-pca/ },
    {
        kind: "CaConfiguration",
        args: { provider: "consul", providerConfig: { Address: "x" } },
        property: "providerConfig",
        reason: /for the vault and aws-pca providers/,
    },
    {
        kind: "CaConfiguration",
        args: { provider: "vault", config: { leafCertTtl: "72h" } },
        property: "config",
        reason: /is for the "consul" provider/,
    },
    { kind: "CaConfiguration", args: { forceWithoutCrossSigning: "no" }, property: "forceWithoutCrossSigning", reason: NOT_A_BOOLEAN },
    { kind: "CaConfiguration", args: { config: { leafCertTtl: "72h" }, clusterId: "x" }, property: "clusterId", reason: UNKNOWN_FIELD },

    // PeeringToken.
    { kind: "PeeringToken", args: { peerName: "DC2" }, property: "peerName", reason: /lower-case letters, digits or '-'/ },
    { kind: "PeeringToken", args: { peerName: "" }, property: "peerName", reason: /peerName must be 1-63/ },
    { kind: "PeeringToken", args: { peerName: "-dc2" }, property: "peerName", reason: /starting and ending with a letter or digit/ },
    { kind: "PeeringToken", args: { peerName: long(64) }, property: "peerName", reason: /peerName must be 1-63/ },
    { kind: "PeeringToken", args: {}, property: "peerName", reason: /peerName is required/ },
    { kind: "PeeringToken", args: { peerName: 2 }, property: "peerName", reason: /peerName must be a string/ },
    {
        kind: "PeeringToken",
        args: { peerName: "dc2", serverExternalAddresses: ["127.0.0.1"] },
        property: "serverExternalAddresses.0",
        reason: /must be host:port/,
    },
    {
        kind: "PeeringToken",
        args: { peerName: "dc2", serverExternalAddresses: "127.0.0.1:8503" },
        property: "serverExternalAddresses",
        reason: /expected array/,
    },
    { kind: "PeeringToken", args: { peerName: "dc2", version: true }, property: "version", reason: /Invalid input/ },
    {
        kind: "PeeringToken",
        args: { peerName: "dc2", meta: { [long(200)]: "v" } },
        property: `meta.${long(200)}`,
        reason: /128 characters/,
    },
    {
        kind: "PeeringToken",
        args: { peerName: "dc2", dialer: { peerName: "Dc1" } },
        property: "dialer.peerName",
        reason: /dialer\.peerName must be 1-63/,
    },
    { kind: "PeeringToken", args: { peerName: "dc2", acceptor: { peerName: "dc1" } }, property: "acceptor", reason: UNKNOWN_FIELD },

    // Peering.
    { kind: "Peering", args: peering({ peeringToken: "" }), property: "peeringToken", reason: /peeringToken must not be empty/ },
    { kind: "Peering", args: peering({ peeringToken: "not a token!" }), property: "peeringToken", reason: /not base64 text/ },
    {
        kind: "Peering",
        args: peering({ peeringToken: Buffer.from("hello").toString("base64") }),
        property: "peeringToken",
        reason: /does not decode to JSON/,
    },
    {
        kind: "Peering",
        args: peering({ peeringToken: Buffer.from("{}").toString("base64") }),
        property: "peeringToken",
        reason: /no server addresses or peer ID/,
    },
    { kind: "Peering", args: { peerName: "dc2" }, property: "peeringToken", reason: /peeringToken is required/ },
    { kind: "Peering", args: peering({ peerName: "dc 2" }), property: "peerName", reason: /peerName must be 1-63/ },
    { kind: "Peering", args: peering({ activeTimeoutSeconds: 0 }), property: "activeTimeoutSeconds", reason: />=1|too small/i },
    { kind: "Peering", args: peering({ activeTimeoutSeconds: 7200 }), property: "activeTimeoutSeconds", reason: /at most 3600/ },
    { kind: "Peering", args: peering({ activeTimeoutSeconds: "60" }), property: "activeTimeoutSeconds", reason: /expected number/ },
    { kind: "Peering", args: peering({ waitForActive: "yes" }), property: "waitForActive", reason: NOT_A_BOOLEAN },
    {
        kind: "Peering",
        args: peering({ acceptor: { peerName: "DC1" } }),
        property: "acceptor.peerName",
        reason: /acceptor\.peerName must be 1-63/,
    },
    { kind: "Peering", args: peering({ meta: { k: long(513) } }), property: "meta.k", reason: /at most 512/ },
    { kind: "Peering", args: peering({ state: "ACTIVE" }), property: "state", reason: UNKNOWN_FIELD },

    // ExportedServices.
    {
        kind: "ExportedServices",
        args: exported([{ name: "api", consumers: [] }]),
        property: "services.0.consumers",
        reason: /at least one peer/,
    },
    {
        kind: "ExportedServices",
        args: exported([{ name: "api", consumers: [{ peer: "DC2" }] }]),
        property: "services.0.consumers.0.peer",
        reason: /peer must be 1-63/,
    },
    {
        kind: "ExportedServices",
        args: exported([{ name: "api", consumers: [{ partition: "p1" }] }]),
        property: "services.0.consumers.0.partition",
        reason: UNKNOWN_FIELD,
    },
    {
        kind: "ExportedServices",
        args: exported([{ name: "api v1", consumers: [{ peer: "dc2" }] }]),
        property: "services.0.name",
        reason: /must be a service name/,
    },
    {
        kind: "ExportedServices",
        args: exported([{ consumers: [{ peer: "dc2" }] }]),
        property: "services.0.name",
        reason: /name is required/,
    },
    {
        kind: "ExportedServices",
        args: exported([
            { name: "api", consumers: [{ peer: "dc2" }] },
            { name: "api", consumers: [{ peer: "dc3" }] },
        ]),
        property: "services.1.name",
        reason: /listed twice/,
    },
    { kind: "ExportedServices", args: exported("api"), property: "services", reason: /expected array/ },
    { kind: "ExportedServices", args: { name: "Default", services: [] }, property: "name", reason: /partition name/ },
    { kind: "ExportedServices", args: { services: [], adopt: "true" }, property: "adopt", reason: NOT_A_BOOLEAN },

    // ClusterPeering (component): the PeeringToken / Peering children report the bad value.
    {
        kind: "ClusterPeering",
        args: { acceptor: { peerName: "DC2" }, dialer: { peerName: "dc1" } },
        property: "peerName",
        reason: /peerName must be 1-63/,
        childSuffix: "-token",
    },
    {
        kind: "ClusterPeering",
        args: { acceptor: { peerName: "dc2" }, dialer: { peerName: "dc_1" } },
        property: "dialer.peerName",
        reason: /dialer\.peerName must be 1-63/,
        childSuffix: "-token",
    },
    {
        kind: "ClusterPeering",
        args: { acceptor: { peerName: "dc2" }, dialer: { peerName: "dc1" }, activeTimeoutSeconds: 99999 },
        property: "activeTimeoutSeconds",
        reason: /at most 3600/,
        childSuffix: "-peering",
    },
    {
        kind: "ClusterPeering",
        args: { acceptor: { peerName: "dc2" }, dialer: { peerName: "dc1" }, serverExternalAddresses: ["nowhere"] },
        property: "serverExternalAddresses.0",
        reason: /must be host:port/,
        childSuffix: "-token",
    },

    // AclBootstrap.
    { kind: "AclBootstrap", args: { bootstrapSecret: "hunter2" }, property: "bootstrapSecret", reason: /must be a UUID/ },
    {
        kind: "AclBootstrap",
        args: { bootstrapSecret: "6f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d5" },
        property: "bootstrapSecret",
        reason: /must be a UUID/,
    },
    { kind: "AclBootstrap", args: { bootstrapSecret: 12345 }, property: "bootstrapSecret", reason: /must be a string/ },
    { kind: "AclBootstrap", args: { revokeOnDelete: "always" }, property: "revokeOnDelete", reason: /revokeOnDelete must be a boolean/ },
    { kind: "AclBootstrap", args: { token: "x" }, property: "token", reason: UNKNOWN_FIELD },
    { kind: "AclBootstrap", args: { connection: { timeoutMs: 10_000_000 } }, property: "connection.timeoutMs", reason: /600000/ },

    // AclPolicy, AclRole, AclToken (issue 18).
    { kind: "AclPolicy", args: { name: "web read" }, property: "name", reason: /letters, digits/ },
    {
        kind: "AclPolicy",
        args: { name: "p", rules: 'service "web" {\n  policy = "admin"\n}' },
        property: "rules",
        reason: /rules line 2: policy of service "web" is "admin"/,
    },
    {
        kind: "AclPolicy",
        args: { name: "p", rules: 'servce "web" { policy = "read" }' },
        property: "rules",
        reason: /rules line 1: unknown rule "servce"/,
    },
    { kind: "AclPolicy", args: { name: "p", datacenters: [""] }, property: "datacenters.0", reason: /must not be empty/ },
    { kind: "AclPolicy", args: { name: "p", adopt: "yes" }, property: "adopt", reason: /adopt must be a boolean/ },
    { kind: "AclPolicy", args: { name: "p", rule: "" }, property: "rule", reason: UNKNOWN_FIELD },
    { kind: "AclRole", args: { name: "" }, property: "name", reason: /1-256 letters/ },
    { kind: "AclRole", args: { name: "r", policies: ["a", "a"] }, property: "policies", reason: /must be unique/ },
    {
        kind: "AclRole",
        args: { name: "r", serviceIdentities: [{ serviceName: "Web" }] },
        property: "serviceIdentities.0.serviceName",
        reason: /lowercase/,
    },
    {
        kind: "AclRole",
        args: { name: "r", nodeIdentities: [{ nodeName: "n1" }] },
        property: "nodeIdentities.0.datacenter",
        reason: NOT_A_STRING,
    },
    { kind: "AclToken", args: { expirationTtl: "30s" }, property: "expirationTtl", reason: /between "1m" and "24h"/ },
    { kind: "AclToken", args: { secretId: "hunter2" }, property: "secretId", reason: /secretId must be a UUID/ },
    { kind: "AclToken", args: { local: "no" }, property: "local", reason: /local must be a boolean/ },
    { kind: "AclToken", args: { rotation: true }, property: "rotation", reason: /rotation must be a string or a number/ },
    { kind: "AclToken", args: { roles: [""] }, property: "roles.0", reason: /must not be empty/ },
    // AclAuthMethod, AclBindingRule (issue 18).
    { kind: "AclAuthMethod", args: { name: "m", type: "oidc" }, property: "type", reason: /type must be "jwt" or "kubernetes"/ },
    { kind: "AclAuthMethod", args: { name: "m", type: "jwt" }, property: "jwt", reason: /needs its jwt block/ },
    {
        kind: "AclAuthMethod",
        args: { name: "m", type: "jwt", jwt: { boundIssuer: "x" } },
        property: "jwt",
        reason: /exactly one key source/,
    },
    {
        kind: "AclAuthMethod",
        args: { name: "m", type: "kubernetes", kubernetes: { host: "https://k8s", caCert: "nope", serviceAccountJwt: "x" } },
        property: "kubernetes.caCert",
        reason: /PEM certificate/,
    },
    {
        kind: "AclAuthMethod",
        args: { name: "m", type: "jwt", jwt: { jwksUrl: "https://x" }, maxTokenTtl: "1 day" },
        property: "maxTokenTtl",
        reason: /duration/,
    },
    {
        kind: "AclBindingRule",
        args: { authMethod: "m", bindType: "policy", bindName: "x" },
        property: "bindType",
        reason: /bindType must be/,
    },
    {
        kind: "AclBindingRule",
        args: { authMethod: "m", bindType: "service", bindName: "" },
        property: "bindName",
        reason: /bindName is required/,
    },
];
