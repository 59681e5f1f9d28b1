// Fields that only some Consul versions accept. The provider learns a server's version once per
// connection (GET /v1/agent/self, cached per address list for the life of the provider process) and
// refuses a field that server does not know, naming the field and the first Consul version that
// accepts it, before anything is written. Consul itself would answer 400 "invalid config key" only
// after a partial plan had started; this turns that into a clear error on the resource.
import { z } from "zod";
import type { ConsulClient } from "./client";
import { ConsulApiError } from "./errors";
import { processState } from "./process-state";

/** A field the declaration uses that needs at least Consul `min`. `path` is the property path as users write it. */
export interface VersionedField {
    path: string;
    min: string;
}

const agentSelfSchema = z.object({ Config: z.object({ Version: z.string().min(1) }).loose() }).loose();

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

function cache(): Map<string, Promise<string | undefined>> {
    return processState("serverVersions", () => new Map<string, Promise<string | undefined>>());
}

/**
 * The Consul version of the server behind `client` (asked once per address list), or undefined when
 * the token may not read the agent (403 without `agent:read`): the write then goes ahead and Consul
 * decides.
 */
export function serverVersion(client: ConsulClient): Promise<string | undefined> {
    const key = (client.conn.baseUrls?.length ? client.conn.baseUrls : [client.conn.baseUrl]).join(",");
    let known = cache().get(key);
    if (!known) {
        known = client.get("/v1/agent/self", agentSelfSchema).then(
            (res) => res.body.Config.Version,
            (err: unknown) => {
                if (err instanceof ConsulApiError && err.statusCode === 403) return undefined;
                throw err;
            },
        );
        // A failed look-up is not remembered: the next call asks again.
        known.catch(() => cache().delete(key));
        cache().set(key, known);
    }
    return known;
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

/** Throws before any write when the declaration uses a field the server's version does not accept. */
export async function requireSupportedFields(client: ConsulClient, fields: VersionedField[]): Promise<void> {
    if (fields.length === 0) return;
    const err = unsupportedFieldsError(fields, await serverVersion(client), client.address);
    if (err) throw err;
}
