// `npx ts-node --transpile-only bench/profile.ts <dir> [...]`: summarises the CPU profiles that
// `npm run bench -- --cpu-prof <dir>` wrote (node --cpu-prof of every node process of each phase).
// For each phase folder and each process role (the dynamic-provider host, recognised by
// @pulumi/pulumi's cmd/dynamic-provider in its frames; the program; consul-mesh's plugin) it prints
// the CPU time sampled (idle left out), the self time by where the code lives (consul-mesh's files,
// zod, undici, @pulumi/pulumi's parts, gRPC, Node's internals, GC), and the inclusive time of
// consul-mesh's provider entry points, so the share of per-resource time each part takes can be read.
import * as fs from "node:fs";
import * as path from "node:path";

interface CallFrame {
    functionName: string;
    url: string;
    lineNumber: number;
}

interface ProfileNode {
    id: number;
    callFrame: CallFrame;
    children?: number[];
}

interface Profile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

/** Where a frame's code lives, for the self-time table. */
export function categoryOf(frame: CallFrame): string {
    const { url, functionName } = frame;
    if (!url) {
        if (functionName === "(idle)") return "(idle)";
        if (functionName === "(garbage collector)") return "GC";
        if (functionName === "(program)") return "(program: VM, compiler)";
        return "native / builtins";
    }
    if (url.startsWith("node:")) return "node internals";
    const cm = /\/consul-mesh\/dist\/(.+)$/.exec(url) ?? /\/(?:dist|consul-mesh)\/(provider\/.+|sdk\/.+)$/.exec(url);
    if (cm) return `consul-mesh ${cm[1]}`;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
    if (pkg) {
        if (pkg[1] === "@pulumi/pulumi") {
            const part = pkg[2].split("/").slice(0, 2).join("/");
            return `@pulumi/pulumi ${part.endsWith(".js") ? part : `${part}/`}`;
        }
        return pkg[1];
    }
    return "other (program, eval'd code)";
}

function roleOf(profile: Profile): string {
    const urls = profile.nodes.map((n) => n.callFrame.url);
    if (urls.some((u) => u.includes("cmd/dynamic-provider"))) return "dynamic-provider host";
    if (urls.some((u) => u.includes("provider/plugin"))) return "consul-mesh plugin";
    if (urls.some((u) => u.includes("cmd/run"))) return "program";
    return "other node process";
}

/** Entry points whose inclusive time is reported (consul-mesh's provider and model functions). */
const ENTRY =
    /^(check|diff|create|read|update|delete|configure|load|announceEffect|policyFlips|checkLocated|validate|write|modifyEntry|modifyConfigEntry|readEntryBatched|serviceIntentionsSchema|sourceSchema|canonical)$/;

export interface Summary {
    role: string;
    totalMs: number;
    byCategory: Map<string, number>;
    inclusive: Map<string, number>;
    /** Self time per function ("name (file)"), for the functions that take the most. */
    byFunction: Map<string, number>;
}

export function summarise(profile: Profile): Summary {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    const byCategory = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let totalMs = 0;
    for (const [id, ms] of self) {
        const frame = byId.get(id)!.callFrame;
        const cat = categoryOf(frame);
        if (cat === "(idle)") continue;
        totalMs += ms;
        byCategory.set(cat, (byCategory.get(cat) ?? 0) + ms);
        const fn = `${frame.functionName || "(anonymous)"} (${frame.url ? path.basename(frame.url) : "native"})`;
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    }
    // Inclusive time of the entry points, each counted once per stack (not again under a recursive call).
    const inclusive = new Map<string, number>();
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    for (const [id, ms] of self) {
        if (categoryOf(byId.get(id)!.callFrame) === "(idle)") continue;
        const seen = new Set<string>();
        for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
            const f = byId.get(p)!.callFrame;
            if (!f.url.includes("consul-mesh") && !f.url.includes("/dist/provider/")) continue;
            if (!ENTRY.test(f.functionName)) continue;
            const key = `${f.functionName} (${path.basename(f.url)})`;
            if (seen.has(key)) continue;
            seen.add(key);
            inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
        }
    }
    return { role: roleOf(profile), totalMs, byCategory, inclusive, byFunction };
}

function print(title: string, s: Summary, top = 14): void {
    console.log(`  ${title}: ${s.role}, ${s.totalMs.toFixed(0)} ms CPU sampled (idle left out)`);
    const rows = [...s.byCategory].sort(([, a], [, b]) => b - a).slice(0, top);
    for (const [cat, ms] of rows)
        console.log(`    ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${cat}`);
    console.log("    functions with the most self time:");
    for (const [fn, ms] of [...s.byFunction].sort(([, a], [, b]) => b - a).slice(0, 8))
        console.log(`    ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${fn}`);
    const inc = [...s.inclusive].sort(([, a], [, b]) => b - a).slice(0, 12);
    if (inc.length) {
        console.log("    consul-mesh entry points, inclusive:");
        for (const [k, ms] of inc)
            console.log(`    ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
    }
}

function main(): void {
    for (const root of process.argv.slice(2)) {
        const dirs = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory());
        for (const dir of dirs.length ? dirs : ["."]) {
            const files = fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".cpuprofile"));
            if (!files.length) continue;
            console.log(`${dir}:`);
            for (const f of files) {
                const profile = JSON.parse(fs.readFileSync(path.join(root, dir, f), "utf8")) as Profile;
                print(f, summarise(profile));
            }
        }
    }
}

if (require.main === module) main();
