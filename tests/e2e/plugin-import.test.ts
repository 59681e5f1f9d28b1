// `pulumi import` through the provider plugin, for every importable kind, against a real
// ACL-enabled agent (dc3): objects written by hand (raw HTTP, Consul's payload shapes), imported in
// bulk with `pulumi import --file` into a Pulumi YAML program (the code Pulumi generates from the
// schema becomes the program), then `pulumi preview --expect-no-changes`: what import read is what
// the program declares, and Consul agrees.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { consul } from "../support/consul";
import { DC3, freshAclCluster, stopAclCluster } from "../support/acl";
import { changingSteps, type PulumiProgram } from "../support/pulumi";
import { exportedResources, yamlProgram } from "../support/plugin";

const ENTRIES: Array<{ Kind: string; Name?: string; [field: string]: unknown }> = [
    { Kind: "proxy-defaults", Name: "global", Config: { protocol: "http" }, MeshGateway: { Mode: "local" } },
    { Kind: "mesh", TransparentProxy: { MeshDestinationsOnly: true } },
    { Kind: "service-defaults", Name: "api", Protocol: "http", MaxInboundConnections: 100 },
    { Kind: "service-resolver", Name: "api", ConnectTimeout: "15s" },
    { Kind: "terminating-gateway", Name: "egress", Services: [{ Name: "legacy" }] },
    {
        Kind: "jwt-provider",
        Name: "okta",
        Issuer: "https://okta.example.com",
        JSONWebKeySet: { Remote: { URI: "https://okta.example.com/keys", FetchAsynchronously: true, CacheDuration: "10m" } },
    },
    { Kind: "service-intentions", Name: "api", Sources: [{ Name: "web", Action: "allow", Description: "web calls api" }] },
    {
        Kind: "service-intentions",
        Name: "db",
        Sources: [
            { Name: "api", Action: "allow" },
            { Name: "*", Action: "deny" },
        ],
    },
    { Kind: "exported-services", Name: "default", Services: [{ Name: "api", Consumers: [{ Peer: "partner" }] }] },
];

