// Local Consul dev clusters on loopback for the demo, the tests and the benchmarks.
// Each cluster is one `consul agent -dev` with its own ports, data dir, log file and pid file.
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface ClusterSpec {
    name: string;
    datacenter: string;
    ports: { http: number; dns: number; grpc: number; grpcTls: number; serfLan: number; serfWan: number; server: number };
}

/** The port sets from DESIGN.md: dc1 on Consul's defaults, dc2 moved to 9xxx. */
const BASE_CLUSTERS: readonly ClusterSpec[] = [
    {
        name: "dc1",
        datacenter: "dc1",
        ports: { http: 8500, dns: 8600, grpc: 8502, grpcTls: 8503, serfLan: 8301, serfWan: 8302, server: 8300 },
    },
    {
        name: "dc2",
        datacenter: "dc2",
        ports: { http: 9500, dns: -1, grpc: 9502, grpcTls: 9503, serfLan: 9301, serfWan: 9302, server: 9300 },
    },
    {
        // A third cluster for ACL tests (started on demand with --only=dc3, not by default).
        name: "dc3",
        datacenter: "dc3",
        ports: { http: 7500, dns: -1, grpc: 7502, grpcTls: 7503, serfLan: 7301, serfWan: 7302, server: 7300 },
    },
];

/**
 * CONSUL_MESH_PORT_OFFSET (a multiple of 10000, e.g. 10000) moves every port of both clusters, so
 * that several checkouts can run their tests side by side; 0 (the default) is the documented layout.
 */
export function portOffset(): number {
    const raw = process.env.CONSUL_MESH_PORT_OFFSET ?? "0";
    const offset = Number(raw);
    if (!Number.isInteger(offset) || offset < 0 || offset % 10000 !== 0 || offset > 50000) {
        throw new Error(`CONSUL_MESH_PORT_OFFSET must be 0, 10000, ..., 50000 (got "${raw}")`);
    }
    return offset;
}

export function clusterSpecs(): ClusterSpec[] {
    const offset = portOffset();
    return BASE_CLUSTERS.map((c) => ({
        ...c,
        ports: Object.fromEntries(
            Object.entries(c.ports).map(([k, v]) => [k, v < 0 ? v : v + offset]),
        ) as ClusterSpec["ports"],
    }));
}

export const CLUSTERS = BASE_CLUSTERS;

/** HTTP address of a cluster (honours CONSUL_MESH_PORT_OFFSET). */
export function clusterAddress(name: string): string {
    return `http://127.0.0.1:${specFor(name).ports.http}`;
}

export interface ClusterState {
    name: string;
    address: string;
    pid?: number;
    running: boolean;
    acl: boolean;
    dataDir: string;
    logFile: string;
}

const repoRoot = path.resolve(__dirname, "..", "..");

export function stateRoot(): string {
    const offset = portOffset();
    return process.env.CONSUL_MESH_STATE ?? path.join(repoRoot, ".consul-mesh", offset ? `port-offset-${offset}` : "");
}

export function toolsDir(): string {
    return execFileSync("bash", [path.join(repoRoot, "scripts", "setup-tools.sh"), "--print-path"], {
        encoding: "utf8",
    }).trim();
}

export function consulBinary(): string {
    const candidate = path.join(toolsDir(), "consul");
    if (!fs.existsSync(candidate)) {
        throw new Error(`consul is not installed in ${toolsDir()}; run "npm run setup" first`);
    }
    return candidate;
}

function clusterDir(name: string): string {
    return path.join(stateRoot(), "clusters", name);
}

function specFor(name: string): ClusterSpec {
    const spec = clusterSpecs().find((c) => c.name === name);
    if (!spec) {
        throw new Error(`unknown cluster "${name}" (known: ${CLUSTERS.map((c) => c.name).join(", ")})`);
    }
    return spec;
}

function readPid(name: string): number | undefined {
    try {
        const pid = Number(fs.readFileSync(path.join(clusterDir(name), "consul.pid"), "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
        return undefined;
    }
}

/** True when pid is alive AND is the consul agent we started for this cluster (its data dir is on its command line). */
function isOurAgent(pid: number, name: string): boolean {
    try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return cmdline.includes(`-data-dir=${path.join(clusterDir(name), "data")}`);
    } catch {
        return false;
    }
}

function readMode(name: string): { acl: boolean } | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(clusterDir(name), "mode.json"), "utf8")) as { acl: boolean };
    } catch {
        return undefined;
    }
}

export function status(name: string): ClusterState {
    const spec = specFor(name);
    const dir = clusterDir(name);
    const pid = readPid(name);
    const running = pid !== undefined && isOurAgent(pid, name);
    return {
        name,
        address: `http://127.0.0.1:${spec.ports.http}`,
        pid: running ? pid : undefined,
        running,
        acl: readMode(name)?.acl ?? false,
        dataDir: path.join(dir, "data"),
        logFile: path.join(dir, "consul.log"),
    };
}

