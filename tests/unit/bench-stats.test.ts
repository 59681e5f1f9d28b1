import { strict as assert } from "node:assert";
import { formatRatio, formatSummary, linearFit, median, ratioOfMedians, rotated, summarize } from "../../bench/lib/stats";

// The bench's statistics: what every reported figure (median, min–max, ratio of medians, slope, R²) is computed by.
describe("bench statistics", () => {
    it("median of odd and even counts, unsorted input left as it was", () => {
        const xs = [5, 1, 3];
        assert.equal(median(xs), 3);
        assert.deepEqual(xs, [5, 1, 3]);
        assert.equal(median([4, 1, 3, 2]), 2.5);
        assert.equal(median([7]), 7);
        assert.ok(Number.isNaN(median([])));
    });

    it("summarize gives median and min–max, skipping missing samples", () => {
        assert.deepEqual(summarize([3000, undefined, 5000, 4000]), { median: 4000, min: 3000, max: 5000, n: 3 });
        assert.deepEqual(summarize([2, NaN]), { median: 2, min: 2, max: 2, n: 1 });
        assert.equal(summarize([undefined]), undefined);
        assert.equal(summarize([]), undefined);
    });

    it("a ratio is the ratio of medians, its spread the extreme ratios the samples allow", () => {
        const r = ratioOfMedians(summarize([10, 11, 12]), summarize([9, 10, 12]))!;
        assert.equal(r.ratio, 1.1);
        assert.equal(r.low, 10 / 12);
        assert.equal(r.high, 12 / 9);
        assert.equal(ratioOfMedians(summarize([1]), summarize([0])), undefined);
        assert.equal(ratioOfMedians(undefined, summarize([1])), undefined);
    });

    it("least-squares slope, intercept and R² of points on a line and off it", () => {
        const on = linearFit([
            [10, 120],
            [50, 520],
            [100, 1020],
            [200, 2020],
        ]);
        assert.ok(Math.abs(on.slope - 10) < 1e-9);
        assert.ok(Math.abs(on.intercept - 20) < 1e-9);
        assert.ok(Math.abs(on.r2 - 1) < 1e-12);
        // y = x with noise +1, -1, +1, -1: slope and R² by hand.
        const off = linearFit([
            [0, 1],
            [1, 0],
            [2, 3],
            [3, 2],
        ]);
        // mx 1.5, my 1.5, sxx 5, sxy 3, syy 5 -> slope 0.6, intercept 0.6, R² 9/25.
        assert.ok(Math.abs(off.slope - 0.6) < 1e-12);
        assert.ok(Math.abs(off.intercept - 0.6) < 1e-12);
        assert.ok(Math.abs(off.r2 - 0.36) < 1e-12);
        // Repeated x values (three samples per size) fit like any other points.
        const repeated = linearFit([
            [10, 9],
            [10, 11],
            [20, 19],
            [20, 21],
        ]);
        assert.ok(Math.abs(repeated.slope - 1) < 1e-12);
        // A constant y is on a line (R² 1); a single x gives no slope.
        assert.equal(
            linearFit([
                [1, 5],
                [2, 5],
            ]).r2,
            1,
        );
        assert.equal(
            linearFit([
                [3, 1],
                [3, 2],
            ]).slope,
            0,
        );
    });

    it("rotates the variant order per repeat so each variant takes each position", () => {
        const v = ["a", "b", "c"];
        assert.deepEqual(
            [0, 1, 2, 3].map((r) => rotated(v, r).join("")),
            ["abc", "bca", "cab", "abc"],
        );
        assert.deepEqual(rotated([], 2), []);
    });

    it("formats a summary as median (min–max) and a ratio with its spread", () => {
        const s = (x: number) => (x / 1000).toFixed(1);
        assert.equal(formatSummary(summarize([5900, 5700, 6300]), s), "5.9 (5.7–6.3)");
        assert.equal(formatSummary(summarize([5900]), s), "5.9");
        assert.equal(formatSummary(undefined, s), "–");
        assert.equal(formatRatio({ ratio: 1.04, low: 0.98, high: 1.1 }), "1.04x (0.98–1.10)");
        assert.equal(formatRatio(undefined), "–");
    });
});
