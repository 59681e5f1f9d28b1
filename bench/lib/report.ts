// The results file's shape and its markdown rendering.
import type { RequestCounts } from "./proxy";

export const PHASES = ["up", "preview", "refresh", "up-change", "destroy"] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseResult {
    wallMs: number;
    requests: Omit<RequestCounts, "requests" | "at">;
    /** Peak VmHWM (kB) of the provider process during the phase; undefined when none was seen. */
    peakProviderKb?: number;
    providerProcesses: number;
}

export interface RunResult {
    variant: VariantId;
    d: number;
    resources: number;
    phases: Partial<Record<Phase, PhaseResult>>;
    /** `pulumi stack export` after the create, in bytes, and per resource of the variant's type. */
    stateBytes?: number;
    stateBytesPerResource?: number;
    /** Bytes of the serialised provider text (`__provider`) in one resource's outputs, if any. */
    providerTextBytes?: number;
    /** One resource of the variant as `pulumi stack export` shows it (what a user reads in the state). */
    sampleResource?: unknown;
    /** Bytes of each top-level key of `sampleResource`, pretty-printed as `stack export` does. */
    sampleResourceBytesByKey?: Record<string, number>;
    error?: string;
}

export type VariantId = "a" | "b" | "c" | "d" | "d10" | "e";

export const VARIANT_LABELS: Record<VariantId, string> = {
    a: "(a) consul-mesh ServiceIntentions",
    b: "(b) consul-mesh Intention",
    c: "(c) bridged ConfigEntryServiceIntentions",
    d: "(d) no-op, D resources",
    d10: "(d) no-op, 10·D resources",
    e: "(e) consul-mesh ServiceIntentions via the plugin",
};

export interface BenchResults {
    startedAt: string;
    finishedAt: string;
    totalMs: number;
    machine: {
        cpus: number;
        cpuModel: string;
        memMb: number;
        /** 1/5/15-minute load averages: other work on the machine skews wall times. */
        loadAverageAtStart: number[];
        loadAverageAtEnd: number[];
        node: string;
        pulumi: string;
        consul: string;
    };
    options: {
        sizes: number[];
        variants: VariantId[];
        parallel?: number;
        package?: string;
        trace?: boolean;
        typecheck?: boolean;
        portOffset: number;
    };
    memoryMethod: string;
    /** The pulumi-resource-consul binary used for (c), when there is one. */
    bridgedPlugin?: string;
    unavailable: Partial<Record<VariantId, string>>;
    runs: RunResult[];
}

const secs = (ms?: number) => (ms === undefined ? "–" : (ms / 1000).toFixed(1));
const ratio = (x?: number, y?: number) => (x === undefined || y === undefined || y === 0 ? "–" : `${(x / y).toFixed(2)}x`);

function reqCell(c?: Omit<RequestCounts, "requests" | "at">): string {
    if (!c) return "–";
    const parts = Object.entries(c.byMethod)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([m, n]) => `${n} ${m}`);
    return parts.length ? `${c.total} (${parts.join(", ")})` : "0";
}

