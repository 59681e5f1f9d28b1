import { strict as assert } from "node:assert";
import { estimatePlanMs, phaseEstimateMs } from "../../bench/lib/estimate";
import { writesPerDestination, type BenchResults, type RunResult } from "../../bench/lib/report";
import { planRuns, stateSplit } from "../../bench/run";

// The bench's plan (warm-up, passes in rotated order, which sizes get how many passes), its time
// estimate, the split of a resource's state bytes, and the writes per destination.
const defaults = {
    sizes: [10, 50, 100, 200],
    growthSizes: [10, 50, 100, 200],
    floorSizes: [50, 100],
    pairSizes: [50],
    repeats: 3,
    growthRepeats: 1,
    warmup: true,
};

describe("bench plan", () => {
    it("warms up every variant at the smallest size, then rotates the variant order on each pass", () => {
        const plan = planRuns({ ...defaults, sizes: [10], growthSizes: [10], floorSizes: [10], pairSizes: [10] }, ["a", "c", "d"]);
        assert.deepEqual(
            plan.map((r) => `${r.warmup ? "w" : r.repeat}:${r.variant}${r.d}`),
            ["w:a10", "w:c10", "w:d10", "0:a10", "0:c10", "0:d10", "1:c10", "1:d10", "1:a10", "2:d10", "2:a10", "2:c10"],
        );
    });

    it("repeats the sizes where a ratio is taken, runs growth-only sizes once, and (bi) in the first pass only", () => {
        const plan = planRuns(defaults, ["a", "c", "d", "b", "bi", "d10"]).filter((r) => !r.warmup);
        const count = (v: string, d: number) => plan.filter((r) => r.variant === v && r.d === d).length;
        assert.equal(count("a", 10), 1);
        assert.equal(count("a", 200), 1);
        assert.equal(count("a", 50), 3);
        assert.equal(count("c", 100), 3);
        assert.equal(count("d", 100), 3);
        assert.equal(count("d", 10), 0);
        assert.equal(count("b", 50), 3);
        assert.equal(count("d10", 50), 3);
        assert.equal(count("bi", 50), 1);
        assert.equal(count("b", 100), 0);
        // Within a pass, sizes go from small to large.
        const firstPass = plan.filter((r) => r.repeat === 0).map((r) => r.d);
        assert.deepEqual(
            firstPass,
            [...firstPass].sort((x, y) => x - y),
        );
    });

    it("estimates a plan from a reference file's per-phase lines, with stand-ins for variants it lacks", () => {
        const phases = (ms: number) => ({
            up: { wallMs: ms, requests: { total: 0, byMethod: {}, byEndpoint: {} }, providerProcesses: 1 },
            destroy: { wallMs: ms / 2, requests: { total: 0, byMethod: {}, byEndpoint: {} }, providerProcesses: 1 },
        });
        const runs: RunResult[] = [
            { variant: "c", d: 10, resources: 10, phases: phases(2000), overheadMs: 1000 },
            { variant: "c", d: 50, resources: 50, phases: phases(6000), overheadMs: 3000 },
        ];
        const reference = { runs } as BenchResults;
        assert.equal(phaseEstimateMs(reference, "c", "up", 100), 11000);
        // (e) borrows (c)'s line; nothing stands in for (d).
        assert.equal(phaseEstimateMs(reference, "e", "up", 100), 11000);
        assert.equal(phaseEstimateMs(reference, "d", "up", 100), undefined);
        const { ms, unknown } = estimatePlanMs(reference, [
            { variant: "e", resources: 100, warmup: false },
            { variant: "c", resources: 10, warmup: true },
            { variant: "d", resources: 10, warmup: false },
        ]);
        // overhead 2000 per run; (e): up 11000 + destroy 5500; warm-up (c): up 2000 + destroy 1000.
        assert.equal(ms, 3 * 2000 + 16500 + 3000);
        assert.deepEqual(unknown, ["d"]);
    });
});

describe("bench state and writes", () => {
    it("splits a resource's bytes into the provider's own (inputs + outputs) and Pulumi's", () => {
        const resource = {
            urn: "urn:pulumi:bench::p::t::n",
            type: "t",
            inputs: { a: 1 },
            outputs: { a: 1, b: "x" },
            created: "2026-12-06T05:00:00Z",
        };
        const bytes = (k: string, v: unknown) => Buffer.byteLength(JSON.stringify({ [k]: v }, null, 4)) - 4;
        const { own, pulumi } = stateSplit(resource);
        assert.equal(own, bytes("inputs", resource.inputs) + bytes("outputs", resource.outputs));
        assert.equal(pulumi, bytes("urn", resource.urn) + bytes("type", resource.type) + bytes("created", resource.created));
    });

    it("counts config-entry writes per destination: the mean over the D destinations and the most to one", () => {
        const run: RunResult = {
            variant: "b",
            d: 2,
            resources: 20,
            phases: {
                up: {
                    wallMs: 1,
                    requests: { total: 5, byMethod: {}, byEndpoint: {}, writesByEntry: { "bench-dest-0": 1, "bench-dest-1": 3, other: 7 } },
                    providerProcesses: 1,
                },
            },
        };
        assert.deepEqual(writesPerDestination(run, "up"), { mean: 2, max: 3 });
        assert.equal(writesPerDestination(run, "destroy"), undefined);
    });
});
