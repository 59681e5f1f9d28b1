// The chart of one results file, drawn by charting libraries: a Vega-Lite spec (chartSpec, plain
// data) compiled by vega-lite, rendered headless by vega to SVG (renderer "none" and toSVG: no
// browser, no canvas), and the SVG rasterised to PNG by resvg with the machine's fonts.
// One row per size D: wall time per phase (one bar per variant) and Consul requests per phase (the
// Consul variants). A bar is the median of the runs of its variant and size; when there are
// several runs, a rule over the bar shows their spread (min–max).
import { Resvg } from "@resvg/resvg-js";
import type * as Vega from "vega" with { "resolution-mode": "import" };
import type * as VegaLite from "vega-lite" with { "resolution-mode": "import" };
import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import {
    CONSUL_VARIANTS,
    PHASES,
    VARIANT_IDS,
    VARIANT_LABELS,
    type BenchResults,
    type Phase,
    type RunResult,
    type VariantId,
} from "./report";
import { median } from "./stats";

/** One bar: a (size, variant, phase, metric) cell over every successful run of that variant and size. */
export interface ChartRow {
    d: number;
    phase: Phase;
    variant: string;
    metric: Metric;
    /** Median over the runs. */
    value: number;
    min: number;
    max: number;
    samples: number;
}

type Metric = "wall" | "requests";

/** A layered view, as TopLevelSpec's vconcat members type it (vega-lite exports no name for it). */
type LayerView = Extract<Extract<TopLevelSpec, { vconcat: unknown }>["vconcat"][number], { layer: unknown }>;

const METRICS: Record<Metric, { title: string; axis: string; variants: readonly VariantId[] }> = {
    wall: { title: "wall time", axis: "seconds", variants: VARIANT_IDS },
    requests: { title: "Consul HTTP requests", axis: "requests", variants: VARIANT_IDS.filter((v) => CONSUL_VARIANTS.includes(v)) },
};

const COLORS: Record<VariantId, string> = {
    a: "#1f77b4",
    b: "#ff7f0e",
    bi: "#e377c2",
    c: "#2ca02c",
    d: "#9467bd",
    d10: "#8c564b",
    e: "#17becf",
    f: "#bcbd22",
};

/**
 * The font of every label: resvg finds DejaVu Sans among the system fonts (it ships with most Linux
 * images); a viewer of the SVG without it falls back to its sans-serif.
 */
const FONT = "DejaVu Sans, Verdana, sans-serif";
const PNG_FONT = "DejaVu Sans";

function measure(run: RunResult, phase: Phase, metric: Metric): number | undefined {
    const p = run.phases[phase];
    if (!p) return undefined;
    return metric === "wall" ? p.wallMs / 1000 : p.requests.total;
}

/** The chart's data: one row per bar, from every run that did not fail. */
export function chartRows(results: BenchResults): ChartRow[] {
    const rows: ChartRow[] = [];
    for (const d of results.options.sizes) {
        for (const variant of results.options.variants) {
            if (results.unavailable[variant]) continue;
            const runs = results.runs.filter((r) => r.variant === variant && r.d === d && !r.error);
            for (const metric of Object.keys(METRICS) as Metric[]) {
                if (!METRICS[metric].variants.includes(variant)) continue;
                for (const phase of PHASES) {
                    const xs = runs.map((r) => measure(r, phase, metric)).filter((x): x is number => x !== undefined);
                    if (xs.length === 0) continue;
                    rows.push({
                        d,
                        phase,
                        variant: VARIANT_LABELS[variant],
                        metric,
                        value: median(xs),
                        min: Math.min(...xs),
                        max: Math.max(...xs),
                        samples: xs.length,
                    });
                }
            }
        }
    }
    return rows;
}

/** One point of the growth panels: a variant at a size, over its runs (median and min–max). */
export interface GrowthRow {
    d: number;
    variant: string;
    metric: "time" | "memory";
    value: number;
    min: number;
    max: number;
}

/**
 * The growth panels' data, for the variants run at two sizes or more: wall time of the five phases
 * together per resource (ms), and the provider's peak memory (MB), each against D.
 */
