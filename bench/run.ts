// `npm run bench [-- --sizes 10,50,100] [--variants a,b,c,d,d10,e] [--parallel N] [--trace] [--typecheck]` (defaults: all sizes and variants)
//
// Deploys the same mesh policy (D destinations x 10 sources) several ways against the local dc1
// agent and times each phase with the real Pulumi CLI:
//   (a) consul-mesh ServiceIntentions (D resources), (b) consul-mesh Intention (D x 10 resources),
//   (c) the bridged provider's ConfigEntryServiceIntentions (D resources; needs `pulumi-resource-consul`
//       on PATH), (d) a no-op dynamic provider with D resources and (d10) with D x 10 resources,
//   (e) consul-mesh ServiceIntentions through the provider plugin (D resources; the package's
//       `pulumi-resource-consul-mesh` on PATH).
// Phases: up (create), preview (no change), refresh (no change), up after changing 10% of the sources
// (source 0 of every destination flips to deny), destroy. Records wall time, HTTP requests Consul
// received (through a counting proxy), state bytes per resource and the provider's peak memory;
// writes bench/results/<timestamp>.json and prints markdown tables. Never part of `npm test`.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clusterAddress, portOffset, start, status, stop, toolsDir } from "../scripts/lib/clusters";
import { renderChart } from "./lib/chart";
import { MEMORY_METHOD } from "./lib/memory";
import { CountingProxy } from "./lib/proxy";
import {
    renderMarkdown,
    VARIANT_LABELS,
    type BenchResults,
    type Phase,
    type PhaseResult,
    type RunResult,
    type VariantId,
} from "./lib/report";
import { BenchStack, type CommandResult } from "./lib/stack";

const SOURCES = 10;
const ALL_VARIANTS: VariantId[] = ["a", "b", "c", "d", "d10", "e"];

interface Variant {
    id: VariantId;
    program: string;
    resourceType: string;
    resources: (d: number) => number;
    consul: boolean;
    config: (proxyHostPort: string) => Record<string, string>;
    /** Served by consul-mesh's provider plugin: the package directory goes on PATH. */
    plugin?: boolean;
}

const VARIANTS: Record<VariantId, Variant> = {
    a: {
        id: "a",
        program: "service-intentions",
        resourceType: "pulumi-nodejs:dynamic/consul-mesh:ServiceIntentions",
        resources: (d) => d,
        consul: true,
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}` }),
    },
    b: {
        id: "b",
        program: "intention",
        resourceType: "pulumi-nodejs:dynamic/consul-mesh:Intention",
        resources: (d) => d * SOURCES,
        consul: true,
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}` }),
    },
    c: {
        id: "c",
        program: "bridged",
        resourceType: "consul:index/configEntryServiceIntentions:ConfigEntryServiceIntentions",
        resources: (d) => d,
        consul: true,
        config: (proxy) => ({ address: proxy }),
    },
    d: {
        id: "d",
        program: "noop",
        resourceType: "pulumi-nodejs:dynamic/bench:Noop",
        resources: (d) => d,
        consul: false,
        config: () => ({ shape: "entries" }),
    },
    d10: {
        id: "d10",
        program: "noop",
        resourceType: "pulumi-nodejs:dynamic/bench:Noop",
        resources: (d) => d * SOURCES,
        consul: false,
        config: () => ({ shape: "pairs" }),
    },
    e: {
        id: "e",
        program: "plugin",
        resourceType: "consul-mesh:index:ServiceIntentions",
        resources: (d) => d,
        consul: true,
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}` }),
        plugin: true,
    },
};

interface Options {
    sizes: number[];
    variants: VariantId[];
    parallel?: number;
    /** A directory with consul-mesh's package.json and dist/ to benchmark instead of the repo's build. */
    package?: string;
    /** Write every request of every phase, with its arrival time, to <results>.trace.json. */
    trace?: boolean;
    /** Let Pulumi type-check the TypeScript programs (off by default: PULUMI_NODEJS_TRANSPILE_ONLY=true). */
    typecheck?: boolean;
}

function parseArgs(argv: string[]): Options {
    let sizes = [10, 50, 100];
    let variants = ALL_VARIANTS;
    let parallel: number | undefined;
    let pkg: string | undefined;
    let trace = false;
    let typecheck = false;
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        if (flag === "--sizes") {
            sizes = value()
                .split(",")
                .map((s) => Number(s.trim()));
            if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes takes positive integers, e.g. 10,50,100`);
        } else if (flag === "--variants") {
            variants = value()
                .split(",")
                .map((s) => s.trim()) as VariantId[];
            const bad = variants.filter((v) => !ALL_VARIANTS.includes(v));
            if (bad.length) throw new Error(`unknown variants ${bad.join(", ")} (known: ${ALL_VARIANTS.join(", ")})`);
        } else if (flag === "--parallel") {
            parallel = Number(value());
            if (!Number.isInteger(parallel) || parallel < 1) throw new Error("--parallel takes a positive integer");
        } else if (flag === "--package") {
            pkg = path.resolve(value());
            if (!fs.existsSync(path.join(pkg, "dist"))) throw new Error(`--package ${pkg} has no dist/`);
        } else if (flag === "--trace") {
            trace = true;
        } else if (flag === "--typecheck") {
            typecheck = true;
        } else if (flag === "--help" || flag === "-h") {
            console.log(
                "npm run bench -- [--sizes 10,50,100] [--variants a,b,c,d,d10,e] [--parallel N] [--package DIR] [--trace] [--typecheck]",
            );
            process.exit(0);
        } else {
            throw new Error(`unknown argument ${argv[i]}`);
        }
    }
    return { sizes, variants, parallel, package: pkg, trace, typecheck };
}

