import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { toolsDir } from "../../scripts/lib/clusters";
import { DC1, DC2, listIntentions } from "../support/consul";
import { PulumiProgram } from "../support/pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");

/** The venv with the pulumi Python SDK that `setup-tools.sh --with-python` makes. */
function pythonVenv(): string {
    return execFileSync("bash", [path.join(repoRoot, "scripts", "setup-tools.sh"), "--print-python-venv"], { encoding: "utf8" }).trim();
}

/** What is missing for Python programs, or undefined when the Python toolchain is there. */
function missingPythonToolchain(): string | undefined {
    const venv = pythonVenv();
    for (const tool of ["pulumi-language-python", "consul-mesh-gen-python"]) {
        if (!fs.existsSync(path.join(toolsDir(), tool))) return `no ${tool} in ${toolsDir()}`;
    }
    if (!fs.existsSync(path.join(venv, ".complete"))) return `no venv with the pulumi Python SDK at ${venv}`;
    return undefined;
}

/** Tokens given as secret config (the test clusters run without ACLs, so Consul ignores them). */
const TOKENS = ["33333333-aaaa-4bbb-8ccc-0123456789ab", "44444444-aaaa-4bbb-8ccc-0123456789ab"];

const summary = async (address: string) =>
    (await listIntentions(address)).map((i) => `${i.SourceName} -> ${i.DestinationName}: ${i.Action ?? "L7"}`).sort();

// A Python program (tests/e2e/programs/python-intention) through the real CLI, the Python language
// host (built from sdk/v3 v3.79.0) and the consul-mesh plugin, with a Python SDK generated from the
// checked-in schema by the CLI's own Python code generator (scripts/gen-python-sdk):
// one Intention on the default provider (stack config consul-mesh:address = dc1), one through an
// explicit provider for dc2, and a checkIntention invoke through that provider.
describe("a Python program through the consul-mesh plugin", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/python-intention", "test", { linkNodeModules: false });

    before(async function () {
        const missing = missingPythonToolchain();
        if (missing) {
            console.log(`      skipped: the Python toolchain is not set up (${missing}; run bash scripts/setup-tools.sh --with-python)`);
            this.skip();
        }
        program.usePackagePlugin();
        // `pulumi package gen-sdk --language python` asks the language host to generate, which the 3.79
        // host cannot (GeneratePackage is not implemented): the CLI's own generator, called directly.
        const sdkDir = path.join(program.workDir, "..", "sdk");
        execFileSync(path.join(toolsDir(), "consul-mesh-gen-python"), [path.join(repoRoot, "schema.json"), sdkDir]);
        assert.ok(fs.existsSync(path.join(sdkDir, "pulumi_consul_mesh", "__init__.py")), "the generated SDK is a package");
        // The 3.79 host runs the first python3 on PATH (it ignores the `virtualenv` runtime option).
        program.env.PATH = `${path.join(pythonVenv(), "bin")}:${program.env.PATH ?? ""}`;
        // Installed as a user would (the SDK reads its version from its package metadata), into a
        // directory of this test's own: the shared venv stays as setup made it.
        const site = path.join(program.workDir, "..", "site-packages");
        execFileSync(
            path.join(pythonVenv(), "bin", "pip"),
            ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--target", site, sdkDir],
            { stdio: ["ignore", "ignore", "inherit"] },
        );
        program.env.PYTHONPATH = site;
        program.env.PYTHONDONTWRITEBYTECODE = "1";
        await program.init(
            { "consul-mesh:address": DC1, "consul-mesh-python:dc2Address": DC2 },
            { "consul-mesh:token": TOKENS[0], "consul-mesh-python:dc2Token": TOKENS[1] },
        );
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("creates the intentions on their clusters, keeps the tokens ciphertext, previews no changes after a refresh, and destroys them", async () => {
        const up = await program.up();
        assert.ok((await summary(DC1)).includes("web -> api: allow"));
        assert.ok((await summary(DC2)).includes("batch -> db: deny"));
        const outputs = await program.outputs();
        assert.equal(outputs.batchToDbAction, "deny");
        assert.equal(outputs.batchMayCallDb, false, "checkIntention, invoked through the dc2 provider, sees the deny");
        assert.equal(typeof outputs.webToApiId, "string");
        const state = await program.exportState();
        assert.ok(state.includes('"type": "consul-mesh:index:Intention"'), "real type tokens");
        assert.ok(!state.includes("__provider"), "no serialised provider");
        const shown = await program.run(["stack", "export", "--show-secrets"]);
        for (const token of TOKENS) {
            assert.ok(shown.stdout.includes(token), "the token is in the state (as a secret)");
            assert.ok(!state.includes(token), "no token in plaintext in the state");
            assert.ok(!(up.stdout + up.stderr).includes(token), "no token in the CLI's output");
        }

        await program.run(["preview", "--refresh", "--expect-no-changes"]);

        await program.destroy();
        assert.ok(!(await summary(DC1)).includes("web -> api: allow"));
        assert.ok(!(await summary(DC2)).includes("batch -> db: deny"));
    });
});
