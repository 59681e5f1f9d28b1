import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { chartRows, chartSpec, growthRows, renderChart } from "../../bench/lib/chart";
import { VARIANT_LABELS, type BenchResults, type RunResult } from "../../bench/lib/report";

// The bench chart: the Vega-Lite spec carries the series and axes people read, several runs of one
// variant and size become a median bar with a min–max rule, and the headless rendering (vega to SVG,
// resvg to PNG) yields a real image with the labels in it.
const kept = path.resolve(__dirname, "..", "..", "bench", "results", "2026-12-03T18-48-36-255Z.json");
// JSON.parse gives any; the kept file is a results file by construction.
const results: BenchResults = JSON.parse(fs.readFileSync(kept, "utf8")) as BenchResults;

function run(variant: RunResult["variant"], d: number, upMs: number, upRequests: number): RunResult {
    const phase = (wallMs: number, total: number) => ({ wallMs, requests: { total, byMethod: {}, byEndpoint: {} }, providerProcesses: 1 });
    return { variant, d, resources: d, phases: { up: phase(upMs, upRequests), destroy: phase(1000, 10) } };
}

function sampled(): BenchResults {
    return {
        ...results,
        options: { ...results.options, sizes: [10], variants: ["a", "d"] },
        unavailable: {},
        runs: [
            run("a", 10, 3000, 21),
            run("a", 10, 5000, 21),
            run("a", 10, 4000, 23),
            run("d", 10, 2000, 0),
            { ...run("d", 10, 9000, 0), error: "boom" },
        ],
    };
}

/** Every string value in a spec, wherever it is nested (titles, field names, domains). */
function strings(x: unknown): string[] {
    if (typeof x === "string") return [x];
    if (Array.isArray(x)) return x.flatMap(strings);
    if (x && typeof x === "object") return Object.values(x).flatMap(strings);
    return [];
}

describe("bench chart", () => {
    it("has one wall-time and one request panel per size, then the growth panels, with titled axes and one series per variant", () => {
        const spec = chartSpec(results);
        assert.ok("vconcat" in spec);
        // One row per size, and one row of growth panels (every variant of the kept run has three sizes).
        assert.equal(spec.vconcat.length, results.options.sizes.length + 1);
        const text = strings(spec);
        for (const title of [
            "growth: wall time of the five phases per resource",
            "growth: peak provider memory",
            "D (destinations)",
            "ms per resource",
        ])
            assert.ok(text.includes(title), `growth panel text ${title}`);
        for (const d of results.options.sizes) {
            assert.ok(text.includes(`D = ${d} (${d * 10} pairs): wall time`), `wall panel for D=${d}`);
            assert.ok(text.includes(`D = ${d} (${d * 10} pairs): Consul HTTP requests`), `requests panel for D=${d}`);
        }
        for (const axis of ["phase", "seconds", "requests", "variant"]) assert.ok(text.includes(axis), `axis or legend title ${axis}`);
        for (const v of results.options.variants) assert.ok(text.includes(VARIANT_LABELS[v]), `series ${v}`);
        const rows = chartRows(results);
        // Every variant has a wall-time bar per phase and size; only the Consul variants have request bars.
        assert.equal(rows.filter((r) => r.metric === "wall").length, 5 * 5 * 3);
        assert.deepEqual(
            [...new Set(rows.filter((r) => r.metric === "requests").map((r) => r.variant))],
            ["a", "b", "c"].map((v) => VARIANT_LABELS[v as "a" | "b" | "c"]),
        );
    });

    it("plots growth per variant and size: the five phases' wall time per resource and the peak memory, median with min–max", () => {
        const rows = growthRows(results);
        const a10 = rows.find((r) => r.variant === VARIANT_LABELS.a && r.d === 10 && r.metric === "time");
        const run = results.runs.find((r) => r.variant === "a" && r.d === 10)!;
        const total = Object.values(run.phases).reduce((x, p) => x + (p?.wallMs ?? 0), 0);
        assert.equal(a10?.value, total / run.resources);
        assert.equal(new Set(rows.map((r) => r.d)).size, 3);
        assert.equal(growthRows(sampled()).length, 0, "no growth panel for a single size");
    });

    it("draws the median of several runs with their min–max spread, and skips failed runs", () => {
        const rows = chartRows(sampled());
        const up = rows.find((r) => r.variant === VARIANT_LABELS.a && r.phase === "up" && r.metric === "wall");
        assert.deepEqual(up && { value: up.value, min: up.min, max: up.max, samples: up.samples }, {
            value: 4,
            min: 3,
            max: 5,
            samples: 3,
        });
        const noop = rows.find((r) => r.variant === VARIANT_LABELS.d && r.phase === "up" && r.metric === "wall");
        assert.equal(noop?.samples, 1, "the failed run is left out");
        assert.ok(!rows.some((r) => r.variant === VARIANT_LABELS.d && r.metric === "requests"), "no request bars for the no-op variant");
        const text = strings(chartSpec(sampled()));
        assert.ok(text.includes("min") && text.includes("max"), "a rule layer spans min..max");
        assert.ok(
            text.some((t) => t.includes("median of up to 3 runs")),
            "the subtitle says what a bar is",
        );
    });

    it("renders headless to an SVG with the labels and a PNG of the same picture", async function () {
        this.timeout(30000);
        const { svg, png } = await renderChart(sampled());
        assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
        for (const label of ["consul-mesh bench", "wall time", "Consul HTTP requests", "up", "destroy", "seconds", VARIANT_LABELS.a])
            assert.ok(svg.includes(label), `SVG text ${label}`);
        // The bars, and the min–max rules of the two phases with three runs of (a).
        assert.equal((/class="mark-rect role-mark [^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1].match(/<path/g) ?? []).length, 4);
        assert.equal(
            (/class="mark-rule role-mark spread_10_wall_marks"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1].match(/<line/g) ?? []).length,
            2,
        );
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
        assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
        const width = png.readUInt32BE(16);
        const svgWidth = Number(/<svg[^>]*width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
        assert.equal(width, Math.round(svgWidth * 1.5), "PNG is the SVG at 1.5x");
    });
});
