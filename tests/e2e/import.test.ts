import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { runImport, type Ran } from "../support/import-cli";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { intentionProvider } from "../../provider/resources/intention";
import { consul } from "../support/consul";
import { DC3, freshAclCluster, stopAclCluster } from "../support/acl";
import { LossyProxy } from "../support/lossy-proxy";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// `consul-mesh import` round trip on a fresh ACL-enabled agent (dc3): objects written by hand (raw
// HTTP, Consul's own payload shapes) for config-entry kinds, intentions with L7 and JWT, ACL policies
// in HCL and JSON, a role, a token, an auth method with a binding rule; then import, type-check the
// generated program, `pulumi up` (adoption), and: every object reads back as before (indexes and the
// ownership mark aside), `preview --refresh --expect-no-changes` passes, a hand edit shows as drift,
// and destroy leaves every object in place (retainOnDelete).
const repoRoot = path.resolve(__dirname, "..", "..");

function runTsc(dir: string): Promise<Ran> {
    return runNode([path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", dir, "--noEmit"]);
}

/** A Node.js script of the repository's devDependencies, its output gathered. */
function runNode(args: string[], cwd?: string): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd });
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stdout += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr: "" }));
    });
}

const HCL_RULES = `service_prefix "" {
  policy = "read"
}
key "config/" {
  policy = "write"
}
`;
const JSON_RULES = JSON.stringify({ node_prefix: { "": { policy: "read" } }, agent_prefix: { "": { policy: "read" } } });

/** Config entries as Consul's documentation writes them (kind, name, body). */
const ENTRIES: Array<{ Kind: string; Name?: string; [field: string]: unknown }> = [
    { Kind: "proxy-defaults", Name: "global", Config: { protocol: "http" }, MeshGateway: { Mode: "local" } },
    { Kind: "mesh", TransparentProxy: { MeshDestinationsOnly: true } },
    { Kind: "service-defaults", Name: "web", Protocol: "http", Meta: { team: "frontend" } },
    { Kind: "service-defaults", Name: "api", Protocol: "http", MaxInboundConnections: 100, LocalRequestTimeoutMs: 5000 },
    { Kind: "service-defaults", Name: "db", Protocol: "tcp" },
    {
        Kind: "service-resolver",
        Name: "api",
        ConnectTimeout: "15s",
        DefaultSubset: "v1",
        Subsets: { v1: { Filter: "Service.Meta.version == v1" }, v2: { Filter: "Service.Meta.version == v2" } },
    },
    {
        Kind: "service-router",
        Name: "api",
        Routes: [
            { Match: { HTTP: { PathPrefix: "/admin" } }, Destination: { Service: "api", ServiceSubset: "v2", RequestTimeout: "10s" } },
        ],
    },
    {
        Kind: "service-splitter",
        Name: "api",
        Splits: [
            { Weight: 90, ServiceSubset: "v1" },
            { Weight: 10, ServiceSubset: "v2" },
        ],
    },
    { Kind: "ingress-gateway", Name: "ingress", Listeners: [{ Port: 8080, Protocol: "tcp", Services: [{ Name: "db" }] }] },
    { Kind: "terminating-gateway", Name: "egress", Services: [{ Name: "legacy" }] },
    {
        Kind: "jwt-provider",
        Name: "okta",
        Issuer: "https://okta.example.com",
        JSONWebKeySet: { Remote: { URI: "https://okta.example.com/keys", FetchAsynchronously: true, CacheDuration: "10m" } },
        Forwarding: { HeaderName: "x-jwt" },
    },
    {
        // JwtProvider does not model a remote key set's JWKSCluster: adopting would drop it, so import leaves it out.
        Kind: "jwt-provider",
        Name: "auth0",
        Issuer: "https://auth0.example.com",
        JSONWebKeySet: {
            Remote: { URI: "https://auth0.example.com/keys", JWKSCluster: { DiscoveryType: "STRICT_DNS", ConnectTimeout: "5s" } },
        },
    },
    {
        Kind: "service-intentions",
        Name: "api",
        Sources: [
            { Name: "web", Action: "allow", Description: "web calls api" },
            { Name: "*", Action: "deny" },
        ],
    },
    {
        Kind: "service-intentions",
        Name: "web",
        JWT: { Providers: [{ Name: "okta", VerifyClaims: [{ Path: ["aud"], Value: "web" }] }] },
        Sources: [{ Name: "ingress", Permissions: [{ Action: "allow", HTTP: { PathPrefix: "/v1", Methods: ["GET", "POST"] } }] }],
    },
    { Kind: "service-intentions", Name: "db", Sources: [{ Name: "api", Action: "allow" }] },
    { Kind: "exported-services", Name: "default", Services: [{ Name: "api", Consumers: [{ Peer: "partner" }] }] },
];