function agentArgs(spec: ClusterSpec, dataDir: string, acl: boolean): string[] {
    const p = spec.ports;
    const args = [
        "agent",
        "-dev",
        `-datacenter=${spec.datacenter}`,
        `-node=${spec.name}-server`,
        "-bind=127.0.0.1",
        "-client=127.0.0.1",
        `-data-dir=${dataDir}`,
        `-http-port=${p.http}`,
        `-dns-port=${p.dns}`,
        `-grpc-port=${p.grpc}`,
        `-grpc-tls-port=${p.grpcTls}`,
        `-serf-lan-port=${p.serfLan}`,
        `-serf-wan-port=${p.serfWan}`,
        `-server-port=${p.server}`,
        "-log-level=info",
    ];
    if (acl) {
        // No initial_management token: the cluster stays un-bootstrapped so ACL bootstrap can be exercised.
        args.push("-hcl", 'acl { enabled = true default_policy = "deny" enable_token_persistence = true }');
    }
    return args;
}

async function httpGet(url: string): Promise<{ status: number; body: string } | undefined> {
    try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        return { status: res.status, body: await res.text() };
    } catch {
        return undefined;
    }
}

/** Ready = a leader is elected and the Connect CA has an active root. */
export async function waitReady(address: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < deadline) {
        if (!isAlive()) {
            throw new Error(`the agent at ${address} exited while starting`);
        }
        const leader = await httpGet(`${address}/v1/status/leader`);
        if (leader?.status === 200 && leader.body.replace(/"/g, "").trim() !== "") {
            const roots = await httpGet(`${address}/v1/connect/ca/roots`);
            if (roots?.status === 200 && (JSON.parse(roots.body) as { ActiveRootID?: string }).ActiveRootID) {
                return;
            }
            last = "leader elected, waiting for an active CA root";
        } else {
            last = leader ? `leader: ${leader.status} ${leader.body.trim()}` : "no answer";
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${address} was not ready after ${timeoutMs} ms (${last})`);
}

function portInUse(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const net = require("node:net") as typeof import("node:net");
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

export interface StartOptions {
    acl?: boolean;
    timeoutMs?: number;
    log?: (msg: string) => void;
}

/** Starts one cluster (idempotent: a running cluster in the same mode is left alone). */
export async function start(name: string, opts: StartOptions = {}): Promise<ClusterState> {
    const spec = specFor(name);
    const log = opts.log ?? (() => undefined);
    const acl = opts.acl ?? false;
    const current = status(name);
    if (current.running) {
        if (current.acl === acl) {
            log(`${name}: already running (pid ${current.pid}, acl ${acl ? "on" : "off"})`);
            return current;
        }
        log(`${name}: running with acl ${current.acl ? "on" : "off"}; restarting with acl ${acl ? "on" : "off"}`);
        await stop(name, { log });
    }
    if (await portInUse(spec.ports.http)) {
        throw new Error(
            `${name}: port ${spec.ports.http} on 127.0.0.1 is already in use by another process (not started by consul-mesh); stop it first`,
        );
    }
    const dir = clusterDir(name);
    const dataDir = path.join(dir, "data");
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    const logFile = path.join(dir, "consul.log");
    const out = fs.openSync(logFile, "w");
    const child = spawn(consulBinary(), agentArgs(spec, dataDir, acl), {
        detached: true,
        stdio: ["ignore", out, out],
        env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    fs.closeSync(out);
    let exited = false;
    child.once("exit", () => {
        exited = true;
    });
    child.unref();
    if (child.pid === undefined) {
        throw new Error(`${name}: consul did not start (see ${logFile})`);
    }
    fs.writeFileSync(path.join(dir, "consul.pid"), `${child.pid}\n`);
    fs.writeFileSync(path.join(dir, "mode.json"), JSON.stringify({ acl }));
    log(`${name}: started consul (pid ${child.pid}, http ${spec.ports.http}, acl ${acl ? "on" : "off"}), waiting for leader and CA`);
    const address = `http://127.0.0.1:${spec.ports.http}`;
    try {
        await waitReady(address, opts.timeoutMs ?? 60_000, () => !exited);
    } catch (err) {
        const tail = fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
        throw new Error(`${name}: ${(err as Error).message}\n--- last lines of ${logFile} ---\n${tail}`);
    }
    log(`${name}: ready at ${address}`);
    return status(name);
}

/** Stops exactly the process recorded in the cluster's pid file (and only if it is still our agent). */
export async function stop(name: string, opts: { log?: (msg: string) => void } = {}): Promise<void> {
    const log = opts.log ?? (() => undefined);
    const pid = readPid(name);
    const pidFile = path.join(clusterDir(name), "consul.pid");
    if (pid === undefined || !isOurAgent(pid, name)) {
        fs.rmSync(pidFile, { force: true });
        log(`${name}: not running`);
        return;
    }
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && isOurAgent(pid, name)) {
        await new Promise((r) => setTimeout(r, 100));
    }
    if (isOurAgent(pid, name)) {
        process.kill(pid, "SIGKILL");
        log(`${name}: did not stop within 15 s; killed`);
    }
    fs.rmSync(pidFile, { force: true });
    log(`${name}: stopped (pid ${pid})`);
}