export function growthRows(results: BenchResults): GrowthRow[] {
    const rows: GrowthRow[] = [];
    for (const variant of results.options.variants) {
        if (results.unavailable[variant]) continue;
        const runs = results.runs.filter((r) => r.variant === variant && !r.error);
        const sizes = [...new Set(runs.map((r) => r.d))].sort((x, y) => x - y);
        if (sizes.length < 2) continue;
        for (const d of sizes) {
            const at = runs.filter((r) => r.d === d);
            const time = at.map((r) => PHASES.reduce((a, p) => a + (r.phases[p]?.wallMs ?? 0), 0) / r.resources);
            const memory = at
                .map((r) => Math.max(0, ...Object.values(r.phases).map((x) => x?.peakProviderKb ?? 0)) / 1024)
                .filter((x) => x > 0);
            for (const [metric, xs] of [
                ["time", time],
                ["memory", memory],
            ] as const) {
                if (!xs.length) continue;
                rows.push({ d, variant: VARIANT_LABELS[variant], metric, value: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
            }
        }
    }
    return rows;
}

/** The Vega-Lite spec of the chart of a results file (data inline). */
export function chartSpec(results: BenchResults): TopLevelSpec {
    const rows = chartRows(results);
    const shown = results.options.variants.filter((v) => !results.unavailable[v]);
    const most = Math.max(1, ...rows.map((r) => r.samples));
    // One color scale for every panel (concatenated views share it), so one legend.
    const colorDomain = shown.map((v) => VARIANT_LABELS[v]);
    const colorRange = shown.map((v) => COLORS[v]);
    const panel = (d: number, metric: Metric): LayerView => {
        // Only the variants that ran at this size (the pair variants run at fewer sizes than the growth ones).
        const here = new Set(rows.filter((r) => r.d === d && r.metric === metric).map((r) => r.variant));
        const variants = METRICS[metric].variants
            .filter((v) => shown.includes(v))
            .map((v) => VARIANT_LABELS[v])
            .filter((l) => here.has(l));
        return {
            title: `D = ${d} (${d * 10} pairs): ${METRICS[metric].title}`,
            width: 420,
            height: 180,
            transform: [
                {
                    filter: {
                        and: [
                            { field: "d", equal: d },
                            { field: "metric", equal: metric },
                        ],
                    },
                },
            ],
            encoding: {
                x: { field: "phase", type: "nominal", sort: [...PHASES], title: "phase", axis: { labelAngle: 0 } },
                xOffset: { field: "variant", type: "nominal", sort: variants, scale: { domain: variants } },
            },
            layer: [
                {
                    mark: { type: "bar" },
                    encoding: {
                        y: { field: "value", type: "quantitative", title: METRICS[metric].axis },
                        color: {
                            field: "variant",
                            type: "nominal",
                            title: "variant",
                            scale: { domain: colorDomain, range: colorRange },
                            legend: { orient: "bottom", columns: 3, labelLimit: 0, columnPadding: 24 },
                        },
                    },
                },
                {
                    // The spread of the runs behind a bar (issue 30 asks for it); no rule for a single run.
                    name: `spread_${d}_${metric}`,
                    transform: [{ filter: "datum.samples > 1" }],
                    mark: { type: "rule", color: "#222222", strokeWidth: 1.5 },
                    encoding: { y: { field: "min", type: "quantitative" }, y2: { field: "max" } },
                },
            ],
            resolve: { scale: { xOffset: "independent" } },
        };
    };
    const growth = growthRows(results);
    const growthPanel = (metric: GrowthRow["metric"]): LayerView => ({
        title: metric === "time" ? "growth: wall time of the five phases per resource" : "growth: peak provider memory",
        width: 420,
        height: 180,
        data: { values: growth.filter((r) => r.metric === metric) },
        encoding: {
            x: { field: "d", type: "quantitative", title: "D (destinations)" },
            color: { field: "variant", type: "nominal", title: "variant", scale: { domain: colorDomain, range: colorRange } },
        },
        layer: [
            {
                mark: { type: "line", point: true },
                encoding: { y: { field: "value", type: "quantitative", title: metric === "time" ? "ms per resource" : "MB" } },
            },
            {
                name: `spread_growth_${metric}`,
                mark: { type: "rule", strokeWidth: 1.5 },
                encoding: { y: { field: "min", type: "quantitative" }, y2: { field: "max" } },
            },
        ],
    });
    const m = results.machine;
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: {
            text: "consul-mesh bench: wall time and Consul requests per phase",
            subtitle: [
                `${results.startedAt.slice(0, 16).replace("T", " ")} UTC · ${m.cpus} cores · Node ${m.node} · Pulumi ${m.pulumi} · ${m.consul.replace(/^(?!Consul)/, "Consul ")}`,
                most > 1 ? `bars: median of up to ${most} runs; lines: min–max` : "one run per bar",
            ],
            anchor: "start",
            offset: 12,
        },
        background: "white",
        padding: 12,
        data: { values: rows },
        vconcat: [
            ...results.options.sizes.map((d) => ({
                hconcat: [panel(d, "wall"), panel(d, "requests")],
                resolve: { scale: { xOffset: "independent" as const, y: "independent" as const } },
            })),
            ...(growth.length
                ? [{ hconcat: [growthPanel("time"), growthPanel("memory")], resolve: { scale: { y: "independent" as const } } }]
                : []),
        ],
        resolve: { scale: { xOffset: "independent", y: "independent" } },
        config: {
            font: FONT,
            view: { stroke: null },
            axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#e6e6e6" },
            title: { fontSize: 16, subtitleFontSize: 12 },
            header: { labelFontSize: 12 },
        },
    };
}

// vega-lite 6 is an ES module with a top-level await: require() cannot load it, and TypeScript turns
// `import()` into require() in CommonJS output. A Function body is not compiled, so its import() stays.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body, see above
const importModule = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;

/** The chart of a results file as SVG text and as PNG bytes (the SVG rasterised at 1.5 times its size, sharp on high-density screens). */
export async function renderChart(results: BenchResults): Promise<{ svg: string; png: Buffer }> {
    const [vl, vega] = await Promise.all([importModule<typeof VegaLite>("vega-lite"), importModule<typeof Vega>("vega")]);
    const view = new vega.View(vega.parse(vl.compile(chartSpec(results)).spec), { renderer: "none" });
    try {
        const svg = await view.toSVG();
        const png = new Resvg(svg, {
            fitTo: { mode: "zoom", value: 1.5 },
            font: { loadSystemFonts: true, defaultFontFamily: PNG_FONT },
        })
            .render()
            .asPng();
        return { svg, png };
    } finally {
        view.finalize();
    }
}
