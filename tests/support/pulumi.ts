// Runs the real Pulumi CLI on a program directory: isolated PULUMI_HOME, a file:// backend in a temp
// dir, the passphrase secrets provider, no update checks and no plugin downloads.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clusterAddress, toolsDir } from "../../scripts/lib/clusters";

const repoRoot = path.resolve(__dirname, "..", "..");

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface PreviewStep {
    op: string;
    urn: string;
    diffReasons?: string[];
    replaceReasons?: string[];
}

export class PulumiProgram {
    readonly workDir: string;
    readonly env: NodeJS.ProcessEnv;
    private readonly root: string;

    /**
     * Copies the program (Pulumi.yaml, *.ts, package.json, tsconfig.json) into a temp dir outside the
     * repo whose node_modules is the repo's (so `consul-mesh` and `@pulumi/pulumi` resolve as in a
     * user's program, one SDK instance). With `linkNodeModules: false` there is no node_modules: the
     * caller installs the program's own dependencies into workDir.
     */
    constructor(
        programDir: string,
        readonly stack = "test",
        opts: { linkNodeModules?: boolean } = {},
    ) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-e2e-"));
        this.workDir = path.join(this.root, "program");
        fs.mkdirSync(this.workDir);
        const source = path.resolve(repoRoot, programDir);
        for (const name of fs.readdirSync(source)) {
            if (name === "node_modules" || (name.startsWith("Pulumi.") && name !== "Pulumi.yaml")) continue;
            fs.cpSync(path.join(source, name), path.join(this.workDir, name), { recursive: true });
        }
        if (opts.linkNodeModules ?? true) {
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(this.workDir, "node_modules"), "dir");
        }
        fs.mkdirSync(path.join(this.root, "state"));
        this.env = {
            ...process.env,
            PATH: `${toolsDir()}:${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "consul-mesh-tests",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            // Programs that set no address reach the test dc1 (moved by CONSUL_MESH_PORT_OFFSET).
            CONSUL_HTTP_ADDR: clusterAddress("dc1"),
            CONSUL_HTTP_TOKEN: undefined,
            NO_COLOR: "1",
            // The programs are type-checked once by `npx tsc -p tsconfig.dev.json` (examples/, demo/ and
            // tests/ are in it), so each Pulumi run only transpiles them: about 2-4 s less per run.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            // Node's on-disk compile cache (Node >= 22.1): the program and the dynamic-provider host load
            // @pulumi/pulumi, grpc and protobuf on every run; cached bytecode makes each start cheaper.
            NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(repoRoot, ".consul-mesh", "node-compile-cache"),
        };
    }

    /**
     * Names the consul-mesh plugin at the package root (`pulumi-resource-consul-mesh`, running the
     * built `dist/`) in the program's Pulumi.yaml as a `plugins.providers` path, as a user of another
     * language without `pulumi plugin install` would. The path is relative to the program's directory,
     * as the README's example writes it.
     */
    usePackagePlugin(): void {
        const relative = path.relative(this.workDir, repoRoot);
        const entry = `\nplugins:\n  providers:\n    - name: consul-mesh\n      path: ${JSON.stringify(relative)}\n`;
        fs.appendFileSync(path.join(this.workDir, "Pulumi.yaml"), entry);
    }

    run(args: string[], opts: { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive", "--color=never"], {
                cwd: this.workDir,
                env: this.env,
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                const result = { code: code ?? -1, stdout, stderr };
                if (result.code !== 0 && !opts.allowFailure) {
                    reject(new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${stdout}\n${stderr}`));
                } else {
                    resolve(result);
                }
            });
        });
    }

    async init(config: Record<string, string> = {}, secrets: Record<string, string> = {}): Promise<void> {
        await this.run(["stack", "init", this.stack]);
        // One CLI run for every value (each run of the CLI costs a few hundred ms).
        const args = [
            ...Object.entries(config).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
            ...Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`]),
        ];
        if (args.length > 0) await this.run(["config", "set-all", ...args]);
    }

    up(extra: string[] = []) {
        return this.run(["up", "--yes", "--skip-preview", ...extra]);
    }

    /** `pulumi preview --json`: the planned steps. */
    async preview(extra: string[] = [], allowFailure = false): Promise<{ steps: PreviewStep[]; result: RunResult }> {
        const result = await this.run(["preview", "--json", ...extra], { allowFailure });
        const parsed = JSON.parse(result.stdout) as { steps?: PreviewStep[] };
        return { steps: parsed.steps ?? [], result };
    }

    refresh(extra: string[] = [], allowFailure = false) {
        return this.run(["refresh", "--yes", "--skip-preview", ...extra], { allowFailure });
    }

    destroy() {
        return this.run(["destroy", "--yes", "--skip-preview"]);
    }

    async outputs(): Promise<Record<string, unknown>> {
        return JSON.parse((await this.run(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<string, unknown>;
    }

    async exportState(): Promise<string> {
        return (await this.run(["stack", "export"])).stdout;
    }

    /** Removes the temp dir (after destroy). */
    cleanup(): void {
        endStrayPlugins(this.root);
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/**
 * Ends plugin processes still running in `root` (Linux /proc). Pulumi starts each plugin in a process
 * group of its own, so a test that kills the CLI (a SIGKILLed run) can leave a dynamic-provider host
 * behind; without this, every such run would leave one more node process on the machine.
 */
function endStrayPlugins(root: string): void {
    if (!fs.existsSync("/proc")) return;
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
            if (cwd === root || cwd.startsWith(root + path.sep)) process.kill(Number(entry), "SIGKILL");
        } catch {
            // Gone already, or not ours to inspect.
        }
    }
}

/** Steps of a preview that would change something ("same" and the read-only "refresh" steps excluded). */
export function changingSteps(steps: PreviewStep[]): PreviewStep[] {
    return steps.filter((s) => s.op !== "same" && s.op !== "refresh");
}
