// Fault-injection helpers: Pulumi runs we can signal mid-flight, raw reads of a destination's
// intentions from whichever server answers, certificates for the TLS agent, and the retry log.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { consulBinary } from "../../scripts/lib/clusters";
import type { PulumiProgram, RunResult } from "./pulumi";

export interface RunningPulumi {
    child: ChildProcess;
    /** Resolves when the CLI exits (never rejects; code -1 when killed by a signal). */
    done: Promise<RunResult & { signal: NodeJS.Signals | null; ms: number }>;
    output: () => string;
}

/**
 * Starts `pulumi <args>` in its own process group (so that after killing the CLI we can end the
 * plugins it started, and only those). Killed with SIGKILL after timeoutMs.
 */
export function startPulumi(program: PulumiProgram, args: string[], timeoutMs = 600_000): RunningPulumi {
    const started = Date.now();
    const child = spawn("pulumi", [...args, "--non-interactive", "--color=never"], {
        cwd: program.workDir,
        env: program.env,
        detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeoutMs);
    const done = new Promise<RunResult & { signal: NodeJS.Signals | null; ms: number }>((resolve) => {
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, signal, stdout, stderr, ms: Date.now() - started });
        });
    });
    return { child, done, output: () => stdout + stderr };
}

/** Signals the whole process group we created for a Pulumi run (CLI, language host, providers). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
        process.kill(-child.pid, signal);
    } catch {
        // Already gone.
    }
}

/** True while any process of the run's group is alive. */
export function groupAlive(child: ChildProcess): boolean {
    if (child.pid === undefined) return false;
    try {
        process.kill(-child.pid, 0);
        return true;
    } catch {
        return false;
    }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, stepMs = 200): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, stepMs));
    }
}

interface Source {
    Name: string;
    Peer?: string;
    Action?: string;
}

/**
 * The sources of a destination's service-intentions entry, read from the first server that answers
 * (`stale` lets a follower answer from its own copy: used to check a restarted server caught up).
 */
export async function destinationSources(addresses: string[], destination: string, stale = false): Promise<Source[] | undefined> {
    for (const address of addresses) {
        try {
            const res = await fetch(`${address}/v1/config/service-intentions/${destination}${stale ? "?stale" : ""}`, {
                signal: AbortSignal.timeout(5000),
            });
            if (res.status === 404) return [];
            if (res.status === 200) return ((await res.json()) as { Sources: Source[] }).Sources;
        } catch {
            // Try the next server.
        }
    }
    return undefined;
}

