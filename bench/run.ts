// `npm run bench [-- --sizes 10,50,100,200] [--floor-sizes 50,100] [--pair-sizes 50] [--variants a,e,c,d,b,bi,f,d10]
//    [--repeats 3] [--no-warmup] [--plugin PATH] [--plan] [--parallel N] [--trace] [--typecheck]`
//
// Deploys the same mesh policy (D destinations x 10 sources) several ways against the local dc1
// agent and times each phase with the real Pulumi CLI:
//   (a) consul-mesh ServiceIntentions (D resources), (b) consul-mesh Intention (D x 10 resources,
//       declared grouped by destination) and (bi) the same declared interleaved (source-major),
//   (c) the bridged provider's ConfigEntryServiceIntentions (D resources; needs `pulumi-resource-consul`),
//   (d) a no-op dynamic provider with D resources and (d10) with D x 10 resources,
//   (e) consul-mesh's provider plugin `pulumi-resource-consul-mesh` (D ServiceIntentions, type token
//       consul-mesh:index:ServiceIntentions; skipped with the reason when the plugin is not found),
//   (f) the same plugin with D x 10 Intentions (consul-mesh:index:Intention; grouped by destination).
// Phases: up (create), preview (no change), refresh (no change), up after changing 10% of the sources
// (source 0 of every destination flips to deny), destroy. Records wall time, HTTP requests Consul
// received (through a counting proxy; config-entry writes per destination), state bytes per resource
// split into the provider's own (inputs + outputs) and Pulumi's part, and the provider's peak memory.
//
// Method: a warm-up pass (every variant once at the smallest size: up and destroy, not reported),
// then `--repeats` passes; pass r runs the variants in the order rotated by r. The report gives the
// median and min–max of every figure, ratios of medians with their spread, and per-resource growth
// (least-squares slope and R²) for variants run at several sizes. (a), (c), (e) run at --sizes
// (growth), (d) at --floor-sizes, (b), (bi), (f), (d10) at --pair-sizes; (bi) and (f) run in the first
// pass only (their points are the write count and the state bytes). `--plan` prints the runs and the estimated time, and exits.
// Writes bench/results/<timestamp>.json (+ .md, .svg, .png) after every run. Never part of `npm test`.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clusterAddress, portOffset, start, status, stop, toolsDir } from "../scripts/lib/clusters";
import { renderChart } from "./lib/chart";
import { MEMORY_METHOD } from "./lib/memory";
import { estimatePlanMs } from "./lib/estimate";
import { CountingProxy } from "./lib/proxy";
import { rotated } from "./lib/stats";
import {
    renderMarkdown,
    VARIANT_IDS,
    VARIANT_LABELS,
    type BenchResults,
    type Phase,
    type PhaseResult,
    type RunResult,
    type VariantId,
} from "./lib/report";
import { BenchStack, type CommandResult } from "./lib/stack";

const SOURCES = 10;
const ALL_VARIANTS: readonly VariantId[] = VARIANT_IDS;
const DEFAULT_SIZES = [10, 50, 100, 200];
const DEFAULT_FLOOR_SIZES = [50, 100];
const DEFAULT_PAIR_SIZES = [50];
const DEFAULT_REPEATS = 3;
/** Passes at the sizes where only the growth variants run (10 and 200 by default): points of the slope, not of a ratio. */
const DEFAULT_GROWTH_REPEATS = 1;
/**
 * Variants run in the first pass only: their point is a count, not a time ratio ((bi): the writes per
 * destination of interleaved pairs; (f): the plugin path's state bytes per Intention, which do not vary).
 */
const FIRST_PASS_ONLY: readonly VariantId[] = ["bi", "f"];
/** Which size list a variant runs at. */
const SIZE_GROUP: Record<VariantId, "growth" | "floor" | "pair"> = {
    a: "growth",
    c: "growth",
    e: "growth",
    d: "floor",
    b: "pair",
    bi: "pair",
    d10: "pair",
    f: "pair",
};