function which(binary: string, searchPath: string): string | undefined {
    for (const dir of searchPath.split(":")) {
        if (!dir) continue;
        const candidate = path.join(dir, binary);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

const BRIDGED_UNAVAILABLE_REASON =
    "no pulumi-resource-consul plugin in bench/.bin or on PATH. A prebuilt plugin (@pulumi/consul 3.15.1, built from source " +
    "with no BSL module) is in the shared tools folder: `mkdir -p bench/.bin && gunzip -c ../shared/tools/bridged/pulumi-resource-consul.gz " +
    "> bench/.bin/pulumi-resource-consul && chmod +x bench/.bin/pulumi-resource-consul`, then re-run to include (c).";

interface EntryJson {
    Name: string;
    Sources?: Array<{ Name: string; Action?: string }>;
}

async function benchEntries(dc1: string): Promise<EntryJson[]> {
    const res = await fetch(`${dc1}/v1/config/service-intentions`);
    if (!res.ok) throw new Error(`listing service-intentions at ${dc1}: HTTP ${res.status}`);
    return ((await res.json()) as EntryJson[]).filter((e) => e.Name.startsWith("bench-dest-"));
}

/** Checks that Consul holds exactly the policy (catches a variant that "wins" by doing nothing). */
async function verifyPolicy(dc1: string, d: number, changed: boolean | "absent"): Promise<void> {
    const entries = await benchEntries(dc1);
    if (changed === "absent") {
        if (entries.length) throw new Error(`${entries.length} bench entries left in Consul after destroy`);
        return;
    }
    if (entries.length !== d) throw new Error(`expected ${d} bench entries in Consul, found ${entries.length}`);
    for (const e of entries) {
        const sources = e.Sources ?? [];
        if (sources.length !== SOURCES) throw new Error(`${e.Name}: expected ${SOURCES} sources, found ${sources.length}`);
        for (const s of sources) {
            const want = changed && s.Name === "bench-client-0" ? "deny" : "allow";
            if (s.Action !== want) throw new Error(`${e.Name} <- ${s.Name}: expected ${want}, Consul has ${s.Action}`);
        }
    }
}

async function deleteLeftovers(dc1: string): Promise<void> {
    for (const e of await benchEntries(dc1)) {
        await fetch(`${dc1}/v1/config/service-intentions/${encodeURIComponent(e.Name)}`, { method: "DELETE" });
    }
}

interface ExportedState {
    deployment?: { resources?: Array<{ type: string; outputs?: Record<string, unknown> }> };
}

async function runVariant(
    variant: Variant,
    d: number,
    ctx: {
        proxy: CountingProxy;
        proxyHostPort: string;
        dc1: string;
        tools: string;
        parallel?: number;
        package?: string;
        trace?: Array<{ variant: VariantId; d: number; phase: Phase; requests: string[] }>;
        typecheck?: boolean;
    },
): Promise<RunResult> {
    const result: RunResult = { variant: variant.id, d, resources: variant.resources(d), phases: {} };
    const programDir = path.join(__dirname, "programs", variant.program);
    // (e): the plugin's executable is at the package root (the repository, or --package).
    const tools = variant.plugin ? `${ctx.package ?? path.resolve(__dirname, "..")}:${ctx.tools}` : ctx.tools;
    const stack = new BenchStack(
        programDir,
        tools,
        {
            CONSUL_HTTP_ADDR: `http://${ctx.proxyHostPort}`,
            // The program's TypeScript type-check (it differs per program, not per provider) is not timed unless --typecheck.
            PULUMI_NODEJS_TRANSPILE_ONLY: ctx.typecheck ? "false" : "true",
        },
        ctx.package,
    );
    const parallel = ctx.parallel ? ["--parallel", String(ctx.parallel)] : [];
    const phase = async (name: Phase, args: string[]): Promise<CommandResult> => {
        ctx.proxy.take();
        const r = await stack.run([...args, ...parallel]);
        // The per-request trace stays out of the results file (byEndpoint keeps the shape of it);
        // with --trace it goes to <results>.trace.json.
        const { requests, at, ...counts } = ctx.proxy.take();
        if (ctx.trace) ctx.trace.push({ variant: variant.id, d, phase: name, requests: requests.map((r, i) => `+${at[i]}ms ${r}`) });
        const phaseResult: PhaseResult = {
            wallMs: Math.round(r.wallMs),
            requests: counts,
            peakProviderKb: r.peakProviderKb,
            providerProcesses: r.providerProcesses,
        };
        result.phases[name] = phaseResult;
        const req = variant.consul ? `, ${phaseResult.requests.total} requests` : "";
        const mem = r.peakProviderKb ? `, provider peak ${(r.peakProviderKb / 1024).toFixed(0)} MB` : "";
        log(`  ${VARIANT_LABELS[variant.id]} D=${d} ${name}: ${(r.wallMs / 1000).toFixed(1)} s${req}${mem}`);
        return r;
    };
    try {
        if (variant.consul) await deleteLeftovers(ctx.dc1);
        await stack.init({ d: String(d), changed: "false", ...variant.config(ctx.proxyHostPort) });
        await phase("up", ["up", "--yes", "--skip-preview"]);
        if (variant.consul) await verifyPolicy(ctx.dc1, d, false);
        const exported = (await stack.run(["stack", "export"])).stdout;
        const state = JSON.parse(exported) as ExportedState;
        const ours = (state.deployment?.resources ?? []).filter((r) => r.type === variant.resourceType);
        if (ours.length !== result.resources) throw new Error(`expected ${result.resources} resources in state, found ${ours.length}`);
        result.stateBytes = Buffer.byteLength(exported);
        result.stateBytesPerResource = result.stateBytes / ours.length;
        result.sampleResource = ours[0];
        // Where one resource's bytes go, as `stack export` prints them (each key with its indentation).
        if (ours[0]) {
            result.sampleResourceBytesByKey = Object.fromEntries(
                Object.entries(ours[0]).map(([k, v]) => [k, Buffer.byteLength(JSON.stringify({ [k]: v }, null, 4)) - 4]),
            );
        }
        const providerText = ours[0]?.outputs?.__provider;
        if (typeof providerText === "string") result.providerTextBytes = Buffer.byteLength(providerText);
        await phase("preview", ["preview", "--expect-no-changes"]);
        await phase("refresh", ["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        stack.setConfig({ changed: "true" });
        await phase("up-change", ["up", "--yes", "--skip-preview"]);
        if (variant.consul) await verifyPolicy(ctx.dc1, d, true);
        await phase("destroy", ["destroy", "--yes", "--skip-preview"]);
        if (variant.consul) await verifyPolicy(ctx.dc1, d, "absent");
        stack.cleanup();
    } catch (err) {
        result.error = (err as Error).message;
        log(`  ${VARIANT_LABELS[variant.id]} D=${d} FAILED (stack kept in ${stack.root}): ${result.error}`);
        try {
            await stack.run(["destroy", "--yes", "--skip-preview"]);
        } catch {
            // best effort; leftovers are deleted before the next Consul variant
        }
    }
    return result;
}

function log(msg: string): void {
    console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

function versionOf(binary: string, args: string[]): string {
    try {
        return execFileSync(binary, args, { encoding: "utf8" }).split("\n")[0].trim();
    } catch {
        return "unknown";
    }
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const startedAt = new Date();
    const loadAtStart = os.loadavg().map((x) => Number(x.toFixed(2)));
    const t0 = Date.now();
    // bench/.bin (a place for a bridged plugin binary) and the project's tools
    // come before PATH, for the engine as for the detection of (c).
    const tools = `${path.join(__dirname, ".bin")}:${toolsDir()}`;
    const searchPath = `${tools}:${process.env.PATH ?? ""}`;
    const unavailable: BenchResults["unavailable"] = {};
    let bridgedPlugin: string | undefined;
    if (opts.variants.includes("c")) {
        const plugin = which("pulumi-resource-consul", searchPath);
        if (plugin) {
            bridgedPlugin = `${plugin} (${versionOf(plugin, ["-version"]) || "version unknown"})`;
            log(`(c): using ${bridgedPlugin}`);
        } else unavailable.c = BRIDGED_UNAVAILABLE_REASON;
    }

    const wasRunning = status("dc1").running;
    await start("dc1", { log });
    const dc1 = clusterAddress("dc1");
    const proxy = new CountingProxy(dc1);
    const proxyHostPort = await proxy.start();
    log(`dc1 at ${dc1}; counting proxy at ${proxyHostPort}`);

    const runs: RunResult[] = [];
    const trace = opts.trace ? [] : undefined;
    const dir = path.join(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    // Written after every variant (a run cut short still leaves what it measured), and at the end.
    const save = async (finished: boolean): Promise<string> => {
        const results: BenchResults = {
            startedAt: startedAt.toISOString(),
            finishedAt: finished ? new Date().toISOString() : "(unfinished)",
            totalMs: Date.now() - t0,
            machine: {
                cpus: os.cpus().length,
                cpuModel: os.cpus()[0]?.model ?? "unknown",
                memMb: Math.round(os.totalmem() / 2 ** 20),
                loadAverageAtStart: loadAtStart,
                loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))),
                node: process.version,
                pulumi: versionOf(path.join(toolsDir(), "pulumi"), ["version"]),
                consul: versionOf(path.join(toolsDir(), "consul"), ["version"]),
            },
            options: { ...opts, portOffset: portOffset() },
            memoryMethod: MEMORY_METHOD,
            bridgedPlugin,
            unavailable,
            runs,
        };
        fs.writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
        if (trace) fs.writeFileSync(file.replace(/\.json$/, ".trace.json"), JSON.stringify(trace, null, 1) + "\n");
        const markdown = renderMarkdown(results);
        fs.writeFileSync(file.replace(/\.json$/, ".md"), markdown + "\n");
        const chart = await renderChart(results);
        fs.writeFileSync(file.replace(/\.json$/, ".svg"), chart.svg);
        fs.writeFileSync(file.replace(/\.json$/, ".png"), chart.png);
        return markdown;
    };
    try {
        for (const d of opts.sizes) {
            for (const id of opts.variants) {
                if (unavailable[id]) continue;
                runs.push(
                    await runVariant(VARIANTS[id], d, {
                        proxy,
                        proxyHostPort,
                        dc1,
                        tools,
                        parallel: opts.parallel,
                        package: opts.package,
                        trace,
                        typecheck: opts.typecheck,
                    }),
                );
                await save(false);
            }
        }
    } finally {
        await proxy.stop();
        if (!wasRunning) await stop("dc1", { log });
    }
    const markdown = await save(true);
    console.log(markdown);
    console.log(`\nResults: ${path.relative(process.cwd(), file)} (and .md, .svg, .png beside it)`);
    if (runs.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
