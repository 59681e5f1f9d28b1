// `npm run bench:fleet [-- --sizes 2,3,4,5,6]` (default 2 to 6), or `-- --render <results json>`
//
// Deploys examples/fleet (PeeringMesh, full mesh, exports and a failover) over N local clusters
// (dc1..dcN, one dev agent each) with the real Pulumi CLI, and measures for each N: wall time of
// `up` and `destroy`, and the HTTP requests each cluster received (through one counting proxy per
// cluster). Fits wall time and requests against the number of pairs N(N-1)/2 (least squares, R²)
// and writes bench/results/fleet-<timestamp>.{json,md,svg}. Never part of `npm test`.
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddress, fleetNames, portOffset, startFleet, status, stopFleet, toolsDir } from "../scripts/lib/clusters";
import { CountingProxy } from "./lib/proxy";
import { linearFit } from "./lib/stats";
import { BenchStack } from "./lib/stack";

interface FleetRow {
    clusters: number;
    pairs: number;
    resources: number;
    upMs: number;
    destroyMs: number;
    /** Requests each cluster received during up, by cluster name. */
    upRequests: Record<string, number>;
    /** Requests each cluster received during destroy, by cluster name. */
    destroyRequests: Record<string, number>;
}

interface Fit {
    intercept: number;
    slope: number;
    r2: number;
}

const log = (m: string) => console.error(`[bench:fleet] ${m}`);

function sizesArg(): number[] {
    const i = process.argv.findIndex((a) => a === "--sizes" || a.startsWith("--sizes="));
    if (i < 0) return [2, 3, 4, 5, 6];
    const raw = process.argv[i] === "--sizes" ? process.argv[i + 1] : process.argv[i].slice("--sizes=".length);
    const sizes = (raw ?? "").split(",").map(Number);
    for (const n of sizes) fleetNames(n); // refuses sizes outside 1..6
    return sizes;
}

/** (x, y) points of the least-squares fit (bench/lib/stats.ts). */
const points = (xs: number[], ys: number[]): Array<[number, number]> => xs.map((x, i) => [x, ys[i]]);

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Polls every cluster until it holds N-1 ACTIVE peerings (bounded); throws naming the one that does not. */
async function assertFullMesh(names: string[]): Promise<void> {
    for (const name of names) {
        const deadline = Date.now() + 30_000;
        let states: string[] = [];
        while (Date.now() < deadline) {
            const res = await fetch(`${clusterAddress(name)}/v1/peerings`);
            states = ((await res.json()) as Array<{ State: string }>).map((p) => p.State);
            if (states.length === names.length - 1 && states.every((s) => s === "ACTIVE")) break;
            await new Promise((r) => setTimeout(r, 250));
        }
        if (states.length !== names.length - 1 || !states.every((s) => s === "ACTIVE")) {
            throw new Error(`${name}: expected ${names.length - 1} ACTIVE peerings, found ${states.join(", ") || "none"}`);
        }
    }
}