/** Every intention in the cluster as "source=>destination:action", sorted (the full listing). */
export async function fullListing(addresses: string[]): Promise<string[]> {
    // A cluster with request rate limits may answer 429 (its read bucket not yet refilled): asked
    // again every 250 ms, for at most 30 s.
    const deadline = Date.now() + 30_000;
    for (;;) {
        let throttled = false;
        for (const address of addresses) {
            try {
                const res = await fetch(`${address}/v1/connect/intentions`, { signal: AbortSignal.timeout(10_000) });
                throttled ||= res.status === 429;
                if (res.status !== 200) continue;
                const all = (await res.json()) as Array<{
                    SourceName: string;
                    SourcePeer?: string;
                    DestinationName: string;
                    Action: string;
                }>;
                return all.map((i) => `${i.SourcePeer ? `${i.SourcePeer}/` : ""}${i.SourceName}=>${i.DestinationName}:${i.Action}`).sort();
            } catch {
                // Try the next server.
            }
        }
        if (!throttled || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no server of ${addresses.join(", ")} listed the intentions`);
}

/** What tests/e2e/programs/two-hundred-intentions (and many-intentions) declares for `count` callers of `destination`. */
export function declaredListing(count: number, destination: string, destinations = 1, sourcePrefix = "caller"): string[] {
    return Array.from({ length: count }, (_, i) => {
        const target = destinations > 1 ? `${destination}-${i % destinations}` : destination;
        return `${sourcePrefix}-${i}=>${target}:${i % 3 === 0 ? "deny" : "allow"}`;
    }).sort();
}

/** Retries and failovers the provider process logged through CONSUL_MESH_RETRY_LOG. */
export function retryLog(file: string): { retries: number; failovers: number; byStatus: Record<string, number> } {
    const out = { retries: 0, failovers: 0, byStatus: {} as Record<string, number> };
    if (!fs.existsSync(file)) return out;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as { kind: string; status: number; code?: string };
        if (entry.kind === "retry") out.retries++;
        else out.failovers++;
        const key = entry.status === 0 ? (entry.code ?? "transport") : String(entry.status);
        out.byStatus[key] = (out.byStatus[key] ?? 0) + 1;
    }
    return out;
}

/** Pending operations and the Intentions (count, names) in the stack's checkpoint (`pulumi stack export`). */
export async function stateSummary(
    program: PulumiProgram,
): Promise<{ resources: number; names: string[]; pending: Array<{ type: string; urn: string }> }> {
    const res = await program.run(["stack", "export"], { allowFailure: true });
    if (res.code !== 0) throw new Error(`pulumi stack export failed: ${res.stderr}`);
    const deployment = (
        JSON.parse(res.stdout) as {
            deployment: {
                resources?: Array<{ type: string; urn: string }>;
                pending_operations?: Array<{ type: string; resource: { urn: string } }>;
            };
        }
    ).deployment;
    const intentions = (deployment.resources ?? []).filter((r) => r.type.includes("consul-mesh:Intention"));
    return {
        resources: intentions.length,
        names: intentions.map((r) => r.urn.split("::").pop()!).sort(),
        pending: (deployment.pending_operations ?? []).map((p) => ({ type: p.type, urn: p.resource.urn })),
    };
}

export interface TestCerts {
    dir: string;
    caFile: string;
    serverCert: string;
    serverKey: string;
    clientCert: string;
    clientKey: string;
    /** A second, unrelated CA: a client trusting only it must fail verification. */
    otherCaFile: string;
}

/**
 * Generates a CA, a server certificate (SANs localhost, 127.0.0.1, server.<dc>.consul) and a client
 * certificate with `consul tls`, plus an unrelated CA for the wrong-CA case.
 */
export function makeCerts(dir: string, datacenter: string): TestCerts {
    fs.mkdirSync(path.join(dir, "other"), { recursive: true });
    const consul = consulBinary();
    const run = (cwd: string, args: string[]) => execFileSync(consul, args, { cwd, stdio: "pipe" });
    run(dir, ["tls", "ca", "create", "-days=2"]);
    run(dir, ["tls", "cert", "create", "-server", `-dc=${datacenter}`, "-days=2"]);
    run(dir, ["tls", "cert", "create", "-client", `-dc=${datacenter}`, "-days=2"]);
    run(path.join(dir, "other"), ["tls", "ca", "create", "-days=2", "-domain=other"]);
    const f = (name: string) => path.join(dir, name);
    return {
        dir,
        caFile: f("consul-agent-ca.pem"),
        serverCert: f(`${datacenter}-server-consul-0.pem`),
        serverKey: f(`${datacenter}-server-consul-0-key.pem`),
        clientCert: f(`${datacenter}-client-consul-0.pem`),
        clientKey: f(`${datacenter}-client-consul-0-key.pem`),
        otherCaFile: path.join(dir, "other", "other-agent-ca.pem"),
    };
}

/** A TCP port on loopback that nothing listens on (bound, then released). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** A listener that accepts connections and never answers: a hung Consul. */
export function blackhole(): Promise<{ address: string; close: () => void }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            resolve({
                address: `http://127.0.0.1:${port}`,
                close: () => {
                    for (const s of sockets) s.destroy();
                    server.close();
                },
            });
        }),
    );
}

/**
 * Everything consul-mesh can change in a cluster, read raw: intentions, the config entries of every
 * kind it writes, the CA configuration and roots, peerings, ACL state and the KV store. Two equal
 * snapshots mean nothing was changed in between.
 */
export async function clusterSnapshot(address: string): Promise<Record<string, unknown>> {
    const paths = [
        "/v1/connect/intentions",
        "/v1/config/service-intentions",
        "/v1/config/service-defaults",
        "/v1/config/exported-services",
        "/v1/config/proxy-defaults",
        "/v1/config/mesh",
        "/v1/connect/ca/configuration",
        "/v1/connect/ca/roots",
        "/v1/peerings",
        "/v1/acl/tokens",
        "/v1/kv/?recurse",
    ];
    const out: Record<string, unknown> = {};
    for (const p of paths) {
        const res = await fetch(`${address}${p}`, { signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        let body: unknown = text;
        try {
            body = JSON.parse(text);
        } catch {
            // plain-text answer (e.g. ACLs disabled)
        }
        out[p] = { status: res.status, body };
    }
    return out;
}
