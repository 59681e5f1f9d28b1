// `npx ts-node --transpile-only bench/calls.ts [--package DIR ...] [--calls N] [--rounds R]`: the
// CPU time of one provider call in process, without the engine: `check` (an update: old and new
// inputs, as in a preview) and `diff` of one ServiceIntentions (10 sources) and of one Intention,
// in microseconds per call. Each --package (a directory with consul-mesh's dist/, default this
// repo's build) runs in its own fresh node process, the packages taking turns for R rounds, so a
// before/after comparison runs under the same conditions; prints the median and min–max per package.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { formatSummary, summarize } from "./lib/stats";

const CHILD = String.raw`
const [dist, n] = [process.argv[1], Number(process.argv[2])];
const fs = require("node:fs");
const write = fs.writeSync;
fs.writeSync = (fd, ...rest) => (fd === 2 ? 0 : write(fd, ...rest)); // the policy-flip messages of check
const config = { config: new Map([["consul-mesh:address", "http://127.0.0.1:8500"]]) };
const sources = Array.from({ length: 10 }, (_, j) => ({ name: "bench-client-" + j, action: j === 0 ? "deny" : "allow" }));
const cases = {
    ServiceIntentions: [
        require(dist + "/provider/resources/service-intentions.js").serviceIntentionsProvider,
        { destination: "bench-dest-1", sources: sources.map((s) => ({ ...s, action: "allow" })), cluster: "http://127.0.0.1:8500" },
        { destination: "bench-dest-1", sources, __provider: "x" },
    ],
    Intention: [
        require(dist + "/provider/resources/intention.js").intentionProvider,
        { source: "bench-client-0", destination: "bench-dest-1", action: "allow", cluster: "http://127.0.0.1:8500" },
        { source: "bench-client-0", destination: "bench-dest-1", action: "deny", __provider: "x" },
    ],
};
(async () => {
    const out = {};
    for (const [kind, [p, olds, news]] of Object.entries(cases)) {
        await p.configure(config);
        for (let i = 0; i < 200; i++) { await p.check(olds, news); await p.diff("x", olds, news); }
        for (const call of ["check", "diff"]) {
            const t = process.hrtime.bigint();
            for (let i = 0; i < n; i++) await (call === "check" ? p.check(olds, news) : p.diff("x", olds, news));
            out[kind + " " + call] = Number(process.hrtime.bigint() - t) / 1e3 / n;
        }
    }
    console.log(JSON.stringify(out));
})();
`;

function main(): void {
    const argv = process.argv.slice(2);
    const packages: string[] = [];
    let calls = 1000;
    let rounds = 5;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--package") packages.push(path.resolve(argv[++i]));
        else if (argv[i] === "--calls") calls = Number(argv[++i]);
        else if (argv[i] === "--rounds") rounds = Number(argv[++i]);
        else throw new Error(`unknown argument ${argv[i]}`);
    }
    if (!packages.length) packages.push(path.resolve(__dirname, ".."));
    const samples = new Map<string, Map<string, number[]>>(packages.map((p) => [p, new Map()]));
    for (let r = 0; r < rounds; r++) {
        for (const pkg of packages) {
            // The package's dist resolves zod and undici from this repo's node_modules (NODE_PATH).
            const out = execFileSync(process.execPath, ["-e", CHILD, path.join(pkg, "dist"), String(calls)], {
                encoding: "utf8",
                env: { ...process.env, NODE_PATH: path.resolve(__dirname, "..", "node_modules") },
            });
            for (const [k, us] of Object.entries(JSON.parse(out) as Record<string, number>)) {
                const m = samples.get(pkg)!;
                m.set(k, [...(m.get(k) ?? []), us]);
            }
        }
    }
    const keys = [...samples.get(packages[0])!.keys()];
    console.log(`| µs per call (median, min–max of ${rounds} rounds of ${calls} calls) | ${packages.join(" | ")} |`);
    console.log(`|---|${packages.map(() => "---:").join("|")}|`);
    for (const k of keys)
        console.log(
            `| ${k} | ${packages.map((p) => formatSummary(summarize(samples.get(p)!.get(k) ?? []), (x) => x.toFixed(0))).join(" | ")} |`,
        );
}

main();
