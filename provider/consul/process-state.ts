// State shared by every consul-mesh provider in one process: connection pools, the server that
// answered last, server versions, retry counters, the config-entry write queues and read batches.
//
// Why on globalThis and not in module-level variables: module-level state is per *copy* of this
// module, and one provider process can hold several copies. Older stacks serialised the whole
// provider by value into each resource's `__provider`, and the dynamic-provider host evaluates each
// distinct text with its own module copy; a program can also resolve two installed consul-mesh
// copies. Queues and read batches only protect concurrent writers that share them, so they must
// be one per process. The slot is typed (no casts), and each field is created on first use.
import type { Agent } from "undici";

/** Counters of the HTTP client, for tests and benchmarks. */
export interface RetryStats {
    /** Requests repeated after a backoff (429, 503, no leader, connection reset). */
    retries: number;
    /** Requests moved at once to the next server address (connection refused, no leader). */
    failovers: number;
}

/**
 * Everything one process shares; each map is keyed as its owner documents. The HTTP layer's slots
 * are declared here; a higher layer adds its own by augmenting this interface in its own module
 * (`declare module "../consul/process-state"`), so this module imports nothing above it.
 */
export interface ProcessState {
    /** undici connection pools, by base URL and TLS settings (client.ts). */
    agents: Map<string, Agent>;
    /** Index of the server address that answered last, by address list (client.ts). */
    preferredServer: Map<string, number>;
    retries: RetryStats;
    /** Consul version per address list, asked once (server-version.ts). */
    serverVersions: Map<string, Promise<string | undefined>>;
}

declare global {
    // A global declaration is how TypeScript types a property of globalThis (`var` is required there).
    var __consulMeshProcess: Partial<ProcessState> | undefined;
}

/** The process-wide value of `key`, created with `init` on first use. */
export function processState<K extends keyof ProcessState>(key: K, init: () => ProcessState[K]): ProcessState[K] {
    const state = (globalThis.__consulMeshProcess ??= {});
    const found = state[key];
    if (found !== undefined) return found;
    const created = init();
    state[key] = created;
    return created;
}