interface Variant {
    id: VariantId;
    program: string;
    resourceType: string;
    resources: (d: number) => number;
    consul: boolean;
    config: (proxyHostPort: string) => Record<string, string>;
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
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}`, order: "grouped" }),
    },
    bi: {
        id: "bi",
        program: "intention",
        resourceType: "pulumi-nodejs:dynamic/consul-mesh:Intention",
        resources: (d) => d * SOURCES,
        consul: true,
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}`, order: "interleaved" }),
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
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}`, shape: "entries" }),
    },
    f: {
        id: "f",
        program: "plugin",
        resourceType: "consul-mesh:index:Intention",
        resources: (d) => d * SOURCES,
        consul: true,
        config: (proxy) => ({ "consul-mesh:address": `http://${proxy}`, shape: "pairs" }),
    },
};

interface Options {
    /** Every size (the union of the three lists). */
    sizes: number[];
    growthSizes: number[];
    floorSizes: number[];
    pairSizes: number[];
    variants: VariantId[];
    repeats: number;
    growthRepeats: number;
    warmup: boolean;
    /** The sizes, variants and repeats are the defaults. */
    defaults: boolean;
    /** Print the plan and its estimated time, and exit. */
    plan: boolean;
    /** The pulumi-resource-consul-mesh plugin for (e) and (f) (default: bench/.bin, then PATH). */
    plugin?: string;
    parallel?: number;
    /** A directory with consul-mesh's package.json and dist/ to benchmark instead of the repo's build. */
    package?: string;
    /** Write every request of every phase, with its arrival time, to <results>.trace.json. */
    trace?: boolean;
    /** Let Pulumi type-check the TypeScript programs (off by default: PULUMI_NODEJS_TRANSPILE_ONLY=true). */
    typecheck?: boolean;
    /** Write CPU profiles (node --cpu-prof) of every node process of each phase under this folder (times are then not comparable). */
    cpuProf?: string;
}

const USAGE = `npm run bench -- [options]
  --sizes 10,50,100,200   sizes D of (a), (c), (e), the growth variants (alone, it sets all three lists)
  --floor-sizes 50,100    sizes of (d), the no-op floor of (a) and (e)
  --pair-sizes 50         sizes of (b), (bi), (f) and (d10), the per-pair variants (10·D resources)
  --variants a,e,c,d,b,bi,f,d10
  --repeats 3             passes over the variants after the warm-up, each in rotated order, at the sizes
                          where a ratio is taken (every size of --floor-sizes and --pair-sizes)
  --growth-repeats 1      passes at the other sizes (only (a), (c), (e) run there: points of the growth fit)
  --no-warmup             skip the warm-up pass (every variant once at the smallest size, up and destroy)
  --plugin PATH           the pulumi-resource-consul-mesh plugin for (e) and (f) (default: the package root, bench/.bin, PATH)
  --plan                  print the runs and the estimated time, and exit
  --cpu-prof DIR          CPU profiles of every node process (program, provider host) per phase, under DIR
                          (summarise with bench/profile.ts; profiled times are not comparable)
  --parallel N, --package DIR, --trace, --typecheck`;

