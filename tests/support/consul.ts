// Raw HTTP access to the real test agents, for setting up and checking state behind Pulumi's back.
import { clusterAddress } from "../../scripts/lib/clusters";

/** The test clusters' HTTP addresses (moved by CONSUL_MESH_PORT_OFFSET when set). */
export const DC1 = clusterAddress("dc1");
export const DC2 = clusterAddress("dc2");

export async function consul<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    token?: string,
): Promise<{ status: number; body: T }> {
    const res = await fetch(url, {
        method,
        headers: { ...(token ? { "x-consul-token": token } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
        parsed = text ? JSON.parse(text) : undefined;
    } catch {
        /* plain-text body */
    }
    return { status: res.status, body: parsed as T };
}

export interface FlatIntention {
    SourceName: string;
    SourcePeer?: string;
    DestinationName: string;
    Action?: string;
    Description?: string;
}

/** All intentions of a cluster (flattened view), optionally only those whose names contain `mark`. */
export async function listIntentions(address: string, mark?: string): Promise<FlatIntention[]> {
    const res = await consul<FlatIntention[]>("GET", `${address}/v1/connect/intentions`);
    if (res.status !== 200) throw new Error(`listing intentions: ${res.status} ${JSON.stringify(res.body)}`);
    return mark ? res.body.filter((i) => i.SourceName.includes(mark) || i.DestinationName.includes(mark)) : res.body;
}

export function uniqueSuffix(): string {
    return Math.random().toString(36).slice(2, 8);
}

/** Polls until `probe` returns true, every 250 ms for at most `timeoutMs`; returns whether it did. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await probe()) return true;
        await new Promise((r) => setTimeout(r, 250));
    }
    return probe();
}