async function measure(n: number, tools: string): Promise<FleetRow> {
    const names = fleetNames(n);
    const proxies = new Map(names.map((name) => [name, new CountingProxy(clusterAddress(name))]));
    const fronts: Record<string, string> = {};
    for (const [name, proxy] of proxies) fronts[name] = `http://${await proxy.start()}`;
    // Transpile-only, as `npm run bench` by default: the type-check costs the same whatever N is.
    const stack = new BenchStack(path.resolve(__dirname, "..", "examples", "fleet"), tools, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
    try {
        await stack.init({ clusters: JSON.stringify(fronts) });
        for (const proxy of proxies.values()) proxy.take();
        const up = await stack.run(["up", "--yes", "--skip-preview"]);
        const upRequests = Object.fromEntries([...proxies].map(([name, p]) => [name, p.take().total]));
        await assertFullMesh(names);
        const resources = Number(/(\d+) created/.exec(up.stdout)?.[1] ?? 0);
        const destroy = await stack.run(["destroy", "--yes", "--skip-preview"]);
        const destroyRequests = Object.fromEntries([...proxies].map(([name, p]) => [name, p.take().total]));
        const row = {
            clusters: n,
            pairs: (n * (n - 1)) / 2,
            resources,
            upMs: up.wallMs,
            destroyMs: destroy.wallMs,
            upRequests,
            destroyRequests,
        };
        log(
            `N=${n}: up ${(up.wallMs / 1000).toFixed(1)} s, destroy ${(destroy.wallMs / 1000).toFixed(1)} s, requests ${total(upRequests)} + ${total(destroyRequests)}`,
        );
        return row;
    } finally {
        for (const proxy of proxies.values()) await proxy.stop();
        stack.cleanup();
    }
}

function markdown(rows: FleetRow[], fits: Record<string, Fit>): string {
    const perCluster = (c: Record<string, number>) => {
        const v = Object.values(c);
        return `${Math.min(...v)}-${Math.max(...v)} (mean ${(total(c) / v.length).toFixed(1)})`;
    };
    const lines = [
        "| N | pairs | resources (with stack and component) | up (s) | destroy (s) | requests per cluster, up | requests per cluster, destroy | requests, all clusters |",
        "|---|---|---|---|---|---|---|---|",
        ...rows.map(
            (r) =>
                `| ${r.clusters} | ${r.pairs} | ${r.resources} | ${(r.upMs / 1000).toFixed(1)} | ${(r.destroyMs / 1000).toFixed(1)} | ` +
                `${perCluster(r.upRequests)} | ${perCluster(r.destroyRequests)} | ${total(r.upRequests) + total(r.destroyRequests)} |`,
        ),
        "",
        "Fits against the number of pairs P = N(N-1)/2 (least squares):",
        "",
        ...Object.entries(fits).map(
            ([what, f]) => `- ${what} = ${f.intercept.toFixed(2)} + ${f.slope.toFixed(2)} × P, R² = ${f.r2.toFixed(3)}`,
        ),
    ];
    return lines.join("\n") + "\n";
}

/** A small SVG line chart: up and destroy wall time (s) against pairs, with the fitted lines. */
function svgChart(rows: FleetRow[], fits: Record<string, Fit>): string {
    const w = 640;
    const h = 400;
    const pad = 60;
    const maxP = Math.max(...rows.map((r) => r.pairs));
    const maxS = Math.max(...rows.map((r) => Math.max(r.upMs, r.destroyMs))) / 1000;
    const x = (p: number) => pad + (p / maxP) * (w - 2 * pad);
    const y = (s: number) => h - pad - (s / (maxS * 1.1)) * (h - 2 * pad);
    const series = [
        { label: "up", color: "#1f77b4", value: (r: FleetRow) => r.upMs / 1000, fit: fits["up wall time (s)"] },
        { label: "destroy", color: "#ff7f0e", value: (r: FleetRow) => r.destroyMs / 1000, fit: fits["destroy wall time (s)"] },
    ];
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
        `<rect width="${w}" height="${h}" fill="white"/>`,
        `<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#333"/>`,
        `<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#333"/>`,
        `<text x="${w / 2}" y="${h - 20}" text-anchor="middle">pairs (N clusters in full mesh: N(N-1)/2)</text>`,
        `<text x="15" y="${h / 2}" transform="rotate(-90 15 ${h / 2})" text-anchor="middle">wall time (s)</text>`,
        `<text x="${w / 2}" y="25" text-anchor="middle" font-size="14">PeeringMesh: up and destroy against pairs</text>`,
        ...rows.map((r) => `<text x="${x(r.pairs)}" y="${h - pad + 15}" text-anchor="middle">${r.pairs}</text>`),
        ...[0, 1, 2, 3, 4, 5].map((i) => {
            const s = ((maxS * 1.1) / 5) * i;
            return `<text x="${pad - 8}" y="${y(s) + 4}" text-anchor="end">${s.toFixed(1)}</text><line x1="${pad}" y1="${y(s)}" x2="${w - pad}" y2="${y(s)}" stroke="#ddd"/>`;
        }),
    ];
    for (const s of series) {
        parts.push(
            `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${rows.map((r) => `${x(r.pairs)},${y(s.value(r))}`).join(" ")}"/>`,
            ...rows.map((r) => `<circle cx="${x(r.pairs)}" cy="${y(s.value(r))}" r="3" fill="${s.color}"/>`),
            `<line x1="${x(0)}" y1="${y(s.fit.intercept)}" x2="${x(maxP)}" y2="${y(s.fit.intercept + s.fit.slope * maxP)}" stroke="${s.color}" stroke-dasharray="4 4"/>`,
        );
    }
    series.forEach((s, i) =>
        parts.push(
            `<text x="${pad + 10}" y="${pad + 15 * (i + 1)}" fill="${s.color}">${s.label}: ${s.fit.intercept.toFixed(1)} + ${s.fit.slope.toFixed(2)}·P s (R² ${s.fit.r2.toFixed(2)})</text>`,
        ),
    );
    parts.push("</svg>");
    return parts.join("\n") + "\n";
}

/** `--render bench/results/fleet-<stamp>.json`: writes the .md and .svg of an earlier run again. */
function render(file: string): void {
    const { rows, fits } = JSON.parse(fs.readFileSync(file, "utf8")) as { rows: FleetRow[]; fits: Record<string, Fit> };
    const base = file.replace(/\.json$/, "");
    fs.writeFileSync(`${base}.md`, markdown(rows, fits));
    fs.writeFileSync(`${base}.svg`, svgChart(rows, fits));
}

async function main(): Promise<void> {
    const renderAt = process.argv.indexOf("--render");
    if (renderAt >= 0) return render(process.argv[renderAt + 1]);
    const sizes = sizesArg();
    const tools = toolsDir();
    const names = fleetNames(Math.max(...sizes));
    const wasRunning = names.filter((n) => status(n).running);
    log(`port offset ${portOffset()}; starting ${names.join(", ")}`);
    await startFleet(names, { log });
    const rows: FleetRow[] = [];
    try {
        for (const n of sizes) rows.push(await measure(n, tools));
    } finally {
        await stopFleet(
            names.filter((n) => !wasRunning.includes(n)),
            { log },
        );
    }
    const pairs = rows.map((r) => r.pairs);
    const fits: Record<string, Fit> = {
        "up wall time (s)": linearFit(
            points(
                pairs,
                rows.map((r) => r.upMs / 1000),
            ),
        ),
        "destroy wall time (s)": linearFit(
            points(
                pairs,
                rows.map((r) => r.destroyMs / 1000),
            ),
        ),
        "requests during up, all clusters": linearFit(
            points(
                pairs,
                rows.map((r) => total(r.upRequests)),
            ),
        ),
        "requests during destroy, all clusters": linearFit(
            points(
                pairs,
                rows.map((r) => total(r.destroyRequests)),
            ),
        ),
    };
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const dir = path.resolve(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    const md = markdown(rows, fits);
    fs.writeFileSync(path.join(dir, `fleet-${stamp}.json`), JSON.stringify({ rows, fits }, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, `fleet-${stamp}.md`), md);
    fs.writeFileSync(path.join(dir, `fleet-${stamp}.svg`), svgChart(rows, fits));
    process.stdout.write(md);
    log(`wrote bench/results/fleet-${stamp}.{json,md,svg}`);
}

if (require.main === module) {
    main().catch((err: Error) => {
        console.error(`[bench:fleet] ${err.message}`);
        process.exitCode = 1;
    });
}