describe("e2e: pulumi import through the plugin, every importable kind (dc3, ACLs on)", function () {
    this.timeout(600_000);
    let management: string;
    let roleId = "";
    let prog: PulumiProgram;
    const imports: Array<{ type: string; name: string; id: string }> = [];
    const put = async (p: string, body: unknown) => {
        const res = await consul<{ ID?: string; AccessorID?: string }>("PUT", `${DC3}${p}`, body, management);
        assert.equal(res.status, 200, `PUT ${p}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
    };

    before(async () => {
        await freshAclCluster();
        const boot = await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`);
        assert.equal(boot.status, 200);
        management = boot.body.SecretID;
        for (const entry of ENTRIES) await put("/v1/config", entry);
        const policy = await put("/v1/acl/policy", {
            Name: "services-read",
            Description: "HCL rules",
            Rules: 'service_prefix "" {\n  policy = "read"\n}\n',
        });
        const role = await put("/v1/acl/role", {
            Name: "operator",
            Description: "reads the catalog",
            Policies: [{ Name: "services-read" }],
        });
        const token = await put("/v1/acl/token", { Description: "ci deployer", Roles: [{ Name: "operator" }] });
        roleId = String(role.ID);
        const keys = generateKeyPairSync("ec", {
            namedCurve: "prime256v1",
            publicKeyEncoding: { type: "spki", format: "pem" },
            privateKeyEncoding: { type: "pkcs8", format: "pem" },
        });
        await put("/v1/acl/auth-method", {
            Name: "ci-jwt",
            Type: "jwt",
            MaxTokenTTL: "10m0s",
            Config: { JWTValidationPubKeys: [keys.publicKey], BoundIssuer: "ci", ClaimMappings: { service: "service" } },
        });
        const rule = await put("/v1/acl/binding-rule", { AuthMethod: "ci-jwt", BindType: "service", BindName: "${value.service}" });
        imports.push(
            { type: "Intention", name: "web-to-api", id: "web=>api" },
            { type: "ServiceIntentions", name: "db-intentions", id: "db" },
            { type: "ServiceDefaults", name: "api-defaults", id: "api" },
            { type: "ServiceResolver", name: "api-resolver", id: "api" },
            { type: "ProxyDefaults", name: "proxy-defaults", id: "global" },
            { type: "Mesh", name: "mesh", id: "mesh" },
            { type: "JwtProvider", name: "okta", id: "okta" },
            { type: "ExportedServices", name: "exports", id: "default" },
            { type: "ConfigEntry", name: "egress", id: "terminating-gateway/egress" },
            { type: "AclPolicy", name: "services-read", id: String(policy.ID) },
            { type: "AclRole", name: "operator", id: "operator" },
            { type: "AclToken", name: "deployer", id: String(token.AccessorID) },
            { type: "AclAuthMethod", name: "ci-jwt", id: "ci-jwt" },
            { type: "AclBindingRule", name: "ci-rule", id: String(rule.ID) },
        );
        prog = yamlProgram("consul-mesh-plugin-import", "resources: {}\n");
        await prog.init({ "consul-mesh:address": DC3 }, { "consul-mesh:token": management });
    });

    after(async () => {
        prog?.cleanup();
        await stopAclCluster();
    });

    it("pulumi import --file imports every kind, generating the program from the schema", async () => {
        const file = path.join(prog.workDir, "import.json");
        fs.writeFileSync(file, JSON.stringify({ resources: imports.map((i) => ({ ...i, type: `consul-mesh:index:${i.type}` })) }));
        const generated = path.join(prog.workDir, "generated.yaml");
        await prog.run(["import", "--file", file, "--yes", "--protect=false", "--out", generated]);
        const code = fs.readFileSync(generated, "utf8");
        for (const i of imports) assert.match(code, new RegExp(`type: consul-mesh:(index:)?${i.type}\\b`));
        assert.ok(!code.includes(management), "the generated program holds the token");
        const exported = await prog.exportState();
        assert.ok(!exported.includes(management), "the state holds the token in plaintext");
        assert.ok(!exported.includes("__provider"));
        // The imported token's secret is a secret output: only ciphertext in the state.
        const deployer = imports.find((i) => i.type === "AclToken");
        const token = await consul<{ SecretID: string }>("GET", `${DC3}/v1/acl/token/${deployer?.id ?? ""}`, undefined, management);
        assert.equal(token.status, 200);
        assert.ok(!exported.includes(token.body.SecretID), "the imported token's SecretID is in the state in plaintext");
        const tokenState = exportedResources(exported).find((r) => r.type === "consul-mesh:index:AclToken");
        assert.equal(typeof tokenState?.outputs?.secretId, "object", "secretId is not a secret output");
        const types = exportedResources(exported).map((r) => r.type);
        for (const i of imports) assert.ok(types.includes(`consul-mesh:index:${i.type}`), `${i.type} not in state`);
        // A role imported by its name is recorded under its ID.
        const role = exportedResources(exported).find((r) => r.type === "consul-mesh:index:AclRole");
        assert.equal(role?.id, roleId);
        // The generated resources become the program.
        const project = fs.readFileSync(path.join(prog.workDir, "Pulumi.yaml"), "utf8").replace("resources: {}\n", "");
        fs.writeFileSync(path.join(prog.workDir, "Pulumi.yaml"), `${project}${code}`);
    });

    it("the imported program previews with no changes, also after a refresh", async () => {
        await prog.run(["preview", "--expect-no-changes"]);
        const { steps } = await prog.preview(["--refresh"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("a single pulumi import by type, name and ID (an ACL policy by its name)", async () => {
        const other = await put("/v1/acl/policy", { Name: "nodes-read", Rules: 'node_prefix "" {\n  policy = "read"\n}\n' });
        const res = await prog.run(["import", "consul-mesh:index:AclPolicy", "nodes-read", "nodes-read", "--yes", "--protect=false"]);
        const policy = exportedResources(await prog.exportState()).find((r) => r.urn.endsWith("::nodes-read"));
        assert.equal(policy?.id, String(other.ID), "a policy imported by its name is recorded under its ID");
        assert.match(res.stdout, /nodes-read/);
        assert.match(res.stdout, /node_prefix/);
    });
});
