// The results file's shape and its markdown rendering.
import type { RequestCounts } from "./proxy";
import { formatRatio, formatSummary, linearFit, ratioOfMedians, summarize, type Ratio, type Summary } from "./stats";

export const PHASES = ["up", "preview", "refresh", "up-change", "destroy"] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseResult {
    wallMs: number;
    /** `writesByEntry` is absent in results files written before it was counted. */
    requests: Omit<RequestCounts, "requests" | "at" | "writesByEntry"> & Partial<Pick<RequestCounts, "writesByEntry">>;
    /** Peak VmHWM (kB) of the provider process during the phase; undefined when none was seen. */
    peakProviderKb?: number;
    providerProcesses: number;
}

export interface RunResult {
    variant: VariantId;
    d: number;
    /** Which pass of the benchmark (0-based; see options.repeats): the variant order is rotated by it. */
    repeat?: number;
    /** Wall time of the whole run outside the timed phases (stack init, export, Consul checks, clean-up). */
    overheadMs?: number;
    resources: number;
    phases: Partial<Record<Phase, PhaseResult>>;
    /** `pulumi stack export` after the create, in bytes, and per resource of the variant's type. */
    stateBytes?: number;
    stateBytesPerResource?: number;
    /**
     * Mean bytes per resource of the variant's type that are the provider's own: its `inputs` and
     * `outputs` as `stack export` prints them (the serialised `__provider` of a dynamic resource is in
     * both). `pulumiBytesPerResource` is the rest of the resource's record: URN, type, id, parent,
     * timestamps, stack trace, property dependencies and so on.
     */
    ownBytesPerResource?: number;
    pulumiBytesPerResource?: number;
    /** Bytes of the serialised provider text (`__provider`) in one resource's outputs, if any. */
    providerTextBytes?: number;
    /** One resource of the variant as `pulumi stack export` shows it (what a user reads in the state). */
    sampleResource?: unknown;
    /** Bytes of each top-level key of `sampleResource`, pretty-printed as `stack export` does. */
    sampleResourceBytesByKey?: Record<string, number>;
    error?: string;
}

export type VariantId = "a" | "b" | "bi" | "c" | "d" | "d10" | "e" | "f";

/** Every variant, in the order of the tables. */
export const VARIANT_IDS: readonly VariantId[] = ["a", "e", "c", "d", "b", "bi", "f", "d10"];

export const VARIANT_LABELS: Record<VariantId, string> = {
    a: "(a) consul-mesh ServiceIntentions",
    b: "(b) consul-mesh Intention",
    bi: "(b) Intention, pairs interleaved",
    c: "(c) bridged ConfigEntryServiceIntentions",
    d: "(d) no-op, D resources",
    d10: "(d) no-op, 10·D resources",
    e: "(e) consul-mesh plugin ServiceIntentions",
    f: "(f) consul-mesh plugin Intention",
};

/** The variants that talk to Consul (the others are the no-op floor). */
export const CONSUL_VARIANTS: readonly VariantId[] = ["a", "b", "bi", "c", "e", "f"];

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
        /** Every size any variant ran at (the union of the three lists below, when they are given). */
        sizes: number[];
        /** Sizes of (a), (c) and (e), the growth variants. */
        growthSizes?: number[];
        /** Sizes of (d), the floor of (a). */
        floorSizes?: number[];
        /** Sizes of (b), (b interleaved) and (d10). */
        pairSizes?: number[];
        /** Passes over every variant (each in rotated order) at the sizes where a ratio is taken; 1 in files written before repeats. */
        repeats?: number;
        /** Passes at the sizes only the growth variants run at. */
        growthRepeats?: number;
        /** Whether a warm-up pass (not reported) ran first. */
        warmup?: boolean;
        /** Whether the run used the default sizes, variants and repeats (the run the 30-minute budget is for). */
        defaults?: boolean;
        variants: VariantId[];
        parallel?: number;
        package?: string;
        trace?: boolean;
        typecheck?: boolean;
        portOffset: number;
    };
    memoryMethod: string;
    /** The run's estimated length before it started (from the per-phase model of a reference results file). */
    estimatedMs?: number;
    /** The pulumi-resource-consul-mesh plugin used for (e), when there is one. */
    plugin?: string;
    /** The pulumi-resource-consul binary used for (c), when there is one. */
    bridgedPlugin?: string;
    unavailable: Partial<Record<VariantId, string>>;
    runs: RunResult[];
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
const line = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** The runs of a variant at a size that did not fail. */
export function runsOf(results: BenchResults, v: VariantId, d: number): RunResult[] {
    return results.runs.filter((r) => r.variant === v && r.d === d && !r.error);
}

