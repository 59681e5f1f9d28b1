// Go-style durations ("72h", "1h30m", "1.5h", "4320m"), as Consul parses them with time.ParseDuration.
// Values are kept as bigint nanoseconds: 87600h is 3.15e17 ns, beyond exact float precision.

const UNITS: Record<string, bigint> = {
    ns: 1n,
    us: 1_000n,
    "\u00b5s": 1_000n, // µs (micro sign)
    "\u03bcs": 1_000n, // μs (Greek mu)
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
};

const PART = /^([0-9]*)(?:\.([0-9]*))?([a-zµμ]+)/;

/** Nanoseconds of a Go duration string, or undefined when Go would reject it. */
export function parseDuration(text: string): bigint | undefined {
    let rest = text;
    let sign = 1n;
    if (rest.startsWith("-") || rest.startsWith("+")) {
        if (rest[0] === "-") sign = -1n;
        rest = rest.slice(1);
    }
    if (rest === "0") return 0n;
    if (rest === "") return undefined;
    let total = 0n;
    while (rest !== "") {
        const m = PART.exec(rest);
        if (!m) return undefined;
        const [whole, intPart, fracPart, unitName] = m;
        // Go needs a digit on at least one side of the dot (".5h" is fine, ".h" is not).
        if (intPart === "" && (fracPart === undefined || fracPart === "")) return undefined;
        const unit = UNITS[unitName];
        if (unit === undefined) return undefined;
        total += BigInt(intPart || "0") * unit;
        if (fracPart) total += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
        rest = rest.slice(whole.length);
    }
    return sign * total;
}

/** True for strings Go's time.ParseDuration accepts. */
export function isDuration(text: string): boolean {
    return parseDuration(text) !== undefined;
}

/** Go's Duration.String() for whole-second and sub-second values: "72h0m0s", "1h30m0s", "1.5s", "250ms". */
export function formatDuration(ns: bigint): string {
    if (ns === 0n) return "0s";
    const negative = ns < 0n;
    let v = negative ? -ns : ns;
    const sign = negative ? "-" : "";
    if (v < UNITS.s) {
        for (const [unit, size] of [
            ["ms", UNITS.ms],
            ["µs", UNITS.us],
            ["ns", 1n],
        ] as const) {
            if (v >= size) return `${sign}${decimal(v, size)}${unit}`;
        }
    }
    const hours = v / UNITS.h;
    v -= hours * UNITS.h;
    const minutes = v / UNITS.m;
    v -= minutes * UNITS.m;
    const seconds = decimal(v, UNITS.s);
    if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
    if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
    return `${sign}${seconds}s`;
}

function decimal(value: bigint, unit: bigint): string {
    const whole = value / unit;
    const frac = value % unit;
    if (frac === 0n) return whole.toString();
    const digits = unit.toString().length - 1;
    return `${whole}.${frac.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/**
 * Compares two durations by value. Strings that are not durations (or numbers, which Consul reads as
 * nanoseconds) compare by their text, so nothing unparseable is ever reported equal to something else.
 */
export function sameDuration(a: unknown, b: unknown): boolean {
    const pa = toNanos(a);
    const pb = toNanos(b);
    if (pa !== undefined && pb !== undefined) return pa === pb;
    return a === b;
}

/** Nanoseconds of a duration string or a number of nanoseconds (how Consul decodes JSON numbers). */
export function toNanos(value: unknown): bigint | undefined {
    if (typeof value === "string") return parseDuration(value);
    if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
    return undefined;
}
