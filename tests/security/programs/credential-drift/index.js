"use strict";
// One of each kind that holds (or may be changed to hold) a credential-named field, on one ACL
// cluster: the security scan changes each behind Pulumi's back to a variant carrying known
// credentials, refreshes, and looks for them in plaintext. Plain JavaScript: no compile per run.
const pulumi = require("@pulumi/pulumi");
const mesh = require("consul-mesh");

const config = new pulumi.Config();
const connection = { address: config.require("address"), token: config.requireSecret("token") };

new mesh.AclAuthMethod("login", {
    name: "login",
    type: "jwt",
    jwt: { jwtValidationPubKeys: [config.require("publicKey")], boundIssuer: "https://idp.example" },
    connection,
});
new mesh.JwtProvider("idp", {
    name: "idp",
    issuer: "https://idp.example",
    jsonWebKeySet: { local: { jwks: config.require("jwks") } },
    connection,
});
new mesh.ProxyDefaults("global", { config: { protocol: "http" }, connection });
new mesh.ServiceDefaults("web", { name: "web", protocol: "http", connection });
new mesh.ServiceResolver("api", { name: "api", connectTimeout: "5s", connection });
new mesh.ServiceIntentions("db", { destination: "db", sources: [{ name: "web", action: "allow" }], connection });
new mesh.ConfigEntry("cert", {
    kind: "inline-certificate",
    name: "cert",
    entry: { Certificate: config.require("certificate"), PrivateKey: config.requireSecret("certificateKey") },
    connection,
});
new mesh.CaConfiguration("ca", { config: { leafCertTtl: "72h" }, connection });
new mesh.Mesh("mesh", { transparentProxy: { meshDestinationsOnly: true }, connection });
new mesh.ExportedServices("exports", { services: [{ name: "web", consumers: [{ peer: "partner" }] }], connection });