/** The markdown tables of one run: wall time with ratios, HTTP requests, state and memory. */
export function renderMarkdown(results: BenchResults): string {
    const out: string[] = [];
    const has = (v: VariantId) => results.options.variants.includes(v) && !results.unavailable[v];
    for (const d of results.options.sizes) {
        const run = (v: VariantId) => results.runs.find((r) => r.variant === v && r.d === d && !r.error);
        const wall = (v: VariantId, p: Phase) => run(v)?.phases[p]?.wallMs;
        out.push(`#### D = ${d} (${d * 10} pairs: ${d} ServiceIntentions / ${d * 10} Intentions)`, "");
        const cols = (["a", "b", "c", "d", "d10", "e"] as VariantId[]).filter((v) => results.options.variants.includes(v));
        const ratioCols: Array<[string, VariantId, VariantId]> = [
            ["(a)/(d)", "a", "d"],
            ["(b)/(d 10·D)", "b", "d10"],
            ["(a)/(c)", "a", "c"],
            ["(b)/(c)", "b", "c"],
            ["(e)/(c)", "e", "c"],
            ["(e)/(a)", "e", "a"],
        ];
        const shownRatios = ratioCols.filter(([, x, y]) => has(x) && has(y));
        const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
        out.push(line(["phase", ...cols.map((v) => `${VARIANT_LABELS[v]} s`), ...shownRatios.map(([l]) => l)]));
        out.push(line(["---", ...cols.map(() => "---:"), ...shownRatios.map(() => "---:")]));
        for (const p of PHASES) {
            const cells = cols.map((v) => (results.unavailable[v] ? "n/a" : run(v) ? secs(wall(v, p)) : "failed"));
            out.push(line([p, ...cells, ...shownRatios.map(([, x, y]) => ratio(wall(x, p), wall(y, p)))]));
        }
        out.push("", "HTTP requests received by Consul (through the counting proxy):", "");
        const consulCols = cols.filter((v) => v === "a" || v === "b" || v === "c" || v === "e");
        out.push(`| phase | ${consulCols.map((v) => VARIANT_LABELS[v]).join(" | ")} |`);
        out.push(`|---|${consulCols.map(() => "---:").join("|")}|`);
        for (const p of PHASES) {
            out.push(
                `| ${p} | ${consulCols.map((v) => (results.unavailable[v] ? "n/a" : reqCell(run(v)?.phases[p]?.requests))).join(" | ")} |`,
            );
        }
        out.push("", "State and provider memory:", "");
        out.push(`| | ${cols.map((v) => VARIANT_LABELS[v]).join(" | ")} |`);
        out.push(`|---|${cols.map(() => "---:").join("|")}|`);
        const row = (label: string, f: (r: RunResult) => string) =>
            out.push(`| ${label} | ${cols.map((v) => (results.unavailable[v] ? "n/a" : run(v) ? f(run(v)!) : "failed")).join(" | ")} |`);
        row("resources", (r) => String(r.resources));
        row("state bytes / resource", (r) => (r.stateBytesPerResource === undefined ? "–" : String(Math.round(r.stateBytesPerResource))));
        row("serialised provider bytes", (r) => (r.providerTextBytes === undefined ? "–" : String(r.providerTextBytes)));
        row("bytes of one resource by key (largest first)", (r) =>
            Object.entries(r.sampleResourceBytesByKey ?? {})
                .sort(([, a], [, b]) => b - a)
                .slice(0, 5)
                .map(([k, n]) => `${k} ${n}`)
                .join(", "),
        );
        row("peak provider RSS MB (max over phases)", (r) => {
            const peaks = Object.values(r.phases).map((x) => x?.peakProviderKb ?? 0);
            const max = Math.max(0, ...peaks);
            return max ? (max / 1024).toFixed(0) : "–";
        });
        out.push("");
    }
    if (results.options.sizes.length >= 2) out.push(...renderSlopes(results), "");
    out.push(...renderTargets(results), "");
    for (const [v, reason] of Object.entries(results.unavailable))
        out.push(`${VARIANT_LABELS[v as VariantId]} not available: ${reason}`, "");
    for (const r of results.runs.filter((x) => x.error))
        out.push(`${VARIANT_LABELS[r.variant]} D=${r.d} FAILED: ${r.error!.split("\n")[0]}`, "");
    if (results.bridgedPlugin) out.push(`(c) plugin: ${results.bridgedPlugin}`, "");
    out.push(
        `Machine: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memMb} MB; node ${results.machine.node}, ` +
            `pulumi ${results.machine.pulumi}, consul ${results.machine.consul}; --parallel ${results.options.parallel ?? "default (8)"}; ` +
            `programs ${results.options.typecheck ? "type-checked" : "transpiled only (PULUMI_NODEJS_TRANSPILE_ONLY)"}; ` +
            `load average ${results.machine.loadAverageAtStart.join("/")} at start, ${results.machine.loadAverageAtEnd.join("/")} at end; ` +
            `total run ${(results.totalMs / 60000).toFixed(1)} min.`,
    );
    return out.join("\n");
}

/** Least-squares line through (x, y): slope, intercept and R² (1 = on a line). */
export function linearFit(points: Array<[number, number]>): { slope: number; intercept: number; r2: number } {
    const n = points.length;
    const mx = points.reduce((a, [x]) => a + x, 0) / n;
    const my = points.reduce((a, [, y]) => a + y, 0) / n;
    const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
    const syy = points.reduce((a, [, y]) => a + (y - my) ** 2, 0);
    const slope = sxx === 0 ? 0 : sxy / sxx;
    const intercept = my - slope * mx;
    const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
    return { slope, intercept, r2 };
}