/** Median and min–max of one figure over the runs of a variant at a size. */
export function figure(results: BenchResults, v: VariantId, d: number, f: (r: RunResult) => number | undefined): Summary | undefined {
    return summarize(runsOf(results, v, d).map(f));
}

const wallOf = (p: Phase) => (r: RunResult) => r.phases[p]?.wallMs;
const peakMb = (r: RunResult) => {
    const peak = Math.max(0, ...Object.values(r.phases).map((x) => x?.peakProviderKb ?? 0));
    return peak ? peak / 1024 : undefined;
};

/** The ratio of medians of a phase's wall time, x over y, at size d (with its spread). */
export function phaseRatio(results: BenchResults, x: VariantId, y: VariantId, d: number, p: Phase): Ratio | undefined {
    return ratioOfMedians(figure(results, x, d, wallOf(p)), figure(results, y, d, wallOf(p)));
}

/** Config-entry writes per destination (`bench-dest-*`) in a phase: the mean over destinations and the most any one got. */
export function writesPerDestination(run: RunResult, p: Phase): { mean: number; max: number } | undefined {
    const w = run.phases[p]?.requests.writesByEntry;
    if (!w) return undefined;
    const counts = Object.entries(w)
        .filter(([name]) => name.startsWith("bench-dest-"))
        .map(([, n]) => n);
    const total = counts.reduce((a, n) => a + n, 0);
    return { mean: total / run.d, max: Math.max(0, ...counts) };
}

const RATIO_COLUMNS: Array<[string, VariantId, VariantId]> = [
    ["(a)/(d)", "a", "d"],
    ["(e)/(c)", "e", "c"],
    ["(a)/(c)", "a", "c"],
    ["(e)/(d)", "e", "d"],
    ["(b)/(d10)", "b", "d10"],
];