/** What Consul holds, for comparing before and after: indexes, hashes and the ownership mark left out. */
function comparable(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(comparable);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
        if (["CreateIndex", "ModifyIndex", "Hash"].includes(k)) continue;
        if (k === "Meta" && v !== null && typeof v === "object") {
            const meta = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([mk]) => mk !== "managed-by"));
            if (Object.keys(meta).length > 0) out[k] = meta;
            continue;
        }
        out[k] = comparable(v);
    }
    return out;
}

describe("consul-mesh import: adopt a hand-made mesh, round trip through the Pulumi CLI", function () {
    this.timeout(600_000);
    let management: string;
    let outDir: string;
    let program: PulumiProgram;
    const paths: string[] = [];
    const held = new Map<string, unknown>();
    /** Every write the Pulumi runs send, through a recording proxy in front of dc3. */
    const writes: Array<{ method: string; path: string; body: string }> = [];
    const proxy = new LossyProxy(DC3, (method, url, body) => {
        if (method !== "GET") writes.push({ method, path: url.split("?")[0], body });
        return false;
    });
    const get = async (p: string) => {
        const res = await consul("GET", `${DC3}${p}`, undefined, management);
        assert.equal(res.status, 200, `GET ${p}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
    };
    const put = async (p: string, body: unknown) => {
        const res = await consul<{ ID?: string; AccessorID?: string }>("PUT", `${DC3}${p}`, body, management);
        assert.equal(res.status, 200, `PUT ${p}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
    };
    const snapshot = async () => new Map(await Promise.all(paths.map(async (p) => [p, comparable(await get(p))] as const)));

    before(async () => {
        await freshAclCluster();
        const boot = await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`);
        assert.equal(boot.status, 200);
        management = boot.body.SecretID;
        for (const entry of ENTRIES) {
            await put("/v1/config", entry);
            paths.push(`/v1/config/${entry.Kind}/${entry.Name ?? "mesh"}`);
        }
        const hcl = await put("/v1/acl/policy", { Name: "services-read", Description: "HCL rules", Rules: HCL_RULES });
        const json = await put("/v1/acl/policy", { Name: "nodes-read", Rules: JSON_RULES, Datacenters: ["dc3"] });
        const role = await put("/v1/acl/role", {
            Name: "operator",
            Description: "reads the catalog",
            Policies: [{ Name: "services-read" }],
            ServiceIdentities: [{ ServiceName: "web" }],
        });
        const token = await put("/v1/acl/token", {
            Description: "ci deployer",
            Policies: [{ Name: "nodes-read" }],
            Roles: [{ Name: "operator" }],
            ServiceIdentities: [{ ServiceName: "api", Datacenters: ["dc3"] }],
        });
        const keys = generateKeyPairSync("ec", {
            namedCurve: "prime256v1",
            publicKeyEncoding: { type: "spki", format: "pem" },
            privateKeyEncoding: { type: "pkcs8", format: "pem" },
        });
        await put("/v1/acl/auth-method", {
            Name: "ci-jwt",
            Type: "jwt",
            DisplayName: "CI",
            MaxTokenTTL: "10m0s",
            Config: { JWTValidationPubKeys: [keys.publicKey], BoundIssuer: "ci", ClaimMappings: { service: "service" } },
        });
        const rule = await put("/v1/acl/binding-rule", {
            AuthMethod: "ci-jwt",
            BindType: "service",
            BindName: "${value.service}",
            Selector: 'value.service != ""',
        });
        paths.push(
            `/v1/acl/policy/${String(hcl.ID)}`,
            `/v1/acl/policy/${String(json.ID)}`,
            `/v1/acl/role/${String(role.ID)}`,
            `/v1/acl/token/${String(token.AccessorID)}`,
            "/v1/acl/auth-method/ci-jwt",
            `/v1/acl/binding-rule/${String(rule.ID)}`,
            "/v1/connect/ca/configuration",
        );
        for (const [p, v] of await snapshot()) held.set(p, v);
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-import-"));
    });
    after(async () => {
        program?.cleanup();
        await proxy.stop();
        if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
        await stopAclCluster();
    });

    it("refuses a token on the command line, and names the endpoint and permission when the token cannot read", async () => {
        const onLine = await runImport(["--address", DC3, "--token", management, "--dry-run"], "");
        assert.equal(onLine.code, 2);
        assert.ok(!onLine.stderr.includes(management));
        const narrow = await put("/v1/acl/token", { Description: "no rights" });
        const secret = (await get(`/v1/acl/token/${String(narrow.AccessorID)}`)) as { SecretID: string };
        const refused = await runImport(["--address", DC3, "--token-stdin", "--dry-run", "--kinds", "acl"], secret.SecretID);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /GET \/v1\/acl\/policies at .* the import token needs acl = "read"/);
        assert.ok(!refused.stderr.includes(secret.SecretID));
        await consul("DELETE", `${DC3}/v1/acl/token/${String(narrow.AccessorID)}`, undefined, management);
    });

    it("lists what it would write (--dry-run), per pair with --intentions pairs, only the named services with --services", async () => {
        const dry = await runImport(
            [
                "--address",
                DC3,
                "--token-stdin",
                "--dry-run",
                "--kinds",
                "intentions,config-entries",
                "--intentions",
                "pairs",
                "--services",
                "api",
            ],
            management,
        );
        assert.equal(dry.code, 0, dry.stderr);
        const lines = dry.stdout.split("\n").filter((l) => !l.startsWith("would write") && l !== "");
        assert.ok(lines.includes("Intention web-to-api  (intention web=>api)"), dry.stdout);
        assert.ok(lines.includes("Intention any-to-api  (intention *=>api)"), dry.stdout);
        assert.ok(!lines.some((l) => /web|db/.test(l.split("  ")[0]) && !l.includes("to-api")), `other services listed:\n${dry.stdout}`);
        assert.ok(
            lines.some((l) => l.startsWith("ProxyDefaults ")),
            "cluster-wide entries are kept with --services",
        );
        assert.match(dry.stdout, /would write .*index\.ts/);
    });

    it("adopts intentions per pair (--intentions pairs) with one up, changing nothing, and keeps them on destroy", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-import-pairs-"));
        const pairs = await runImport(
            [
                "--address",
                DC3,
                "--token-stdin",
                "--out",
                dir,
                "--project",
                "pairs",
                "--kinds",
                "intentions",
                "--intentions",
                "pairs",
                "--services",
                "api,db",
            ],
            management,
        );
        assert.equal(pairs.code, 0, pairs.stderr);
        const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
        assert.equal(index.match(/new mesh\.Intention\(/g)?.length, 3, index);
        const small = new PulumiProgram(dir, "pairs");
        try {
            await small.init({}, { "pairs:token": management });
            await small.up();
            await small.run(["preview", "--refresh", "--expect-no-changes"]);
            await small.destroy();
        } finally {
            small.cleanup();
            fs.rmSync(dir, { recursive: true, force: true });
        }
        for (const p of ["/v1/config/service-intentions/api", "/v1/config/service-intentions/db"]) {
            assert.deepEqual(comparable(await get(p)), held.get(p), `${p} changed`);
        }
    });

    it("writes a project that type-checks, the same files twice, without any secret", async () => {
        const first = await runImport(["--address", DC3, "--token-stdin", "--out", outDir, "--project", "imported-mesh"], management);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stderr, /service-defaults: 3 found/);
        assert.match(first.stderr, /not declared: ACL policy "global-management": built into Consul/);
        assert.doesNotMatch(first.stderr, /not declared: binding rule/);
        assert.match(first.stderr, /not declared: jwt-provider "auth0": JwtProvider refuses what Consul holds \(jsonWebKeySet/);
        const files = Object.fromEntries(fs.readdirSync(outDir).map((f) => [f, fs.readFileSync(path.join(outDir, f), "utf8")]));
        const again = await runImport(["--address", DC3, "--token-stdin", "--out", outDir, "--project", "imported-mesh"], management);
        assert.equal(again.code, 0, again.stderr);
        for (const [f, text] of Object.entries(files))
            assert.equal(fs.readFileSync(path.join(outDir, f), "utf8"), text, `${f} changed on a second import`);
        const index = files["index.ts"];
        for (const text of Object.values(files)) assert.ok(!text.includes(management), "the management token is in a generated file");
        assert.ok(!/\bany\b/.test(index.replace(/"[^"]*"/g, "")), "the program uses any");
        assert.match(index, /new mesh\.ServiceDefaults\(\s*"service-defaults-web"/);
        assert.match(index, /new mesh\.ConfigEntry\(\s*"service-router-api"/);
        assert.match(index, /new mesh\.ServiceIntentions\(\s*"intentions-web"/);
        assert.match(index, /name: jwtProviderOkta\.name/, "the JWT provider is referenced");
        assert.match(index, /policies: \[policyServicesRead\.name\]/, "the role references its policy");
        assert.match(index, /new mesh\.AclToken\(\s*"token-ci-deployer"/);
        assert.match(
            index,
            /new mesh\.AclBindingRule\(\s*"binding-ci-jwt-service-value\.service"/,
            `the binding rule is declared:\n${first.stderr}`,
        );
        assert.match(index, /authMethod: authCiJwt\.name/, "the binding rule references its auth method");
        assert.match(index, /retainOnDelete: true/);
        assert.match(index, /new mesh\.ExportedServices\(\s*"exported-default"/);
        assert.match(files["README.md"], /pulumi config set --secret token/);
        // Prettier style, checked by the user's own tool (the project's .prettierrc.json; README and JSON too).
        const prettier = await runNode([path.join(repoRoot, "node_modules", "prettier", "bin", "prettier.cjs"), "--check", "."], outDir);
        assert.equal(prettier.code, 0, `prettier --check fails on the generated project:\n${prettier.stdout}`);
        program = new PulumiProgram(outDir, "adopt");
        const tsc = await runTsc(program.workDir);
        assert.equal(tsc.code, 0, `the generated program does not type-check:\n${tsc.stdout}\n${index}`);
    });

    it("adopts everything with one up: Consul holds every object as before", async () => {
        await program.init({ "imported-mesh:address": await proxy.start() }, { "imported-mesh:token": management });
        await program.up();
        // The writes: one per adopted object (the whole-entry ones carrying the ownership mark), no delete.
        assert.ok(writes.length > 0);
        for (const w of writes) {
            assert.equal(w.method, "PUT", `${w.method} ${w.path}`);
            if (w.path === "/v1/config") {
                assert.match(w.body, /"managed-by":"consul-mesh"/, `a config-entry write without the ownership mark: ${w.body}`);
            } else {
                assert.match(w.path, /^\/v1\/(acl\/(policy|role|token|auth-method)\/|connect\/ca\/configuration$)/, w.path);
            }
        }
        const after = await snapshot();
        for (const p of paths) assert.deepEqual(after.get(p), held.get(p), `${p} changed on adoption`);
        const web = (await get("/v1/config/service-defaults/web")) as { Meta?: Record<string, string> };
        assert.equal(web.Meta?.["managed-by"], "consul-mesh", "adopted entries carry the ownership mark");
    });

    it("shows no change on preview --refresh, and a hand edit as drift", async () => {
        await program.run(["preview", "--refresh", "--expect-no-changes"]);
        await put("/v1/config", {
            Kind: "service-defaults",
            Name: "api",
            Protocol: "grpc",
            MaxInboundConnections: 100,
            LocalRequestTimeoutMs: 5000,
        });
        const { steps } = await program.preview(["--refresh"]);
        assert.deepEqual(
            changingSteps(steps).map((s) => `${s.op}:${s.urn.split("::").pop()}`),
            ["update:service-defaults-api"],
        );
    });

    it("destroy leaves every pre-existing object in Consul", async () => {
        await program.destroy();
        for (const p of paths) {
            const res = await consul("GET", `${DC3}${p}`, undefined, management);
            assert.equal(res.status, 200, `${p} is gone after destroy`);
        }
        // Retained, the intentions entry keeps its ownership mark: an Intention takes the destination back only with adopt.
        const pair = { source: "late", destination: "web", action: "allow" as const, connection: { address: DC3, token: management } };
        await assert.rejects(intentionProvider.create(pair), /set adopt: true on this Intention/);
        await intentionProvider.create({ ...pair, adopt: true });
        const web = (await get("/v1/config/service-intentions/web")) as { Meta?: Record<string, string>; Sources: Array<{ Name: string }> };
        assert.equal(web.Meta?.["managed-by"], undefined, "the mark is removed");
        assert.ok(web.Sources.some((s) => s.Name === "late"));
    });
});
