import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Consul address/token: stack config `consul-mesh:*` or CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN.
const config = new pulumi.Config();
// A base64 JSON web key set (optional): with it, admin calls need a JWT from this issuer with role=admin.
const jwks = config.get("jwks");
const issuer = jwks
    ? new mesh.JwtProvider("test-jwt", { name: "test-jwt", issuer: "https://issuer.test", jsonWebKeySet: { local: { jwks } } })
    : undefined;

// L7 permissions need an HTTP protocol on the destination.
const apiDefaults = new mesh.ServiceDefaults("api-defaults", { name: "api", protocol: "http" });

export const api = new mesh.ServiceIntentions(
    "api",
    {
        destination: "api",
        meta: { team: "payments" },
        sources: [
            { name: "web", action: "allow", description: "the storefront" },
            { name: "frontend", peer: "dc2", action: "allow", description: "dc2's frontend, through the peering" },
            {
                name: "admin",
                permissions: [
                    {
                        action: "deny",
                        http: {
                            pathRegex: "^/internal/.*$",
                            header: [
                                { name: "x-break-glass", present: true, invert: true },
                                { name: "x-env", exact: "prod" },
                                { name: "user-agent", prefix: "curl/" },
                                { name: "x-host", suffix: ".internal" },
                                { name: "x-trace", regex: "^[0-9a-f]{32}$" },
                                // Consul 1.20.1 and newer also match `contains` (with `ignoreCase`):
                                // { name: "x-team", contains: "ops", ignoreCase: true }. On an older
                                // server consul-mesh refuses them by name before writing anything.
                            ],
                        },
                    },
                    {
                        action: "allow",
                        http: { pathPrefix: "/admin", methods: ["GET", "POST"] },
                        // The provider's name output: the intentions wait for the provider.
                        ...(issuer
                            ? { jwt: { providers: [{ name: issuer.name, verifyClaims: [{ path: ["role"], value: "admin" }] }] } }
                            : {}),
                    },
                    { action: "allow", http: { pathExact: "/healthz" } },
                ],
            },
        ],
    },
    { dependsOn: [apiDefaults] },
);

export const db = new mesh.ServiceIntentions("db", {
    destination: "db",
    sources: [
        { name: "api", action: "allow" },
        { name: "web", action: "deny", description: "no direct database access from the edge" },
    ],
});