/** Per variant: the slope of wall time (per phase) and of peak provider memory against the number of resources, across sizes. */
function renderSlopes(results: BenchResults): string[] {
    const out = [
        "Growth per resource across sizes (least-squares slope over D = " +
            results.options.sizes.join(", ") +
            "; R² = how close to a line):",
        "",
        `| variant | ${PHASES.map((p) => `${p} ms/resource (R²)`).join(" | ")} | peak provider RSS MB/resource (R²) | at the smallest → largest size |`,
        `|---|${PHASES.map(() => "---:").join("|")}|---:|---|`,
    ];
    for (const v of results.options.variants) {
        const runs = results.runs.filter((r) => r.variant === v && !r.error).sort((a, b) => a.resources - b.resources);
        if (runs.length < 2) continue;
        const cells = PHASES.map((p) => {
            const pts = runs.flatMap((r): Array<[number, number]> => (r.phases[p] ? [[r.resources, r.phases[p].wallMs]] : []));
            if (pts.length < 2) return "–";
            const f = linearFit(pts);
            return `${f.slope.toFixed(1)} (${f.r2.toFixed(2)})`;
        });
        const peak = (r: RunResult) => Math.max(0, ...Object.values(r.phases).map((x) => x?.peakProviderKb ?? 0)) / 1024;
        const memPts = runs.filter((r) => peak(r) > 0).map((r): [number, number] => [r.resources, peak(r)]);
        const mem = memPts.length >= 2 ? linearFit(memPts) : undefined;
        const memCell = mem ? `${mem.slope.toFixed(3)} (${mem.r2.toFixed(2)})` : "–";
        const span = memPts.length >= 2 ? `${memPts[0][1].toFixed(0)} → ${memPts[memPts.length - 1][1].toFixed(0)} MB` : "–";
        out.push(`| ${VARIANT_LABELS[v]} | ${cells.join(" | ")} | ${memCell} | ${span} |`);
    }
    return out;
}

/** Issue 20's targets, each met or missed with its ratio, from this run alone. */
function renderTargets(results: BenchResults): string[] {
    const out = ["Targets (issue 20), from this run:", ""];
    const run = (v: VariantId, d: number) => results.runs.find((r) => r.variant === v && r.d === d && !r.error);
    const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
    const bigSizes = results.options.sizes.filter((d) => d >= 50);
    const ratioTarget = (label: string, x: VariantId, y: VariantId, limit: number) => {
        for (const d of bigSizes) {
            const rx = run(x, d);
            const ry = run(y, d);
            if (!rx || !ry) continue;
            const cells = PHASES.map((p) => {
                const a = rx.phases[p]?.wallMs;
                const b = ry.phases[p]?.wallMs;
                return a === undefined || b === undefined || b === 0 ? undefined : { p, r: a / b };
            }).filter((c) => c !== undefined);
            const worst = Math.max(...cells.map((c) => c.r));
            out.push(
                `- ${label} ≤ ${limit.toFixed(1)}x at D = ${d}: ${verdict(worst <= limit)} (${cells.map((c) => `${c.p} ${c.r.toFixed(2)}x`).join(", ")})`,
            );
        }
    };
    ratioTarget("(a)/(c)", "a", "c", 1.0);
    ratioTarget("(e)/(c)", "e", "c", 1.0);
    ratioTarget("(a)/(d)", "a", "d", 1.1);
    ratioTarget("(b)/(d10)", "b", "d10", 1.3);
    for (const d of results.options.sizes) {
        const b = run("b", d);
        if (!b) continue;
        const perDest = (p: Phase) => {
            const m = b.phases[p]?.requests.byMethod ?? {};
            return { writes: ((m.PUT ?? 0) + (m.DELETE ?? 0)) / d, reads: (m.GET ?? 0) / d };
        };
        const up = perDest("up");
        const destroy = perDest("destroy");
        const ok = up.writes <= 1 && up.reads <= 1 && destroy.writes <= 1 && destroy.reads <= 1;
        out.push(
            `- (b) at most one write and one read per destination at D = ${d}: ${verdict(ok)} (up ${up.writes.toFixed(1)} writes, ` +
                `${up.reads.toFixed(1)} reads; destroy ${destroy.writes.toFixed(1)} writes, ${destroy.reads.toFixed(1)} reads per destination)`,
        );
    }
    const states = results.runs.filter((r) => r.variant === "b" && !r.error && r.stateBytesPerResource !== undefined);
    if (states.length) {
        const worst = Math.max(...states.map((r) => r.stateBytesPerResource!));
        out.push(
            `- state ≤ 2 KB per Intention: ${verdict(worst <= 2048)} (${(worst / 1024).toFixed(2)} KB per resource, \`__provider\` ${states[0].providerTextBytes ?? "?"} bytes)`,
        );
    }
    const minutes = results.totalMs / 60000;
    const full = results.options.sizes.join(",") === "10,50,100" && results.options.variants.length === 5;
    if (full) out.push(`- default run under 30 minutes: ${verdict(minutes < 30)} (${minutes.toFixed(1)} min)`);
    return out;
}
