// Finding (low): the demo hard-coded its passphrase, wrote the management token into a tracked
// file, and its next-steps text put the token on a curl command line. Its secrets now live in the
// git-ignored .consul-mesh/ (a random passphrase, the bootstrap secret), the program reads the
// secret from the environment or secret config, and curl gets the token on standard input.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" });

describe("security: the demo keeps its secrets out of the repository and out of process listings", () => {
    it("no passphrase or secret is hard-coded, and where they are kept is git-ignored", () => {
        const script = read("scripts/demo.sh");
        // The passphrase is only ever a file made from random bytes, never a literal.
        assert.doesNotMatch(script, /PULUMI_CONFIG_PASSPHRASE=["']?[^"'$\s]/, "no literal passphrase");
        assert.match(script, /randomBytes\(\d+\)/, "the passphrase is random");
        assert.match(script, /PULUMI_CONFIG_PASSPHRASE_FILE=/);
        for (const file of [
            ".consul-mesh/demo-passphrase",
            ".consul-mesh/demo-bootstrap-secret",
            ".consul-mesh/demo-stack-config/x.yaml",
        ]) {
            assert.equal(git("check-ignore", file).trim(), file, `${file} is ignored by git`);
        }
        const tracked = git("ls-files", "demo", "scripts", "examples").split("\n");
        assert.deepEqual(
            tracked.filter((f) => /Pulumi\.[^/]+\.yaml$/.test(f) && !f.endsWith("Pulumi.yaml")),
            [],
            "no stack config (and so no encrypted or plain secret) is tracked",
        );
        assert.doesNotMatch(
            read("demo/index.ts"),
            /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
            "no fixed secret in the program",
        );
    });

    it("the token never goes on a command line, and the advice reads secrets from standard input", () => {
        const script = read("scripts/demo.sh");
        const curlLines = script.split("\n").filter((l) => /\bcurl\b/.test(l) && !l.trim().startsWith("#"));
        assert.ok(curlLines.length > 0, "the demo still has its tamper step");
        for (const line of curlLines) assert.doesNotMatch(line, /\$token|X-Consul-Token:/, `no token in curl's argv: ${line.trim()}`);
        assert.match(script, /-K -/, "curl reads the header from standard input");
        assert.match(read("demo/index.ts"), /from standard input \(uuidgen \| pulumi config set --secret bootstrapSecret\)/);
        for (const file of [
            "README.md",
            "examples/acl/index.ts",
            "examples/acl-bootstrap/index.ts",
            "examples/ca-configuration/index.ts",
            "demo/index.ts",
        ]) {
            assert.doesNotMatch(read(file), /config set --secret \S+ (--\s+)?"\$\(/, `${file}: no secret as a command-line argument`);
        }
    });

    // Issue 31 item 10: the script exported the bootstrap secret before starting the agents, so every
    // Consul process held it in its environment (/proc/<pid>/environ). Run here in a sandbox copy
    // with stand-ins for npm and pulumi that record the environment they are started with.
    it("starts the agents without the bootstrap secret in their environment, and gives it to pulumi", () => {
        const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-demo-"));
        try {
            const tools = path.join(sandbox, "tools");
            const records = path.join(sandbox, "records");
            for (const dir of ["scripts", "node_modules", tools, records]) fs.mkdirSync(path.resolve(sandbox, dir), { recursive: true });
            fs.copyFileSync(path.join(root, "scripts/demo.sh"), path.join(sandbox, "scripts/demo.sh"));
            fs.writeFileSync(path.join(sandbox, "node_modules/.package-lock.json"), "{}");
            const stub = (file: string, body: string) => fs.writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
            stub(path.join(sandbox, "scripts/setup-tools.sh"), `[[ "\${1:-}" == --print-path ]] && echo "${tools}"; exit 0`);
            // npm run cluster stands for the agents (cluster.ts spawns them with its own environment).
            stub(path.join(tools, "npm"), `case "$*" in *cluster*) env > "${records}/agents";; esac; exit 0`);
            stub(path.join(tools, "pulumi"), `[[ "$1" == up ]] && env > "${records}/pulumi-up"; exit 0`);
            const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${tools}:${path.dirname(process.execPath)}:/usr/bin:/bin` };
            for (const key of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "CONSUL_MESH_DEMO_BOOTSTRAP_SECRET"])
                delete env[key];
            const run = spawnSync("bash", [path.join(sandbox, "scripts/demo.sh"), "up"], { env, encoding: "utf8" });
            assert.equal(run.status, 0, run.stderr);
            const secret = fs.readFileSync(path.join(sandbox, ".consul-mesh/demo-bootstrap-secret"), "utf8").trim();
            assert.match(secret, /^[0-9a-f-]{36}$/);
            const agents = fs.readFileSync(path.join(records, "agents"), "utf8");
            assert.ok(!agents.includes(secret), "the agents' environment holds the bootstrap secret");
            assert.doesNotMatch(agents, /CONSUL_MESH_DEMO_BOOTSTRAP_SECRET/);
            assert.match(
                fs.readFileSync(path.join(records, "pulumi-up"), "utf8"),
                new RegExp(`^CONSUL_MESH_DEMO_BOOTSTRAP_SECRET=${secret}$`, "m"),
            );
        } finally {
            fs.rmSync(sandbox, { recursive: true, force: true });
        }
    });
});
