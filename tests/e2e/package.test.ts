import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consul, DC1, listIntentions } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000) {
    return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${cmd} ${args.join(" ")} failed in ${cwd}: ${err.message}\n${stdout}\n${stderr}`));
            else resolve({ stdout, stderr });
        });
    });
}

/** Every installed copy of a package under dir (nested node_modules included), as paths relative to dir. */
function installedCopies(dir: string, name: string): string[] {
    const found: string[] = [];
    const walk = (nodeModules: string) => {
        if (!fs.existsSync(nodeModules)) return;
        for (const entry of fs.readdirSync(nodeModules)) {
            if (entry.startsWith(".")) continue;
            const names = entry.startsWith("@") ? fs.readdirSync(path.join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry];
            for (const pkg of names) {
                const pkgDir = path.join(nodeModules, pkg);
                if (pkg === name) found.push(path.relative(dir, pkgDir));
                walk(path.join(pkgDir, "node_modules"));
            }
        }
    };
    walk(path.join(dir, "node_modules"));
    return found;
}

// The package a user installs: a clean build packed with `npm pack`, installed from the tarball into
// a fresh program outside the repo (its own package.json and node_modules, nothing linked from the
// repo), then `pulumi up`, preview, destroy against the test dc1. The dynamic-provider host loads
// `consul-mesh/provider` from that program's node_modules, so this also proves the "./provider"
// export and the one-SDK-instance arrangement (@pulumi/pulumi as a peer dependency).
describe("the packed consul-mesh tarball in a fresh program", function () {
    this.timeout(900_000);
    // The SDK version under test: the one this checkout's suite runs with (3.248.0 in the main suite,
    // the newest @pulumi/pulumi in the compatibility run).
    const sdkVersion = (
        JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }
    ).version;
    const prefix = `pkg${Math.random().toString(36).slice(2, 7)}`;
    // Made in before(), not while mocha loads the file, so a run that never starts leaves no temp dirs.
    let stage = "";
    let program: PulumiProgram;
    let tarball = "";
    let packedFiles: string[] = [];

    const ours = async () => (await listIntentions(DC1, prefix)).map((i) => `${i.SourceName}=>${i.DestinationName}:${i.Action}`).sort();

    before(() => {
        stage = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-pack-"));
        program = new PulumiProgram("tests/e2e/programs/package-smoke", "test", { linkNodeModules: false });
        // Nothing may leak in from the repo's module tree.
        delete program.env.NODE_PATH;
    });

    after(async () => {
        if (!program) return;
        if (fs.existsSync(path.join(program.workDir, "node_modules"))) {
            const state = await program.run(["stack", "ls"], { allowFailure: true });
            if (state.code === 0) await program.run(["destroy", "--yes", "--skip-preview"], { allowFailure: true });
        }
        program.cleanup();
        fs.rmSync(stage, { recursive: true, force: true });
    });

    it("packs a clean build: compiled JS, declarations, README and package.json only", async () => {
        const started = Date.now();
        // A clean build into a staging copy (the shared dist/ may hold other checkouts' leftovers and
        // is in use by other tests); package.json and README.md are the repo's own.
        const pkgDir = path.join(stage, "package");
        fs.mkdirSync(pkgDir);
        await run(
            process.execPath,
            [require.resolve("typescript/bin/tsc"), "-p", path.join(repoRoot, "tsconfig.json"), "--outDir", path.join(pkgDir, "dist")],
            repoRoot,
        );
        for (const f of ["package.json", "README.md", "LICENSE", "pulumi-resource-consul-mesh", "schema.json"]) {
            if (fs.existsSync(path.join(repoRoot, f))) fs.copyFileSync(path.join(repoRoot, f), path.join(pkgDir, f));
        }
        const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", stage], pkgDir);
        const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
        tarball = path.join(stage, packed.filename);
        packedFiles = packed.files.map((f) => f.path).sort();
        console.log(
            `      packed ${packed.filename} (${fs.statSync(tarball).size} bytes, ${packedFiles.length} files) in ${Date.now() - started} ms`,
        );

        for (const f of [
            "package.json",
            "README.md",
            "dist/sdk/index.js",
            "dist/sdk/index.d.ts",
            "dist/provider/index.js",
            "dist/provider/index.d.ts",
            "dist/provider/plugin/main.js",
            "pulumi-resource-consul-mesh",
            "schema.json",
        ]) {
            assert.ok(packedFiles.includes(f), `${f} must be in the tarball`);
        }
        const strays = packedFiles.filter(
            (f) =>
                !["package.json", "README.md", "LICENSE", "pulumi-resource-consul-mesh", "schema.json"].includes(f) &&
                !/^dist\/.*\.(js|d\.ts)$/.test(f),
        );
        assert.deepEqual(
            strays,
            [],
            "only compiled JS, declarations, the plugin's executable and schema, README, LICENSE and package.json are shipped",
        );
        // Every source module is shipped compiled, with its declarations.
        for (const dir of ["provider", "sdk"]) {
            const sources = (fs.readdirSync(path.join(repoRoot, dir), { recursive: true }) as string[]).filter(
                (f) => f.endsWith(".ts") && !f.endsWith(".d.ts"),
            );
            for (const file of sources) {
                const src = `${dir}/${file.split(path.sep).join("/")}`;
                const base = `dist/${src.replace(/\.ts$/, "")}`;
                assert.ok(
                    packedFiles.includes(`${base}.js`) && packedFiles.includes(`${base}.d.ts`),
                    `${src} must be shipped as ${base}.js and .d.ts`,
                );
            }
        }
        const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as {
            peerDependencies?: Record<string, string>;
            dependencies?: Record<string, string>;
        };
        assert.ok(manifest.peerDependencies?.["@pulumi/pulumi"], "@pulumi/pulumi must be a peer dependency");
        assert.equal(manifest.dependencies?.["@pulumi/pulumi"], undefined, "@pulumi/pulumi must not be a regular dependency");
    });

    it("installs from the tarball into a fresh program with one copy of @pulumi/pulumi", async () => {
        assert.ok(tarball, "the pack step must have run");
        fs.writeFileSync(
            path.join(program.workDir, "package.json"),
            JSON.stringify(
                {
                    name: "consul-mesh-package-smoke",
                    private: true,
                    main: "index.ts",
                    dependencies: { "@pulumi/pulumi": sdkVersion, "consul-mesh": `file:${tarball}` },
                    // As `pulumi new typescript` sets up: the program is type-checked with these.
                    devDependencies: { typescript: "~5.9.3", "@types/node": "^20.19.0" },
                },
                null,
                2,
            ),
        );
        const started = Date.now();
        await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], program.workDir, program.env, 600_000);
        console.log(`      npm install of the tarball and @pulumi/pulumi ${sdkVersion}: ${Date.now() - started} ms`);

        const installed = path.join(program.workDir, "node_modules", "consul-mesh");
        assert.ok(!fs.lstatSync(installed).isSymbolicLink(), "consul-mesh must be a real install, not a link");
        assert.ok(
            fs.realpathSync(installed).startsWith(fs.realpathSync(program.workDir)),
            "consul-mesh must live in the program's node_modules",
        );
        assert.ok(fs.existsSync(path.join(installed, "dist/provider/index.js")), "the ./provider entry point must be installed");
        assert.ok(!fs.existsSync(path.join(installed, "provider")), "TypeScript sources must not be installed");

        assert.deepEqual(installedCopies(program.workDir, "@pulumi/pulumi"), [path.join("node_modules", "@pulumi", "pulumi")]);
        const ls = JSON.parse((await run("npm", ["ls", "@pulumi/pulumi", "--json"], program.workDir, program.env)).stdout) as {
            dependencies: Record<string, { version: string; dependencies?: Record<string, { version: string }> }>;
        };
        assert.equal(ls.dependencies["@pulumi/pulumi"].version, sdkVersion);
        assert.equal(ls.dependencies["consul-mesh"].dependencies?.["@pulumi/pulumi"]?.version ?? sdkVersion, sdkVersion);

        // Both entry points resolve from the program, as the language host and the provider host do.
        const resolved = await run(
            process.execPath,
            [
                "-e",
                'const m=require("consul-mesh"),p=require("consul-mesh/provider");console.log(JSON.stringify([typeof m.Intention,Object.keys(p.providers).sort(),require.resolve("@pulumi/pulumi")]))',
            ],
            program.workDir,
            program.env,
        );
        const [intentionType, kinds, pulumiPath] = JSON.parse(resolved.stdout) as [string, string[], string];
        assert.equal(intentionType, "function");
        assert.ok(kinds.includes("Intention") && kinds.includes("ServiceIntentions"), `provider kinds: ${kinds.join(", ")}`);
        assert.ok(pulumiPath.startsWith(fs.realpathSync(program.workDir)), `@pulumi/pulumi resolved to ${pulumiPath}`);

        // The provider plugin runs from the install (its dependencies resolve from the program) and serves the schema.
        const schema = await program.run(["package", "get-schema", path.join(installed, "pulumi-resource-consul-mesh")]);
        assert.equal((JSON.parse(schema.stdout) as { name: string }).name, "consul-mesh");
    });

    it("deploys with pulumi up, shows no changes, and destroys everything it made", async () => {
        await program.init({ "consul-mesh-package-smoke:prefix": prefix });
        await program.up();
        assert.deepEqual(await ours(), [
            `${prefix}-api=>${prefix}-db:allow`,
            `${prefix}-web=>${prefix}-api:allow`,
            `${prefix}-web=>${prefix}-db:deny`,
        ]);
        const entry = await consul<{ Sources: Array<{ Name: string; Action: string }> }>(
            "GET",
            `${DC1}/v1/config/service-intentions/${prefix}-db`,
        );
        assert.equal(entry.status, 200);
        assert.deepEqual(entry.body.Sources.map((s) => `${s.Name}:${s.Action}`).sort(), [`${prefix}-api:allow`, `${prefix}-web:deny`]);
        const outputs = await program.outputs();
        assert.equal(outputs.intentionId, `${prefix}-web=>${prefix}-api`);
        assert.equal(outputs.dbDestination, `${prefix}-db`);

        // The state holds the small shim, which loaded the installed package in the provider process.
        const state = await program.exportState();
        assert.ok(!state.includes(repoRoot), "nothing in the state may point into the repo");
        // Installed under node_modules, each resource's __provider is a require of the shim module
        // and its kind, no code; what the user reads in the state is their inputs and Consul's answers.
        const resources = (JSON.parse(state) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } })
            .deployment.resources;
        const intentions = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/consul-mesh:Intention");
        assert.ok(intentions.length > 0);
        for (const r of intentions) {
            const text = String(r.outputs?.__provider);
            assert.match(text, /require\("consul-mesh\/dist\/provider\/shim\.js"\)/);
            assert.match(text, /\.kind = "Intention"/);
            assert.ok(text.length < 600, `__provider is ${text.length} bytes`);
            assert.equal(r.outputs?.precedence, 9);
        }

        const { steps } = await program.preview(["--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);

        await program.destroy();
        assert.deepEqual(await ours(), []);
        const gone = await consul("GET", `${DC1}/v1/config/service-intentions/${prefix}-db`);
        assert.equal(gone.status, 404);
    });
});
