// How long a bench plan will take, from the per-phase times of an earlier results file: for each
// variant and phase, the least-squares line of wall time against the number of resources over that
// file's runs, evaluated at the planned size; plus a fixed per-run cost outside the timed phases
// (stack init, stack export, the Consul checks). A variant the reference lacks borrows a similar
// one's line: (e) takes (c)'s, (bi) and (f) take (b)'s.
import { PHASES, type BenchResults, type Phase, type VariantId } from "./report";
import { linearFit } from "./stats";

/** Per-run cost outside the timed phases, when the reference file does not record it. */
export const DEFAULT_RUN_OVERHEAD_MS = 4000;

const STAND_INS: Partial<Record<VariantId, VariantId>> = { e: "c", bi: "b", f: "b" };

export interface PlannedRunLike {
    variant: VariantId;
    /** Number of resources of the run. */
    resources: number;
    /** A warm-up run times only up and destroy. */
    warmup: boolean;
}

/** Estimated wall time (ms) of one phase of `variant` with `resources` resources, or undefined without reference data. */
export function phaseEstimateMs(reference: BenchResults, variant: VariantId, phase: Phase, resources: number): number | undefined {
    const ref = reference.runs.some((r) => r.variant === variant && !r.error) ? variant : STAND_INS[variant];
    if (!ref) return undefined;
    const pts = reference.runs
        .filter((r) => r.variant === ref && !r.error && r.phases[phase])
        .map((r): [number, number] => [r.resources, r.phases[phase]!.wallMs]);
    if (!pts.length) return undefined;
    if (new Set(pts.map(([x]) => x)).size < 2) return pts.reduce((a, [, y]) => a + y, 0) / pts.length;
    const f = linearFit(pts);
    // Never below the smallest measured time: a line fitted to noisy points can dip under it at small sizes.
    return Math.max(Math.min(...pts.map(([, y]) => y)) * 0.5, f.intercept + f.slope * resources);
}

/** Estimated total (ms) of a plan; `unknown` lists the variants without reference data (counted at the per-run overhead only). */
export function estimatePlanMs(reference: BenchResults, plan: readonly PlannedRunLike[]): { ms: number; unknown: VariantId[] } {
    const overheads = reference.runs.map((r) => r.overheadMs).filter((x): x is number => x !== undefined);
    const overhead = overheads.length ? overheads.reduce((a, x) => a + x, 0) / overheads.length : DEFAULT_RUN_OVERHEAD_MS;
    const unknown = new Set<VariantId>();
    let ms = 0;
    for (const run of plan) {
        ms += overhead;
        const times = (run.warmup ? (["up", "destroy"] as const) : PHASES).map((p) =>
            phaseEstimateMs(reference, run.variant, p, run.resources),
        );
        if (times.every((t) => t === undefined)) unknown.add(run.variant);
        // A phase the reference did not time counts as nothing.
        ms += times.reduce((a: number, t) => a + (t ?? 0), 0);
    }
    return { ms, unknown: [...unknown] };
}
