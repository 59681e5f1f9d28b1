// One benchmark stack: a program copied into a temp dir (node_modules = the repo's), an isolated
// PULUMI_HOME, a file:// backend, the passphrase secrets provider. Each Pulumi command is timed and
// the provider process's peak memory is sampled while it runs.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProviderMemorySampler } from "./memory";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    wallMs: number;
    peakProviderKb?: number;
    providerProcesses: number;
}

export class BenchStack {
    readonly workDir: string;
    readonly root: string;
    readonly env: NodeJS.ProcessEnv;
    /** The stack's plaintext config (see setConfig). */
    private readonly config: Record<string, string> = {};

    /** `packageDir`: where consul-mesh's package.json and dist/ are taken from (default: the repo). */
    constructor(programDir: string, toolsPath: string, extraEnv: NodeJS.ProcessEnv = {}, packageDir?: string) {
        const repoRoot = path.resolve(__dirname, "..", "..");
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-bench-"));
        this.workDir = path.join(this.root, "program");
        fs.mkdirSync(this.workDir);
        for (const name of fs.readdirSync(programDir)) {
            if (name === "node_modules" || (name.startsWith("Pulumi.") && name !== "Pulumi.yaml")) continue;
            fs.cpSync(path.join(programDir, name), path.join(this.workDir, name), { recursive: true });
        }
        installNodeModules(repoRoot, path.join(this.workDir, "node_modules"), packageDir ?? repoRoot);
        fs.mkdirSync(path.join(this.root, "state"));
        this.env = {
            ...process.env,
            PATH: `${toolsPath}:${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "consul-mesh-bench",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            CONSUL_HTTP_TOKEN: undefined,
            NO_COLOR: "1",
            ...extraEnv,
        };
    }

    run(args: string[], timeoutMs = 900_000): Promise<CommandResult> {
        return new Promise((resolve, reject) => {
            const started = process.hrtime.bigint();
            const child = spawn("pulumi", [...args, "--non-interactive", "--color=never"], { cwd: this.workDir, env: this.env });
            const sampler = child.pid !== undefined ? new ProviderMemorySampler(child.pid) : undefined;
            sampler?.start();
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
                const mem = sampler?.stop() ?? { processes: 0 };
                const result: CommandResult = {
                    code: code ?? -1,
                    stdout,
                    stderr,
                    wallMs,
                    peakProviderKb: mem.peakKb,
                    providerProcesses: mem.processes,
                };
                if (result.code !== 0) {
                    reject(new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${tail(stdout)}\n${tail(stderr)}`));
                } else {
                    resolve(result);
                }
            });
        });
    }

    async init(config: Record<string, string>): Promise<void> {
        await this.run(["stack", "init", "bench"]);
        this.setConfig(config);
    }

    /**
     * Sets plaintext config by writing the stack's settings file, as `pulumi config set-all
     * --plaintext` would (keys without a namespace get the project's), without starting the CLI:
     * one CLI start less per change, outside the timed phases.
     */
    setConfig(config: Record<string, string>): void {
        Object.assign(this.config, config);
        const file = path.join(this.workDir, "Pulumi.bench.yaml");
        // What `stack init` wrote (the passphrase's encryption salt), without any config block.
        const header = fs
            .readFileSync(file, "utf8")
            .split(/^config:$/m)[0]
            .trimEnd();
        const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(this.workDir, "Pulumi.yaml"), "utf8"))?.[1];
        if (!project) throw new Error(`no project name in ${this.workDir}/Pulumi.yaml`);
        const lines = Object.entries(this.config).map(
            ([k, v]) => `  ${JSON.stringify(k.includes(":") ? k : `${project}:${k}`)}: ${JSON.stringify(v)}`,
        );
        fs.writeFileSync(file, `${header}\nconfig:\n${lines.join("\n")}\n`);
    }

    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/**
 * The program's node_modules as a user's install would have it: the repo's dependencies linked in,
 * and consul-mesh as a real directory (package.json + dist, as `npm pack` ships it), not the repo's
 * self-link. This matters for Pulumi's closure serialiser, which treats code under a node_modules
 * path as a package (captured as a `require`) and anything else as local code (captured by value).
 */
function installNodeModules(repoRoot: string, target: string, packageDir: string): void {
    const source = path.join(repoRoot, "node_modules");
    fs.mkdirSync(target);
    for (const name of fs.readdirSync(source)) {
        if (name === "consul-mesh" || name === ".bin" || name.startsWith(".package-lock")) continue;
        fs.symlinkSync(path.join(source, name), path.join(target, name), "dir");
    }
    const pkg = path.join(target, "consul-mesh");
    fs.mkdirSync(pkg);
    fs.copyFileSync(path.join(packageDir, "package.json"), path.join(pkg, "package.json"));
    fs.cpSync(path.join(packageDir, "dist"), path.join(pkg, "dist"), { recursive: true });
}

function tail(text: string, lines = 40): string {
    return text.split("\n").slice(-lines).join("\n");
}