function sizeList(text: string, flag: string): number[] {
    const sizes = text.split(",").map((x) => Number(x.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${flag} takes positive integers, e.g. 10,50,100`);
    return sizes;
}

function parseArgs(argv: string[]): Options {
    let growth: number[] | undefined;
    let floor: number[] | undefined;
    let pair: number[] | undefined;
    let variants: VariantId[] = [...ALL_VARIANTS];
    let repeats = DEFAULT_REPEATS;
    let growthRepeats = DEFAULT_GROWTH_REPEATS;
    let warmup = true;
    let plan = false;
    let plugin: string | undefined;
    let parallel: number | undefined;
    let pkg: string | undefined;
    let trace = false;
    let typecheck = false;
    let cpuProf: string | undefined;
    let defaults = true;
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        if (["--sizes", "--floor-sizes", "--pair-sizes", "--variants", "--repeats", "--growth-repeats"].includes(flag)) defaults = false;
        if (flag === "--sizes") {
            growth = sizeList(value(), flag);
        } else if (flag === "--floor-sizes") {
            floor = sizeList(value(), flag);
        } else if (flag === "--pair-sizes") {
            pair = sizeList(value(), flag);
        } else if (flag === "--variants") {
            variants = value()
                .split(",")
                .map((s) => s.trim()) as VariantId[];
            const bad = variants.filter((v) => !ALL_VARIANTS.includes(v));
            if (bad.length) throw new Error(`unknown variants ${bad.join(", ")} (known: ${ALL_VARIANTS.join(", ")})`);
        } else if (flag === "--repeats") {
            repeats = Number(value());
            if (!Number.isInteger(repeats) || repeats < 1) throw new Error("--repeats takes a positive integer");
        } else if (flag === "--growth-repeats") {
            growthRepeats = Number(value());
            if (!Number.isInteger(growthRepeats) || growthRepeats < 1) throw new Error("--growth-repeats takes a positive integer");
        } else if (flag === "--no-warmup") {
            warmup = false;
        } else if (flag === "--plan") {
            plan = true;
        } else if (flag === "--plugin") {
            plugin = path.resolve(value());
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
        } else if (flag === "--cpu-prof") {
            cpuProf = path.resolve(value());
        } else if (flag === "--help" || flag === "-h") {
            console.log(USAGE);
            process.exit(0);
        } else {
            throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
        }
    }
    // --sizes alone (as before the three lists) sets all three.
    const only = growth && !floor && !pair;
    const growthSizes = growth ?? DEFAULT_SIZES;
    const floorSizes = floor ?? (only ? growthSizes : DEFAULT_FLOOR_SIZES);
    const pairSizes = pair ?? (only ? growthSizes : DEFAULT_PAIR_SIZES);
    const sizes = [...new Set([...growthSizes, ...floorSizes, ...pairSizes])].sort((x, y) => x - y);
    return {
        sizes,
        growthSizes,
        floorSizes,
        pairSizes,
        variants,
        repeats,
        growthRepeats,
        warmup,
        defaults,
        plan,
        plugin,
        parallel,
        package: pkg,
        trace,
        typecheck,
        cpuProf,
    };
}

function sizesOf(opts: Pick<Options, "growthSizes" | "floorSizes" | "pairSizes">, v: VariantId): number[] {
    const group = SIZE_GROUP[v];
    return group === "growth" ? opts.growthSizes : group === "floor" ? opts.floorSizes : opts.pairSizes;
}

/** One run of the plan: a variant at a size in a pass (warm-up: up and destroy only, not reported). */
interface PlannedRun {
    variant: VariantId;
    d: number;
    repeat: number;
    warmup: boolean;
}

/**
 * The runs in order: the warm-up pass (every variant at the smallest size of all), then the passes,
 * each going through the sizes from small to large with the variants in the order rotated by the
 * pass. A size where a ratio is taken (one of the floor or pair sizes) gets `repeats` passes, a
 * size only the growth variants run at gets `growthRepeats`. (bi) and (f) are in the first pass only.
 */
export function planRuns(
    opts: Pick<Options, "sizes" | "growthSizes" | "floorSizes" | "pairSizes" | "repeats" | "growthRepeats" | "warmup">,
    available: readonly VariantId[],
): PlannedRun[] {
    const plan: PlannedRun[] = [];
    if (opts.warmup) {
        for (const v of available) plan.push({ variant: v, d: opts.sizes[0], repeat: -1, warmup: true });
    }
    const passesAt = (d: number) => (opts.floorSizes.includes(d) || opts.pairSizes.includes(d) ? opts.repeats : opts.growthRepeats);
    const passes = Math.max(opts.repeats, opts.growthRepeats);
    for (let r = 0; r < passes; r++) {
        for (const d of opts.sizes) {
            if (r >= passesAt(d)) continue;
            for (const v of rotated(available, r)) {
                if (!sizesOf(opts, v).includes(d)) continue;
                if (FIRST_PASS_ONLY.includes(v) && r > 0) continue;
                plan.push({ variant: v, d, repeat: r, warmup: false });
            }
        }
    }
    return plan;
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

const PLUGIN_UNAVAILABLE_REASON =
    "no pulumi-resource-consul-mesh plugin (issue 28) at the package root, in bench/.bin or on PATH, and no --plugin PATH. " +
    "Build it, then `npm run bench -- --plugin <path to pulumi-resource-consul-mesh>` (or put it in bench/.bin) to include (e) and (f).";

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

interface ExportedResource {
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

interface ExportedState {
    deployment?: { resources?: ExportedResource[] };
}

/** Bytes of one key of a resource as `stack export` prints it (pretty-printed, 4 spaces, its own indentation). */
function keyBytes(resource: object, key: string): number {
    const value = (resource as Record<string, unknown>)[key];
    return value === undefined ? 0 : Buffer.byteLength(JSON.stringify({ [key]: value }, null, 4)) - 4;
}

/**
 * A resource's bytes in `stack export`: the provider's own (its inputs and outputs) and Pulumi's
 * (every other key: URN, type, id, parent, timestamps, stack trace, property dependencies, ...).
 */
export function stateSplit(resource: object): { own: number; pulumi: number } {
    const all = Object.keys(resource).reduce((a, k) => a + keyBytes(resource, k), 0);
    const own = keyBytes(resource, "inputs") + keyBytes(resource, "outputs");
    return { own, pulumi: all - own };
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
        trace?: Array<{ variant: VariantId; d: number; repeat: number; phase: Phase; requests: string[] }>;
        typecheck?: boolean;
        /** Extra PATH entries before the tools (the plugin's folder for (e)). */
        extraPath?: string;
        /** Write CPU profiles of every node process of each timed phase under this folder. */
        cpuProf?: string;
    },
    pass: { repeat: number; warmup: boolean },
): Promise<RunResult> {
    const started = performance.now();
    const result: RunResult = { variant: variant.id, d, repeat: pass.repeat, resources: variant.resources(d), phases: {} };
    const programDir = path.join(__dirname, "programs", variant.program);
    const stack = new BenchStack(
        programDir,
        ctx.extraPath ? `${ctx.extraPath}:${ctx.tools}` : ctx.tools,
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
        if (ctx.cpuProf && !pass.warmup) {
            // Every node process of the phase (the program and the provider host) writes a .cpuprofile
            // here, also when the engine ends it with a signal (see lib/cpu-profile-hook.js).
            const dir = path.join(ctx.cpuProf, `${variant.id}-D${d}-pass${pass.repeat + 1}-${name}`);
            fs.mkdirSync(dir, { recursive: true });
            stack.env.CONSUL_MESH_CPU_PROF_DIR = dir;
            stack.env.NODE_OPTIONS =
                `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "lib", "cpu-profile-hook.js")}`.trim();
        }
        const r = await stack.run([...args, ...parallel]);
        // The per-request trace stays out of the results file (byEndpoint keeps the shape of it);
        // with --trace it goes to <results>.trace.json.
        const { requests, at, ...counts } = ctx.proxy.take();
        if (ctx.trace && !pass.warmup)
            ctx.trace.push({
                variant: variant.id,
                d,
                repeat: pass.repeat,
                phase: name,
                requests: requests.map((r, i) => `+${at[i]}ms ${r}`),
            });
        const phaseResult: PhaseResult = {
            wallMs: Math.round(r.wallMs),
            requests: counts,
            peakProviderKb: r.peakProviderKb,
            providerProcesses: r.providerProcesses,
        };
        result.phases[name] = phaseResult;
        const req = variant.consul ? `, ${phaseResult.requests.total} requests` : "";
        const mem = r.peakProviderKb ? `, provider peak ${(r.peakProviderKb / 1024).toFixed(0)} MB` : "";
        const tag = pass.warmup ? "warm-up" : `pass ${pass.repeat + 1}`;
        log(`  ${VARIANT_LABELS[variant.id]} D=${d} ${tag} ${name}: ${(r.wallMs / 1000).toFixed(1)} s${req}${mem}`);
        return r;
    };
    try {
        if (variant.consul) await deleteLeftovers(ctx.dc1);
        await stack.init({ d: String(d), changed: "false", ...variant.config(ctx.proxyHostPort) });
        await phase("up", ["up", "--yes", "--skip-preview"]);
        if (variant.consul) await verifyPolicy(ctx.dc1, d, false);
        if (pass.warmup) {
            await phase("destroy", ["destroy", "--yes", "--skip-preview"]);
            stack.cleanup();
            return result;
        }
        const exported = (await stack.run(["stack", "export"])).stdout;
        const state = JSON.parse(exported) as ExportedState;
        const ours = (state.deployment?.resources ?? []).filter((r) => r.type === variant.resourceType);
        if (ours.length !== result.resources) throw new Error(`expected ${result.resources} resources in state, found ${ours.length}`);
        result.stateBytes = Buffer.byteLength(exported);
        result.stateBytesPerResource = result.stateBytes / ours.length;
        result.sampleResource = ours[0];
        const splits = ours.map(stateSplit);
        result.ownBytesPerResource = splits.reduce((a, x) => a + x.own, 0) / ours.length;
        result.pulumiBytesPerResource = splits.reduce((a, x) => a + x.pulumi, 0) / ours.length;
        // Where one resource's bytes go, as `stack export` prints them (each key with its indentation).
        if (ours[0]) {
            result.sampleResourceBytesByKey = Object.fromEntries(Object.keys(ours[0]).map((k) => [k, keyBytes(ours[0], k)]));
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
        const timed = Object.values(result.phases).reduce((a, x) => a + (x?.wallMs ?? 0), 0);
        result.overheadMs = Math.round(performance.now() - started - timed);
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

/** The reference for the time estimate: the newest finished results file in `dir` with runs at two sizes or more. */
function referenceResults(dir: string): { file: string; results: BenchResults } | undefined {
    const files = fs.existsSync(dir)
        ? fs
              .readdirSync(dir)
              .filter((f) => /^\d{4}-.*Z\.json$/.test(f))
              .sort()
              .reverse()
        : [];
    for (const f of files) {
        try {
            const results = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as BenchResults;
            // A run at one size gives no line to extrapolate along: it is no reference.
            const sizes = new Set(results.runs.filter((r) => !r.error).map((r) => r.d));
            if (results.finishedAt !== "(unfinished)" && sizes.size >= 2) return { file: f, results };
        } catch {
            // not a results file
        }
    }
    return undefined;
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    const startedAt = new Date();
    const loadAtStart = os.loadavg().map((x) => Number(x.toFixed(2)));
    const t0 = Date.now();
    // bench/.bin (a place for the bridged plugin and consul-mesh's plugin) and the project's tools
    // come before PATH, for the engine as for the detection of (c) and (e).
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
    let meshPlugin: string | undefined;
    let extraPath: string | undefined;
    if (opts.variants.includes("e") || opts.variants.includes("f")) {
        if (opts.plugin) {
            if (path.basename(opts.plugin) !== "pulumi-resource-consul-mesh")
                throw new Error(`--plugin ${opts.plugin}: the engine finds a plugin by its name, pulumi-resource-consul-mesh`);
            fs.accessSync(opts.plugin, fs.constants.X_OK);
            meshPlugin = opts.plugin;
            extraPath = path.dirname(opts.plugin);
        } else {
            // The package's own plugin (issue 28 ships `pulumi-resource-consul-mesh` at the package root,
            // running the package's dist/), then bench/.bin and PATH.
            const root = opts.package ?? path.resolve(__dirname, "..");
            meshPlugin = which("pulumi-resource-consul-mesh", `${root}:${searchPath}`);
            if (meshPlugin) extraPath = path.dirname(meshPlugin);
        }
        if (meshPlugin) log(`(e), (f): using ${meshPlugin}`);
        else {
            for (const v of ["e", "f"] as const) if (opts.variants.includes(v)) unavailable[v] = PLUGIN_UNAVAILABLE_REASON;
            log(`(e), (f) skipped: ${PLUGIN_UNAVAILABLE_REASON}`);
        }
    }
    const available = opts.variants.filter((v) => !unavailable[v]);
    const plan = planRuns(opts, available);
    const dir = path.join(__dirname, "results");
    const reference = referenceResults(dir);
    const estimate = reference
        ? estimatePlanMs(
              reference.results,
              plan.map((r) => ({ variant: r.variant, resources: VARIANTS[r.variant].resources(r.d), warmup: r.warmup })),
          )
        : undefined;
    const summary =
        `${plan.length} runs (${plan.filter((r) => r.warmup).length} warm-up, ${opts.repeats} pass(es)); ` +
        (estimate
            ? `estimated ${(estimate.ms / 60000).toFixed(1)} min from the per-phase times of ${reference!.file}` +
              (estimate.unknown.length ? ` (no reference times for ${estimate.unknown.join(", ")})` : "")
            : "no reference results file for an estimate");
    if (opts.plan) {
        for (const r of plan) console.log(`${r.warmup ? "warm-up" : `pass ${r.repeat + 1}`}\t${VARIANT_LABELS[r.variant]}\tD=${r.d}`);
        console.log(summary);
        return;
    }
    log(summary);

    const wasRunning = status("dc1").running;
    await start("dc1", { log });
    const dc1 = clusterAddress("dc1");
    const proxy = new CountingProxy(dc1);
    const proxyHostPort = await proxy.start();
    log(`dc1 at ${dc1}; counting proxy at ${proxyHostPort}`);

    const runs: RunResult[] = [];
    const trace = opts.trace ? [] : undefined;
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    // Written after every run (a run cut short still leaves what it measured), and at the end.
    const save = async (finished: boolean): Promise<string> => {
        const { plan: _plan, ...options } = opts;
        const results: BenchResults = {
            startedAt: startedAt.toISOString(),
            finishedAt: finished ? new Date().toISOString() : "(unfinished)",
            totalMs: Date.now() - t0,
            estimatedMs: estimate && Math.round(estimate.ms),
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
            options: { ...options, portOffset: portOffset() },
            memoryMethod: MEMORY_METHOD,
            bridgedPlugin,
            plugin: meshPlugin,
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
        for (const [i, planned] of plan.entries()) {
            const label = planned.warmup ? "warm-up" : `pass ${planned.repeat + 1}/${opts.repeats}`;
            log(`run ${i + 1}/${plan.length}: ${VARIANT_LABELS[planned.variant]} D=${planned.d} (${label})`);
            const result = await runVariant(
                VARIANTS[planned.variant],
                planned.d,
                {
                    proxy,
                    proxyHostPort,
                    dc1,
                    tools,
                    parallel: opts.parallel,
                    package: opts.package,
                    trace,
                    typecheck: opts.typecheck,
                    extraPath: planned.variant === "e" || planned.variant === "f" ? extraPath : undefined,
                    cpuProf: opts.cpuProf,
                },
                planned,
            );
            if (planned.warmup) {
                if (result.error) log(`  warm-up of ${VARIANT_LABELS[planned.variant]} failed: ${result.error.split("\n")[0]}`);
                continue;
            }
            runs.push(result);
            await save(false);
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

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err);
        process.exit(1);
    });
}
