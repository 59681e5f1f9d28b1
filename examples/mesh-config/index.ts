import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Two clusters: dc1 runs the mesh configured here; dc2 exports `api` to dc1 over a peering, and
// dc1's `api` fails over to it.
const config = new pulumi.Config();
const dc1 = { address: config.get("dc1Address") ?? "127.0.0.1:8500" };
const dc2 = { address: config.get("dc2Address") ?? "127.0.0.1:9500" };

const peering = new mesh.ClusterPeering("dc2-dc1", {
    acceptor: { connection: dc2, exportedServices: ["api"] },
    dialer: { connection: dc1 },
});

// Who issues the JWTs `api` requires: the key set inline (base64 JWKS, from stack config).
const issuer = new mesh.JwtProvider("issuer", {
    name: "corp-issuer",
    issuer: "https://issuer.corp.example",
    audiences: ["api"],
    jsonWebKeySet: { local: { jwks: config.require("jwks") } },
    locations: [{ header: { name: "Authorization", valuePrefix: "Bearer " } }],
    forwarding: { headerName: "x-jwt-payload" },
    connection: dc1,
});

// Every proxy: HTTP by default, access logs on stdout.
new mesh.ProxyDefaults("proxy-defaults", {
    mode: "direct",
    config: { protocol: "http" },
    accessLogs: { enabled: true, type: "stdout" },
    connection: dc1,
});

// Mesh-wide: TLS 1.2 at least, clients' certificate headers stripped.
new mesh.Mesh("mesh", {
    tls: { incoming: { tlsMinVersion: "TLSv1_2" }, outgoing: { tlsMinVersion: "TLSv1_2" } },
    http: { sanitizeXForwardedClientCert: true },
    connection: dc1,
});

const apiDefaults = new mesh.ServiceDefaults("api-defaults", { name: "api", protocol: "http", connection: dc1 });

// web may call api's /admin only with a JWT from the issuer carrying role=admin. Naming the
// provider by its output makes the intentions wait for it (no dependsOn).
new mesh.ServiceIntentions(
    "api-intentions",
    {
        destination: "api",
        sources: [
            {
                name: "web",
                permissions: [
                    {
                        action: "allow",
                        http: { pathPrefix: "/admin" },
                        jwt: { providers: [{ name: issuer.name, verifyClaims: [{ path: ["role"], value: "admin" }] }] },
                    },
                ],
            },
        ],
        connection: dc1,
    },
    { dependsOn: [apiDefaults] },
);

// When dc1 has no healthy api, go to the api dc2 exports over the peering.
new mesh.ServiceResolver("api-resolver", {
    name: "api",
    connectTimeout: "5s",
    failover: { "*": { targets: [{ peer: peering.dialerPeerName }] } },
    connection: dc1,
});

// A kind without its own resource: a service-router, in Consul's field names.
new mesh.ConfigEntry(
    "api-router",
    {
        kind: "service-router",
        name: "api",
        entry: { Routes: [{ Match: { HTTP: { PathPrefix: "/v2" } }, Destination: { Service: "api", PrefixRewrite: "/" } }] },
        connection: dc1,
    },
    { dependsOn: [apiDefaults] },
);

export const jwtProviderName = issuer.name;
export const failoverPeer = peering.dialerPeerName;
