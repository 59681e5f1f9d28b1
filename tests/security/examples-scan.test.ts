// Every example deployed with known secret values (tokens, a bootstrap secret, a CA private key),
// then the whole life of its stack (up, refresh, preview --refresh --diff, destroy) at the default
// verbosity. (A plain `preview --diff` between up and refresh is not run: `preview --refresh --diff`
// runs the same program and renders its diff and outputs with the same display code, against the
// state as refresh leaves it, which right after an up that read back what it wrote is the state up
// left: the e2e suite asserts that each of these examples previews no changes after a refresh.) The secrets are the known ones plus every credential-like value the
// stack holds as a secret (read with `pulumi stack export --show-secrets`: generated ACL tokens,
// peering tokens, private keys). None may appear in plaintext in `pulumi stack export`, in the
// checkpoint or any file of its history, or in anything the CLI printed.
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DC3, freshAclCluster, narrowToken, stopAclCluster } from "../support/acl";
import { consul, DC1, DC2 } from "../support/consul";
import { PulumiProgram } from "../support/pulumi";

/** Keys whose values are credentials wherever they sit inside a secret. */
const CREDENTIAL_KEY = /token|secret|password|credential|privatekey|private_key|clientkey/i;

/** Credential-like strings inside the secret values of a `stack export --show-secrets` document. */
export function secretCredentials(exported: unknown): string[] {
    const found = new Set<string>();
    const collect = (value: unknown, key: string, insideSecret: boolean) => {
        if (typeof value === "string") {
            const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value);
            if (insideSecret && value.length >= 8 && (CREDENTIAL_KEY.test(key) || pem)) found.add(value);
            return;
        }
        if (Array.isArray(value)) {
            for (const v of value) collect(v, key, insideSecret);
            return;
        }
        if (value === null || typeof value !== "object") return;
        const record = Object.fromEntries(Object.entries(value));
        if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
            const inner: unknown = typeof record.plaintext === "string" ? JSON.parse(record.plaintext) : record.value;
            collect(inner, key, true);
            return;
        }
        for (const [k, v] of Object.entries(record)) collect(v, k, insideSecret);
    };
    collect(exported, "", false);
    return [...found];
}

/** Every file under dir (the checkpoint, its backups and the history). */
function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));
}

interface Example {
    dir: string;
    /** A fresh ACL-enabled dc3 for this example. */
    acl?: boolean;
    /** Bootstrap dc3 and hand the program a token with only these rules (as `dc3Token`). */
    aclRules?: string;
    /** A program of another language: it reaches consul-mesh through the plugin at the package root. */
    plugin?: boolean;
    config: (ctx: { dc3Token?: string }) => { plain: Record<string, string>; secret: Record<string, string> };
    /** Secrets the program must have used (so they are in the state, encrypted): proves the config keys are right. */
    used?: string[];
}

/** `pulumi stack export --show-secrets`, parsed (secrets in plain text, so that re-encryption is no change). */
async function revealedState(program: PulumiProgram): Promise<unknown> {
    return JSON.parse((await program.run(["stack", "export", "--show-secrets"])).stdout);
}

/** Each of the program's resources' inputs in an exported state, by URN. */
function resourceInputs(exported: unknown): Record<string, Record<string, unknown>> {
    const resources = z
        .object({
            deployment: z.object({
                resources: z
                    .array(z.object({ urn: z.string(), type: z.string(), inputs: z.record(z.string(), z.unknown()).optional() }).loose())
                    .optional(),
            }),
        })
        .parse(exported).deployment.resources;
    return Object.fromEntries((resources ?? []).filter((r) => !r.type.startsWith("pulumi:")).map((r) => [r.urn, r.inputs ?? {}]));
}

const FAKE_TOKEN_1 = "11111111-aaaa-4bbb-8ccc-0123456789ab";
const FAKE_TOKEN_2 = "22222222-aaaa-4bbb-8ccc-0123456789ab";
const BOOTSTRAP_SECRET = crypto.randomUUID();
const ACL_BOOTSTRAP_SECRET = crypto.randomUUID();
/** A JSON web key set (the public half of a fresh RSA key), base64, for examples/mesh-config's JwtProvider. */
const MESH_CONFIG_JWKS = Buffer.from(
    JSON.stringify({
        keys: [
            {
                ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
                kid: "scan",
                alg: "RS256",
            },
        ],
    }),
).toString("base64");
const CA_KEY = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString();

