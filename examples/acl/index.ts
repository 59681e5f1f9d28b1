import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// A fresh Consul cluster with ACLs on (default deny): bootstrap it, declare policies, a role and
// least-privilege tokens, and let another consul-mesh resource work with one of those tokens.
//   pulumi config set address http://127.0.0.1:7500
//   uuidgen | pulumi config set --secret bootstrapSecret
//   pulumi config set rotation 2     # later: replaces the intentions token's secret, nothing else
const config = new pulumi.Config();
const address = config.require("address");

const boot = new mesh.AclBootstrap("bootstrap", {
    bootstrapSecret: config.getSecret("bootstrapSecret"),
    // Destroy then leaves only what Consul builds in (the anonymous token, the built-in policies).
    revokeOnDelete: true,
    connection: { address },
});
// Every ACL resource below is written with the bootstrap token (a secret output).
const admin = { address, token: boot.secretId };

// Rules are checked at preview with Consul's grammar: a typo such as `servce` fails the preview, naming the line.
const appConfig = new mesh.AclPolicy("app-config", {
    name: "app-config-read",
    description: "read the shared application configuration",
    rules: `
# every service reads its configuration under config/
key_prefix "config/" {
  policy = "read"
}
`,
    connection: admin,
});

const intentionsWriter = new mesh.AclPolicy("intentions-writer", {
    name: "intentions-writer",
    description: "manage intentions, and nothing else",
    rules: 'service_prefix "" {\n  policy = "read"\n  intentions = "write"\n}\n',
    connection: admin,
});

const appRole = new mesh.AclRole("app", {
    name: "app",
    description: "what every application service gets",
    policies: [appConfig.policyId],
    connection: admin,
});

// One token per service: its service identity (register itself, discover others) plus the role.
const webToken = new mesh.AclToken("web", {
    description: "web service",
    serviceIdentities: [{ serviceName: "web" }],
    roles: [appRole.roleId],
    connection: admin,
});
const apiToken = new mesh.AclToken(
    "api",
    {
        description: "api service",
        serviceIdentities: [{ serviceName: "api" }],
        roles: ["app"], // by name works too
        connection: admin,
    },
    { dependsOn: [appRole] },
);

// A least-privilege token for the mesh policy, rotated by bumping `rotation`.
const intentionsToken = new mesh.AclToken("intentions", {
    description: "writes intentions",
    policies: [intentionsWriter.policyId],
    rotation: config.getNumber("rotation") ?? 1,
    connection: admin,
});

// Another consul-mesh resource, written with the narrow token (not the bootstrap token).
const webToApi = new mesh.Intention("web-to-api", {
    source: "web",
    destination: "api",
    action: "allow",
    connection: { address, token: intentionsToken.secretId },
});

// Workloads log in with a JWT from their CI issuer and get the service identity their `service` claim names.
// Consul trusts the issuer's JSON Web Key Set (fetched from its URL) or its public key:
//   pulumi config set jwksUrl https://ci.example.com/.well-known/jwks.json
//   pulumi config set jwtPublicKey "$(cat issuer-public.pem)"
const jwksUrl = config.get("jwksUrl");
const jwtPublicKey = config.get("jwtPublicKey");
const issuerKeys = jwksUrl ? { jwksUrl } : jwtPublicKey ? { jwtValidationPubKeys: [jwtPublicKey] } : undefined;
if (issuerKeys) {
    const ci = new mesh.AclAuthMethod("ci-jwt", {
        name: "ci-jwt",
        type: "jwt",
        maxTokenTtl: "1h",
        jwt: { ...issuerKeys, boundIssuer: "ci", claimMappings: { service: "service" } },
        connection: admin,
    });
    new mesh.AclBindingRule("ci-services", {
        authMethod: ci.name,
        selector: 'value.service != ""',
        bindType: "service",
        bindName: "${value.service}",
        connection: admin,
    });
}

export const policyIds = { appConfig: appConfig.policyId, intentionsWriter: intentionsWriter.policyId };
export const roleId = appRole.roleId;
export const webAccessorId = webToken.accessorId;
export const webSecretId = webToken.secretId; // secret
export const apiAccessorId = apiToken.accessorId;
export const apiSecretId = apiToken.secretId; // secret
export const intentionsAccessorId = intentionsToken.accessorId;
export const intentionsSecretId = intentionsToken.secretId; // secret
export const intentionId = webToApi.id;
