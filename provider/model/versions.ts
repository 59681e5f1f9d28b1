// Consul versions and the fields that need a minimum one: pure comparisons, no I/O (the server's
// version is asked by consul/server-version.ts).

/** A field the declaration uses that needs at least Consul `min`. `path` is the property path as users write it. */
export interface VersionedField {
    path: string;
    min: string;
}

/** Compares dotted versions numerically ("1.16.3" < "1.20.1"); pre-release and build suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
    const parts = (v: string) =>
        v
            .replace(/^v/, "")
            .split(/[-+]/)[0]
            .split(".")
            .map((n) => Number.parseInt(n, 10) || 0);
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) return Math.sign(d);
    }
    return 0;
}

/** The fields among `fields` that a server of `version` does not accept (all kept when the version is unknown: none refused). */
export function unsupportedFields(fields: VersionedField[], version: string | undefined): VersionedField[] {
    if (version === undefined) return [];
    return fields.filter((f) => compareVersions(version, f.min) < 0);
}

/** The error for fields the server does not know, or undefined. */
export function unsupportedFieldsError(fields: VersionedField[], version: string | undefined, address: string): Error | undefined {
    const missing = unsupportedFields(fields, version);
    if (missing.length === 0) return undefined;
    const lines = missing.map((f) => `  - ${f.path} needs Consul ${f.min} or newer`);
    return new Error(
        `the Consul server at ${address} runs ${version}, which does not accept ${missing.length === 1 ? "this field" : "these fields"}:\n` +
            `${lines.join("\n")}\nRemove ${missing.length === 1 ? "it" : "them"}, or upgrade Consul. Nothing was written.`,
    );
}