/** The markdown tables of one results file: medians with min–max, ratios of medians with their spread, growth and targets. */
export function renderMarkdown(results: BenchResults): string {
    const out: string[] = [];
    const repeats = results.options.repeats ?? 1;
    const growthRepeats = results.options.growthRepeats;
    out.push(
        repeats > 1
            ? `Each figure is the median over the runs of its variant and size (${repeats} at the sizes where a ratio is taken` +
                  `${growthRepeats !== undefined && growthRepeats !== repeats ? `, ${growthRepeats} at the sizes only the growth variants run at` : ""}), ` +
                  `min–max in brackets${results.options.warmup ? ", after a warm-up pass that is not reported" : ""}; ` +
                  "each pass runs the variants in an order rotated by one. A ratio is the ratio of the medians; its brackets are " +
                  "the smallest and largest ratio the samples allow."
            : "One run per figure (no spread).",
        "",
    );
    for (const d of results.options.sizes) {
        const cols = VARIANT_IDS.filter((v) => results.options.variants.includes(v) && !results.unavailable[v]).filter((v) =>
            results.runs.some((r) => r.variant === v && r.d === d),
        );
        if (!cols.length) continue;
        const has = (v: VariantId) => runsOf(results, v, d).length > 0;
        out.push(`#### D = ${d} (${d * 10} pairs: ${d} ServiceIntentions / ${d * 10} Intentions)`, "");
        const ratios = RATIO_COLUMNS.filter(([, x, y]) => has(x) && has(y));
        out.push(line(["phase", ...cols.map((v) => `${VARIANT_LABELS[v]} s`), ...ratios.map(([l]) => l)]));
        out.push(line(["---", ...cols.map(() => "---:"), ...ratios.map(() => "---:")]));
        for (const p of PHASES) {
            const cells = cols.map((v) => (has(v) ? formatSummary(figure(results, v, d, wallOf(p)), secs) : "failed"));
            out.push(line([p, ...cells, ...ratios.map(([, x, y]) => formatRatio(phaseRatio(results, x, y, d, p)))]));
        }
        const consulCols = cols.filter((v) => CONSUL_VARIANTS.includes(v));
        if (consulCols.length) {
            out.push("", "HTTP requests received by Consul (through the counting proxy), by method in the first run:", "");
            out.push(line(["phase", ...consulCols.map((v) => VARIANT_LABELS[v])]));
            out.push(line(["---", ...consulCols.map(() => "---:")]));
            for (const p of PHASES) {
                out.push(
                    line([
                        p,
                        ...consulCols.map((v) => {
                            const total = formatSummary(
                                figure(results, v, d, (r) => r.phases[p]?.requests.total),
                                (x) => String(x),
                            );
                            const first = runsOf(results, v, d)[0]?.phases[p]?.requests.byMethod ?? {};
                            const methods = Object.entries(first)
                                .sort(([a], [b]) => a.localeCompare(b))
                                .map(([m, n]) => `${n} ${m}`);
                            return methods.length ? `${total} (${methods.join(", ")})` : total;
                        }),
                    ]),
                );
            }
        }
        const pairCols = cols.filter((v) => v === "b" || v === "bi" || v === "f");
        if (pairCols.some((v) => runsOf(results, v, d).some((r) => r.phases.up?.requests.writesByEntry))) {
            out.push(
                "",
                "Config-entry writes (PUT /v1/config, DELETE /v1/config/…) per destination: the mean over the destinations; the most any one destination got:",
                "",
            );
            out.push(line(["phase", ...pairCols.map((v) => VARIANT_LABELS[v])]));
            out.push(line(["---", ...pairCols.map(() => "---:")]));
            for (const p of ["up", "up-change", "destroy"] as const) {
                out.push(
                    line([
                        p,
                        ...pairCols.map((v) => {
                            const mean = figure(results, v, d, (r) => writesPerDestination(r, p)?.mean);
                            const max = figure(results, v, d, (r) => writesPerDestination(r, p)?.max);
                            return mean ? `${formatSummary(mean, (x) => x.toFixed(2))}; most ${formatSummary(max, String)}` : "–";
                        }),
                    ]),
                );
            }
        }
        out.push("", "State and provider memory:", "");
        out.push(line(["", ...cols.map((v) => VARIANT_LABELS[v])]));
        out.push(line(["---", ...cols.map(() => "---:")]));
        const row = (label: string, f: (v: VariantId) => string) => out.push(line([label, ...cols.map((v) => (has(v) ? f(v) : "failed"))]));
        const bytes = (g: (r: RunResult) => number | undefined) => (v: VariantId) =>
            formatSummary(figure(results, v, d, g), (x) => String(Math.round(x)));
        row("resources", (v) => String(runsOf(results, v, d)[0].resources));
        row(
            "state bytes / resource (whole stack export)",
            bytes((r) => r.stateBytesPerResource),
        );
        row(
            "provider's own bytes / resource (inputs + outputs)",
            bytes((r) => r.ownBytesPerResource),
        );
        row(
            "Pulumi's bytes / resource (URN, parent, timestamps, stack trace, …)",
            bytes((r) => r.pulumiBytesPerResource),
        );
        row(
            "serialised provider bytes (`__provider`)",
            bytes((r) => r.providerTextBytes),
        );
        row("peak provider RSS MB (max over phases)", (v) => formatSummary(figure(results, v, d, peakMb), (x) => x.toFixed(0)));
        out.push("");
    }
    out.push(...renderGrowth(results), "");
    out.push(...renderTargets(results), "");
    for (const [v, reason] of Object.entries(results.unavailable))
        out.push(`${VARIANT_LABELS[v as VariantId]} not available: ${reason}`, "");
    for (const r of results.runs.filter((x) => x.error))
        out.push(`${VARIANT_LABELS[r.variant]} D=${r.d} (pass ${(r.repeat ?? 0) + 1}) FAILED: ${r.error!.split("\n")[0]}`, "");
    if (results.bridgedPlugin) out.push(`(c) plugin: ${results.bridgedPlugin}`, "");
    if (results.plugin) out.push(`(e) plugin: ${results.plugin}`, "");
    const estimate = results.estimatedMs === undefined ? "" : ` (estimated ${(results.estimatedMs / 60000).toFixed(1)} min)`;
    out.push(
        `Machine: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memMb} MB; node ${results.machine.node}, ` +
            `pulumi ${results.machine.pulumi}, consul ${results.machine.consul}; --parallel ${results.options.parallel ?? "default (8)"}; ` +
            `programs ${results.options.typecheck ? "type-checked" : "transpiled only (PULUMI_NODEJS_TRANSPILE_ONLY)"}; ` +
            `load average ${results.machine.loadAverageAtStart.join("/")} at start, ${results.machine.loadAverageAtEnd.join("/")} at end; ` +
            `total run ${(results.totalMs / 60000).toFixed(1)} min${estimate}.`,
    );
    return out.join("\n");
}

/**
 * Per variant with runs at two sizes or more: time and memory per resource, as the least-squares
 * slope (every run a point, so the repeats weigh in) with its R², and the median per resource at
 * each size.
 */