describe("security: every example's secrets stay ciphertext (state, history, CLI output)", function () {
    this.timeout(600_000);

    const examples: Example[] = [
        {
            dir: "examples/intentions",
            config: () => ({ plain: { "consul-mesh-intentions:address": DC1 }, secret: { "consul-mesh-intentions:token": FAKE_TOKEN_1 } }),
            used: [FAKE_TOKEN_1],
        },
        {
            dir: "examples/service-intentions",
            config: () => ({ plain: { "consul-mesh:address": DC1 }, secret: { "consul-mesh:token": FAKE_TOKEN_1 } }),
        },
        {
            dir: "examples/mesh-config",
            config: () => ({
                plain: {
                    "consul-mesh:address": DC1,
                    "consul-mesh-mesh-config:dc1Address": DC1,
                    "consul-mesh-mesh-config:dc2Address": DC2,
                    "consul-mesh-mesh-config:jwks": MESH_CONFIG_JWKS,
                },
                secret: { "consul-mesh:token": FAKE_TOKEN_2 },
            }),
        },
        {
            dir: "examples/mesh-policy",
            config: () => ({ plain: { "consul-mesh:address": DC1 }, secret: { "consul-mesh:token": FAKE_TOKEN_2 } }),
        },
        {
            dir: "examples/ca-configuration",
            config: () => ({
                plain: { "consul-mesh-ca:address": DC1 },
                secret: { "consul-mesh-ca:token": FAKE_TOKEN_1, "consul-mesh-ca:privateKey": CA_KEY },
            }),
            used: [FAKE_TOKEN_1, CA_KEY],
        },
        {
            dir: "examples/peering",
            config: () => ({
                plain: { "consul-mesh-peering:dc1Address": DC1, "consul-mesh-peering:dc2Address": DC2 },
                secret: { "consul-mesh-peering:dc1Token": FAKE_TOKEN_1, "consul-mesh-peering:dc2Token": FAKE_TOKEN_2 },
            }),
            used: [FAKE_TOKEN_1, FAKE_TOKEN_2],
        },
        {
            // Two clusters of the fleet (the suites run dc1 and dc2): peering tokens and the shared token.
            dir: "examples/fleet",
            config: () => ({
                plain: { "consul-mesh-fleet:clusters": JSON.stringify({ dc1: DC1, dc2: DC2 }) },
                secret: { "consul-mesh-fleet:token": FAKE_TOKEN_1 },
            }),
            used: [FAKE_TOKEN_1],
        },
        {
            dir: "examples/acl-bootstrap",
            acl: true,
            config: () => ({
                plain: { "consul-mesh-acl-bootstrap:address": DC3 },
                secret: { "consul-mesh-acl-bootstrap:bootstrapSecret": BOOTSTRAP_SECRET },
            }),
            used: [BOOTSTRAP_SECRET],
        },
        {
            dir: "examples/acl",
            acl: true,
            config: () => ({
                plain: { "consul-mesh-acl:address": DC3 },
                secret: { "consul-mesh-acl:bootstrapSecret": ACL_BOOTSTRAP_SECRET },
            }),
            used: [ACL_BOOTSTRAP_SECRET],
        },
        {
            dir: "examples/mesh-queries",
            acl: true,
            aclRules: 'service "db" {\n  policy = "write"\n  intentions = "write"\n}\nservice "web" { policy = "write" }\nacl = "read"',
            config: ({ dc3Token }) => ({
                plain: {
                    "consul-mesh-mesh-queries:dc1Address": DC1,
                    "consul-mesh-mesh-queries:dc2Address": DC2,
                    "consul-mesh-mesh-queries:aclAddress": DC3,
                },
                secret: { "consul-mesh-mesh-queries:aclToken": dc3Token ?? "" },
            }),
        },
        {
            // Pulumi YAML through the plugin: explicit providers for dc1, dc2 and dc3 (its token a secret config value).
            dir: "examples/yaml",
            acl: true,
            aclRules: 'acl = "write"',
            plugin: true,
            config: ({ dc3Token }) => ({
                plain: { "consul-mesh-yaml:dc1Address": DC1, "consul-mesh-yaml:dc2Address": DC2, "consul-mesh-yaml:aclAddress": DC3 },
                secret: { "consul-mesh-yaml:aclToken": dc3Token ?? "" },
            }),
        },
    ];

    after(() => stopAclCluster());

    it("the scanner finds credentials inside secrets (and only there)", () => {
        const secret = (v: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, plaintext: JSON.stringify(v) });
        const doc = {
            resources: [
                { inputs: { connection: secret({ address: "http://127.0.0.1:8500", token: "tok-aaaa-bbbb" }) } },
                { outputs: { peeringToken: secret("eyJDQSI6bnVsbH0="), key: secret(CA_KEY), note: secret("just words") } },
                { outputs: { secretId: "plain-but-not-secret-wrapped" } },
            ],
        };
        assert.deepEqual(secretCredentials(doc).sort(), [CA_KEY, "eyJDQSI6bnVsbH0=", "tok-aaaa-bbbb"].sort());
    });

    for (const example of examples) {
        it(`${example.dir}: no secret in plaintext anywhere (and a refresh in sync changes no input)`, async () => {
            let dc3Token: string | undefined;
            if (example.acl) {
                await freshAclCluster();
                if (example.aclRules) {
                    const boot = await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`);
                    dc3Token = (await narrowToken(boot.body.SecretID, "scan", example.aclRules)).SecretID;
                }
            }
            const program = new PulumiProgram(example.dir, "scan", { linkNodeModules: !example.plugin });
            if (example.plugin) program.usePackagePlugin();
            const printed: string[] = [];
            const run = async (args: string[]) => {
                const r = await program.run(args);
                printed.push(`$ pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
            };
            try {
                const { plain, secret } = example.config({ dc3Token });
                await program.init(plain, secret);
                await run(["up", "--yes", "--skip-preview"]);
                const inputsAfterUp = resourceInputs(await revealedState(program));
                await run(["refresh", "--yes", "--skip-preview"]);
                await run(["preview", "--refresh", "--diff"]);
                const exported = await program.exportState();
                const revealed = await revealedState(program);
                // The refresh of a stack in sync (the preview after it writes no state) realigned every
                // input to what it was: otherwise each such resource is a "same" step with changed inputs
                // at the next up, and Pulumi writes the whole state once per resource (issue 20).
                const inputsAfterRefresh = resourceInputs(revealed);
                const realigned = Object.keys(inputsAfterUp).flatMap((urn) => {
                    const [before, after] = [inputsAfterUp[urn], inputsAfterRefresh[urn]];
                    // CaConfiguration's computed `rootRotation` says what the last planned change did to
                    // the root (at create: whether it rotates); in sync it is "none", as the next check says.
                    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
                        (k) => k !== "rootRotation" && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
                    );
                    const short = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v).slice(0, 160));
                    return keys.map((k) => `${urn.split("::").slice(-2).join("::")}: ${k}: ${short(before[k])} -> ${short(after[k])}`);
                });
                assert.deepEqual(realigned, [], "a refresh in sync must leave every input as it was");
                // The provider resource's inputs hold the whole stack config; the program's own resources must hold these.
                const resources = z
                    .object({ deployment: z.object({ resources: z.array(z.object({ type: z.string() }).loose()).optional() }) })
                    .parse(revealed)
                    .deployment.resources?.filter((r) => !r.type.startsWith("pulumi:providers:"));
                const held = secretCredentials(resources);
                for (const s of example.used ?? []) {
                    assert.ok(held.includes(s), `the program used the secret given in its config (${s.slice(0, 12)}...)`);
                }
                const secrets = [...new Set([...Object.values(secret), ...secretCredentials(revealed)])].filter((s) => s.length >= 8);
                assert.ok(secrets.length >= Object.keys(secret).length, "the known secrets are in the list");
                await run(["destroy", "--yes", "--skip-preview"]);
                const stateDir = program.env.PULUMI_BACKEND_URL!.replace("file://", "");
                const files = filesUnder(stateDir);
                assert.ok(
                    files.some((f) => f.includes(`${path.sep}history${path.sep}`)),
                    "the backend keeps a history",
                );
                const places = [
                    { what: "pulumi stack export", text: exported },
                    ...files.map((f) => ({ what: path.relative(stateDir, f), text: fs.readFileSync(f, "utf8") })),
                    ...printed.map((text, i) => ({ what: `CLI output ${i}: ${text.split("\n")[0]}`, text })),
                ];
                const leaks = places.flatMap((p) =>
                    secrets
                        .filter((s) => p.text.includes(s) || p.text.includes(JSON.stringify(s).slice(1, -1)))
                        .map((s) => `${p.what}: ${s.slice(0, 12)}...`),
                );
                console.error(`      [scan] ${example.dir}: ${secrets.length} secrets, ${places.length} places, ${leaks.length} leaks`);
                assert.deepEqual(leaks, []);
            } finally {
                program.cleanup();
            }
        });
    }
});
