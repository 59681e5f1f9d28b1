import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as prettier from "prettier";
import { ConsulApiError } from "../../provider/consul/errors";
import { importError } from "../../provider/cli/import/collect";
import { importCommand } from "../../provider/cli/main";
import { Code, Reference, type Declaration, type ImportResult } from "../../provider/cli/import/model";
import { indexTs, ordered, projectFiles, type RenderOptions } from "../../provider/cli/import/render";

const opts: RenderOptions = {
    project: "p",
    address: "http://127.0.0.1:8500",
    tls: {},
    retain: true,
    consulMeshVersion: "^0.1.0",
    pulumiVersion: "^3.276.0",
};

function decl(d: Partial<Declaration> & Pick<Declaration, "type" | "id" | "baseName">): Declaration {
    return { label: d.id, inputs: {}, adoptable: true, ...d };
}

describe("consul-mesh import: the program writer", () => {
    const policy = decl({
        type: "AclPolicy",
        id: "p-1",
        baseName: "policy-read",
        inputs: { name: "read", rules: 'key "a" {\n  policy = "read"\n}\n' },
    });
    const role = decl({
        type: "AclRole",
        id: "r-1",
        baseName: "role-ops",
        inputs: { name: "ops", policies: [new Reference("AclPolicy", "p-1", "name", "read"), "not-imported"] },
    });
    const a = decl({
        type: "ServiceDefaults",
        id: "service-defaults/api",
        baseName: "service-defaults-api",
        inputs: { protocol: "http", name: "api" },
    });
    const b = decl({
        type: "ServiceDefaults",
        id: "service-defaults/api.v2",
        baseName: "service-defaults-api-v2",
        inputs: { name: "api.v2" },
    });
    const result: ImportResult = { declarations: [b, role, a, policy], skipped: [{ what: "x", why: "y" }], requests: {} };

    it("writes the same text whatever order the objects were found in", () => {
        const shuffled: ImportResult = { ...result, declarations: [policy, a, role, b] };
        assert.deepEqual(projectFiles(shuffled, opts), projectFiles(result, opts));
        assert.deepEqual(
            ordered(result.declarations).map((d) => d.name),
            ["policy-read", "role-ops", "service-defaults-api", "service-defaults-api-v2"],
        );
    });

    it("gives names that differ only in punctuation distinct variables and resource names", () => {
        const twins = ordered([
            decl({ type: "ConfigEntry", id: "k/a-b", baseName: "a-b" }),
            decl({ type: "ConfigEntry", id: "k/a.b", baseName: "a.b" }),
        ]);
        assert.deepEqual(
            twins.map((d) => d.variable),
            ["aB", "aB2"],
        );
        assert.deepEqual(
            twins.map((d) => d.name),
            ["a-b", "a.b"],
        );
    });

    it("writes references to imported objects and plain names for others, the naming key first", () => {
        const text = indexTs(result, opts);
        assert.match(text, /policies: \[policyRead\.name, "not-imported"\]/);
        assert.match(text, /new mesh\.ServiceDefaults\(\n {4}"service-defaults-api",\n {4}\{\n {8}name: "api",\n {8}protocol: "http",/);
        assert.match(text, /adopt: true,\n {8}connection,\n {4}\},\n {4}adopted,\n\);/);
    });

    it("keeps multi-line rules readable and escapes what a template literal would interpret", () => {
        const tricky = decl({ type: "AclPolicy", id: "p-2", baseName: "t", inputs: { rules: "a `b` ${c} \\d\nline2" } });
        const text = indexTs({ ...result, declarations: [tricky] }, opts);
        assert.ok(text.includes("rules: `a \\`b\\` \\${c} \\\\d\nline2`"), text);
    });

    it("reads secrets from stack config and lists them in the README; --no-retain turns retainOnDelete off", () => {
        const secret = decl({
            type: "AclAuthMethod",
            id: "k8s",
            baseName: "auth-k8s",
            inputs: { name: "k8s", kubernetes: { serviceAccountJwt: new Code('config.requireSecret("authMethodJwt-k8s")', "x") } },
            secrets: [{ key: "authMethodJwt-k8s", what: "the JWT" }],
        });
        const files = projectFiles({ ...result, declarations: [secret] }, { ...opts, retain: false });
        assert.match(files["index.ts"], /serviceAccountJwt: config\.requireSecret\("authMethodJwt-k8s"\)/);
        assert.match(files["index.ts"], /retainOnDelete: false/);
        assert.match(files["README.md"], /pulumi config set --secret authMethodJwt-k8s/);
        assert.match(files["README.md"], /- x: y/);
    });

    // Users may have no Prettier: the writer produces its style itself, checked here on names, strings
    // and references long enough to make Prettier break lines, quotes, nested arrays and empty ones.
    it("writes a project that `prettier --check` passes with the .prettierrc.json it writes", async () => {
        const long = (c: string, n: number) => c.repeat(n);
        const awkward: Declaration[] = [
            decl({
                type: "AclPolicy",
                id: "a",
                baseName: "policy-quotes",
                inputs: { name: "q", description: `say "hi", it's "me"`, rules: 'key "a" {\n  policy = "read"\n}\n', datacenters: ["dc1"] },
            }),
            decl({
                type: "AclRole",
                id: "b",
                baseName: `role-${long("long", 30)}`,
                inputs: { name: "r", policies: [new Reference("AclPolicy", "a", "name", "q"), long("p", 50), long("o", 50)] },
            }),
            decl({
                type: "AclAuthMethod",
                id: "m",
                baseName: "auth-m",
                inputs: {
                    name: "m",
                    kubernetes: {
                        host: long("h", 130),
                        serviceAccountJwt: new Code(`config.requireSecret("authMethodJwt-${long("q", 120)}")`, "s"),
                    },
                },
            }),
            decl({ type: "JwtProvider", id: "j", baseName: `jwt-${long("j", 110)}`, inputs: { name: "j" } }),
            decl({
                type: "ConfigEntry",
                id: "k",
                baseName: "router",
                inputs: {
                    kind: "service-router",
                    name: "api",
                    entry: {
                        Routes: [{ Match: { HTTP: { PathPrefix: "/admin", Methods: ["GET", "POST"] } } }, { Match: {} }],
                        "value.team": [[1, 2], [3, 4], []],
                        Empty: {},
                        abc: new Reference("JwtProvider", "j", "name", "j"),
                        abcdefg: new Reference("JwtProvider", "j", "name", "j"),
                        longKeyName: long("z", 130),
                    },
                },
            }),
        ];
        for (const declarations of [awkward, result.declarations, []]) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-import-prettier-"));
            try {
                for (const [file, text] of Object.entries(projectFiles({ ...result, declarations }, opts)))
                    fs.writeFileSync(path.join(dir, file), text);
                for (const file of fs.readdirSync(dir).filter((f) => f !== ".gitignore")) {
                    const filepath = path.join(dir, file);
                    const options = { ...(await prettier.resolveConfig(filepath, { editorconfig: false })), filepath };
                    const text = fs.readFileSync(filepath, "utf8");
                    assert.equal(await prettier.format(text, options), text, `${file} is not in Prettier style`);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    });

    it("names the endpoint and the permission on a 403, never the token", () => {
        const err = importError(
            new ConsulApiError(
                "GET",
                "/v1/acl/policies",
                403,
                "Permission denied: token with AccessorID 'abc' lacks permission 'acl:read'",
                "http://c:8500",
            ),
        );
        assert.match(err.message, /GET \/v1\/acl\/policies at http:\/\/c:8500 .*needs acl = "read"/);
    });
});

describe("consul-mesh import: command-line refusals (before any request)", () => {
    const quiet = async (argv: string[]): Promise<{ code: number; said: string }> => {
        const write = process.stderr.write.bind(process.stderr);
        let said = "";
        process.stderr.write = (chunk: string | Uint8Array) => {
            said += chunk.toString();
            return true;
        };
        try {
            return { code: await importCommand(argv), said };
        } finally {
            process.stderr.write = write;
        }
    };

    it("never takes a token on the command line, and does not echo it", async () => {
        for (const argv of [["--token", "s3cr3t-value"], ["--token=s3cr3t-value"]]) {
            const { code, said } = await quiet(argv);
            assert.equal(code, 2);
            assert.match(said, /never taken on the command line/);
            assert.ok(!said.includes("s3cr3t-value"));
        }
    });

    it("refuses unknown kinds, an unknown intentions form, two token sources and a client key as PEM text", async () => {
        assert.equal((await quiet(["--kinds", "acl,nodes"])).code, 2);
        assert.equal((await quiet(["--intentions", "flat"])).code, 2);
        assert.equal((await quiet(["--token-file", "/x", "--token-stdin"])).code, 2);
        const key = await quiet(["--client-key=-----BEGIN PRIVATE KEY-----\nabc"]);
        assert.equal(key.code, 2);
        assert.ok(!key.said.includes("abc"));
    });
});