export function renderGrowth(results: BenchResults): string[] {
    const variants = VARIANT_IDS.filter((v) => new Set(results.runs.filter((r) => r.variant === v && !r.error).map((r) => r.d)).size >= 2);
    if (!variants.length) return [];
    const out = [
        "Growth per resource (least-squares slope over every run of the variant, each run one point; R² = how close to a line):",
        "",
        line([
            "variant",
            "sizes D",
            ...PHASES.map((p) => `${p} ms/resource (R²)`),
            "peak provider RSS MB/resource (R²)",
            "peak RSS MB, smallest → largest D",
        ]),
        line(["---", "---", ...PHASES.map(() => "---:"), "---:", "---"]),
    ];
    for (const v of variants) {
        const runs = results.runs.filter((r) => r.variant === v && !r.error).sort((a, b) => a.resources - b.resources);
        const sizes = [...new Set(runs.map((r) => r.d))];
        const fit = (pts: Array<[number, number]>, digits: number) => {
            if (new Set(pts.map(([x]) => x)).size < 2) return "–";
            const f = linearFit(pts);
            return `${f.slope.toFixed(digits)} (${f.r2.toFixed(2)})`;
        };
        const cells = PHASES.map((p) =>
            fit(
                runs.flatMap((r): Array<[number, number]> => (r.phases[p] ? [[r.resources, r.phases[p].wallMs]] : [])),
                1,
            ),
        );
        const memPts = runs.flatMap((r): Array<[number, number]> => (peakMb(r) ? [[r.resources, peakMb(r)!]] : []));
        const span = `${formatSummary(figure(results, v, sizes[0], peakMb), (x) => x.toFixed(0))} → ${formatSummary(figure(results, v, sizes[sizes.length - 1], peakMb), (x) => x.toFixed(0))}`;
        out.push(line([VARIANT_LABELS[v], sizes.join(", "), ...cells, fit(memPts, 3), span]));
    }
    return out;
}

/** Issue 30's targets, each met or missed with its ratio of medians (and spread), from this results file alone. */
function renderTargets(results: BenchResults): string[] {
    const out = ["Targets (issue 30), from this run (ratios of medians):", ""];
    const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
    const sizesOf = (x: VariantId, y: VariantId) =>
        results.options.sizes.filter((d) => runsOf(results, x, d).length > 0 && runsOf(results, y, d).length > 0);
    const ratioTarget = (label: string, x: VariantId, y: VariantId, limit: number, only?: number[]) => {
        for (const d of sizesOf(x, y).filter((n) => !only || only.includes(n))) {
            const cells = PHASES.map((p) => ({ p, r: phaseRatio(results, x, y, d, p) })).filter((c) => c.r !== undefined);
            if (!cells.length) continue;
            const worst = Math.max(...cells.map((c) => c.r!.ratio));
            out.push(
                `- ${label} ≤ ${limit.toFixed(2)}x at D = ${d}: ${verdict(worst <= limit)} (${cells.map((c) => `${c.p} ${formatRatio(c.r)}`).join(", ")})`,
            );
        }
    };
    ratioTarget("(e)/(c)", "e", "c", 1.0, [50, 100]);
    ratioTarget("(a)/(d)", "a", "d", 1.05);
    ratioTarget("(b)/(d10)", "b", "d10", 1.1);
    for (const v of ["b", "bi", "f"] as const) {
        for (const d of results.options.sizes) {
            const runs = runsOf(results, v, d);
            if (!runs.length || !runs[0].phases.up?.requests.writesByEntry) continue;
            const w = (p: Phase) => formatSummary(summarize(runs.map((r) => writesPerDestination(r, p)?.mean)), (x) => x.toFixed(2));
            out.push(
                `- ${VARIANT_LABELS[v]} at D = ${d}, writes per destination: up ${w("up")}, up-change ${w("up-change")}, destroy ${w("destroy")}`,
            );
        }
    }
    const own = (v: VariantId) => summarize(results.runs.filter((r) => r.variant === v && !r.error).map((r) => r.ownBytesPerResource));
    const ownB = own("b");
    if (ownB)
        out.push(
            `- consul-mesh's own bytes per Intention (dynamic path; the ≤ 600 target is for the plugin path): ${formatSummary(ownB, (x) => String(Math.round(x)))}, ` +
                `Pulumi's part ${formatSummary(summarize(results.runs.filter((r) => r.variant === "b" && !r.error).map((r) => r.pulumiBytesPerResource)), (x) => String(Math.round(x)))}`,
        );
    const ownF = own("f");
    if (ownF)
        out.push(
            `- consul-mesh's own bytes per Intention on the plugin path ≤ 600: ${verdict(ownF.median <= 600)} (${formatSummary(ownF, (x) => String(Math.round(x)))}), ` +
                `Pulumi's part ${formatSummary(summarize(results.runs.filter((r) => r.variant === "f" && !r.error).map((r) => r.pulumiBytesPerResource)), (x) => String(Math.round(x)))}`,
        );
    const ownE = own("e");
    if (ownE)
        out.push(
            `- consul-mesh's own bytes per ServiceIntentions on the plugin path: ${formatSummary(ownE, (x) => String(Math.round(x)))}`,
        );
    const minutes = results.totalMs / 60000;
    if (results.options.defaults) out.push(`- default run under 30 minutes: ${verdict(minutes < 30)} (${minutes.toFixed(1)} min)`);
    return out;
}
