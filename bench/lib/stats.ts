// The bench's statistics, pure functions over plain numbers: the median and spread (min–max) of a
// figure's repeated samples, a ratio of medians with the spread of the ratio, and a least-squares
// line with its R². No I/O; unit-tested in tests/unit/bench-stats.test.ts.

/** The median, min and max of a figure's samples, and how many there were. */
export interface Summary {
    median: number;
    min: number;
    max: number;
    n: number;
}

/** The median of `xs` (the mean of the middle two for an even count); NaN for no samples. */
export function median(xs: readonly number[]): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((x, y) => x - y);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median and min–max of `xs`, ignoring undefined and non-finite samples; undefined when none is left. */
export function summarize(xs: ReadonlyArray<number | undefined>): Summary | undefined {
    const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (ok.length === 0) return undefined;
    return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length };
}

/** A ratio of medians x/y, with its spread: the smallest (min x / max y) and largest (max x / min y) ratio the samples allow. */
export interface Ratio {
    ratio: number;
    low: number;
    high: number;
}

export function ratioOfMedians(x: Summary | undefined, y: Summary | undefined): Ratio | undefined {
    if (!x || !y || y.median === 0 || y.min <= 0) return undefined;
    return { ratio: x.median / y.median, low: x.min / y.max, high: x.max / y.min };
}

/** Least-squares line through (x, y): slope, intercept and R² (1 = on a line; 1 when y is constant). */
export function linearFit(points: ReadonlyArray<readonly [number, number]>): { slope: number; intercept: number; r2: number } {
    const n = points.length;
    if (n === 0) return { slope: NaN, intercept: NaN, r2: NaN };
    const mx = points.reduce((a, [x]) => a + x, 0) / n;
    const my = points.reduce((a, [, y]) => a + y, 0) / n;
    const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
    const syy = points.reduce((a, [, y]) => a + (y - my) ** 2, 0);
    const slope = sxx === 0 ? 0 : sxy / sxx;
    const intercept = my - slope * mx;
    const r2 = syy === 0 ? 1 : sxx === 0 ? 0 : (sxy * sxy) / (sxx * syy);
    return { slope, intercept, r2 };
}

/** Variant order of repeat `r` (0-based): the list rotated left by r, so each variant takes each position in turn. */
export function rotated<T>(items: readonly T[], r: number): T[] {
    if (items.length === 0) return [];
    const k = ((r % items.length) + items.length) % items.length;
    return [...items.slice(k), ...items.slice(0, k)];
}

/** "5.9 (5.7–6.3)": a summary as median (min–max), each through `fmt`; the range left out for one sample. */
export function formatSummary(s: Summary | undefined, fmt: (x: number) => string): string {
    if (!s) return "–";
    return s.n > 1 && s.min !== s.max ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median);
}

/** "1.04x (0.98–1.10)": a ratio of medians with its spread. */
export function formatRatio(r: Ratio | undefined): string {
    if (!r) return "–";
    return r.low === r.high ? `${r.ratio.toFixed(2)}x` : `${r.ratio.toFixed(2)}x (${r.low.toFixed(2)}–${r.high.toFixed(2)})`;
}
