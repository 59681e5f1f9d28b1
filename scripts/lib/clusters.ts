// Local Consul clusters on loopback for the demo, the tests and the benchmarks.
// By default a cluster is one `consul agent -dev` with its own ports, data dir, log file and pid file.
// With `servers: 3` it is three real (non-dev) servers with -bootstrap-expect=3, each on its own port
// set (the cluster's ports + 10 * index), data dir, log and pid file. `tls` makes the single agent
// HTTPS-only with verify_incoming; `extraHcl` adds agent configuration (e.g. request rate limits).
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
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
    {
        // A fourth cluster for the fault tests (three servers, TLS, rate limits); on demand only.
        name: "dc4",
        datacenter: "dc4",
        ports: { http: 6500, dns: -1, grpc: 6502, grpcTls: 6503, serfLan: 6301, serfWan: 6302, server: 6300 },
    },
    // dc5 and dc6 complete a fleet of six for the PeeringMesh tests and benchmark (on demand only).
    // They sit in unused hundreds of the 6xxx and 7xxx blocks, so the whole layout stays within
    // 6300-9543 and every allowed CONSUL_MESH_PORT_OFFSET keeps it below the ephemeral range.
    {
        name: "dc5",
        datacenter: "dc5",
        ports: { http: 6600, dns: -1, grpc: 6602, grpcTls: 6603, serfLan: 6401, serfWan: 6402, server: 6400 },
    },
    {
        name: "dc6",
        datacenter: "dc6",
        ports: { http: 7600, dns: -1, grpc: 7602, grpcTls: 7603, serfLan: 7401, serfWan: 7402, server: 7400 },
    },
];

/** Every cluster name the layout knows, in order (dc1..dc6): a fleet of N is the first N. */
export const CLUSTER_NAMES: readonly string[] = BASE_CLUSTERS.map((c) => c.name);

/** The first `count` clusters of the layout (1 to 6): `fleetNames(4)` is dc1..dc4. */
export function fleetNames(count: number): string[] {
    if (!Number.isInteger(count) || count < 1 || count > BASE_CLUSTERS.length) {
        throw new Error(`a fleet has 1 to ${BASE_CLUSTERS.length} clusters (got ${count})`);
    }
    return CLUSTER_NAMES.slice(0, count);
}

/** Port set of server `index` of a multi-server cluster: every port moved by 10 * index. */
export function serverPorts(spec: ClusterSpec, index: number): ClusterSpec["ports"] {
    return Object.fromEntries(Object.entries(spec.ports).map(([k, v]) => [k, v < 0 ? v : v + 10 * index])) as ClusterSpec["ports"];
}

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range). */
const EPHEMERAL_PORTS = { first: 32768, last: 60999 };
/** Multi-server clusters move each server's ports by 10 * index, for up to 5 servers. */
const MAX_SERVER_SHIFT = 10 * 4;
/** The ports any layout of the base clusters can use. */
const LAYOUT_PORTS = (() => {
    const ports = BASE_CLUSTERS.flatMap((c) => Object.values(c.ports)).filter((p) => p > 0);
    return { first: Math.min(...ports), last: Math.max(...ports) + MAX_SERVER_SHIFT };
})();
/** Offsets are multiples of this, wider than a layout, so that two offsets' layouts never overlap. */
const OFFSET_STEP = 5000;

/**
 * The values CONSUL_MESH_PORT_OFFSET may take: multiples of OFFSET_STEP that keep every port of the
 * layout below Linux's ephemeral range (0, 5000, 10000, 15000, 20000).
 */
export const PORT_OFFSETS: readonly number[] = Array.from(
    { length: Math.floor((EPHEMERAL_PORTS.first - 1 - LAYOUT_PORTS.last) / OFFSET_STEP) + 1 },
    (_, i) => i * OFFSET_STEP,
);

/** "0, 5000, 10000, 15000 or 20000". */
export function portOffsetList(): string {
    return `${PORT_OFFSETS.slice(0, -1).join(", ")} or ${PORT_OFFSETS[PORT_OFFSETS.length - 1]}`;
}

/** What CONSUL_MESH_PORT_OFFSET takes and why (for --help; the README says the same). */
export function portOffsetHelp(): string {
    const last = PORT_OFFSETS[PORT_OFFSETS.length - 1];
    return [
        `CONSUL_MESH_PORT_OFFSET moves every port of the clusters (and of the suites and the demo) by the same amount,`,
        `so that several checkouts can run side by side. Allowed: ${portOffsetList()} (default 0).`,
        `Why these: every layout lies within ports ${LAYOUT_PORTS.first}-${LAYOUT_PORTS.last}, so steps of ${OFFSET_STEP} keep two`,
        `checkouts' ports apart; with an offset above ${last} the ports reach Linux's ephemeral range`,
        `(${EPHEMERAL_PORTS.first}-${EPHEMERAL_PORTS.last} by default), where an outgoing connection can take a port before the agent`,
        `binds it ("address already in use").`,
    ].join("\n");
}

/**
 * CONSUL_MESH_PORT_OFFSET (one of PORT_OFFSETS) moves every port of the clusters; 0 (the default)
 * is the documented layout. See portOffsetHelp for why other values are refused.
 */
export function portOffset(): number {
    const raw = process.env.CONSUL_MESH_PORT_OFFSET ?? "0";
    const offset = Number(raw);
    if (!PORT_OFFSETS.includes(offset)) {
        throw new Error(
            `CONSUL_MESH_PORT_OFFSET must be ${portOffsetList()} (got "${raw}"): larger offsets reach the ephemeral port range, ` +
                "and others overlap another checkout's ports (npm run cluster -- --help says more)",
        );
    }
    return offset;
}

export function clusterSpecs(): ClusterSpec[] {
    const offset = portOffset();
    return BASE_CLUSTERS.map((c) => ({
        ...c,
        ports: Object.fromEntries(Object.entries(c.ports).map(([k, v]) => [k, v < 0 ? v : v + offset])) as ClusterSpec["ports"],
    }));
}

export const CLUSTERS = BASE_CLUSTERS;

/** HTTP address of a cluster (honours CONSUL_MESH_PORT_OFFSET); https:// when it runs in TLS mode. */
export function clusterAddress(name: string): string {
    return `${readMode(name)?.tls ? "https" : "http"}://127.0.0.1:${specFor(name).ports.http}`;
}

/** HTTP addresses of every server of a cluster (one for a dev agent, three with `servers: 3`). */
export function clusterAddresses(name: string): string[] {
    const spec = specFor(name);
    const servers = readMode(name)?.servers ?? 1;
    const scheme = readMode(name)?.tls ? "https" : "http";
    return Array.from({ length: servers }, (_, i) => `${scheme}://127.0.0.1:${serverPorts(spec, i).http}`);
}

export interface ServerState {
    index: number;
    address: string;
    pid?: number;
    running: boolean;
    dataDir: string;
    logFile: string;
}

export interface ClusterState {
    name: string;
    address: string;
    pid?: number;
    running: boolean;
    acl: boolean;
    dataDir: string;
    logFile: string;
    /** Number of servers (1 for the dev agent). */
    servers?: number;
    /** Every server, index 0 first (server 0 is the one `address`, `pid`, `dataDir` describe). */
    members?: ServerState[];
    /** True when the agent serves HTTPS only. */
    tls?: boolean;
}

/** TLS material (file paths) for an HTTPS-only agent with verify_incoming. */
export interface TlsFiles {
    caFile: string;
    certFile: string;
    keyFile: string;
}

interface Mode {
    acl: boolean;
    servers?: number;
    bind?: string;
    tls?: TlsFiles;
    extraHcl?: string;
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
    // CONSUL_MESH_CONSUL=/path/to/consul runs the clusters on the user's own consul (say, a 1.21 or 1.22
    // LTS build) instead of the 1.16.3 that setup builds. CONSUL_MESH_CONSUL_BIN is the older name.
    for (const name of ["CONSUL_MESH_CONSUL", "CONSUL_MESH_CONSUL_BIN"]) {
        const override = process.env[name];
        if (!override) continue;
        if (!fs.existsSync(override)) throw new Error(`${name}=${override} does not exist`);
        return override;
    }
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

/** File names of server `index`: server 0 keeps the historical names (data, consul.pid, consul.log). */
function serverFiles(name: string, index: number): { dataDir: string; pidFile: string; logFile: string } {
    const dir = clusterDir(name);
    const suffix = index === 0 ? "" : `-${index}`;
    return {
        dataDir: path.join(dir, `data${suffix}`),
        pidFile: path.join(dir, `consul${suffix}.pid`),
        logFile: path.join(dir, `consul${suffix}.log`),
    };
}

function readPid(name: string, index = 0): number | undefined {
    try {
        const pid = Number(fs.readFileSync(serverFiles(name, index).pidFile, "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
        return undefined;
    }
}

/** True when pid is alive AND is the consul agent we started for this cluster (its data dir is on its command line). */
function isOurAgent(pid: number, name: string, index = 0): boolean {
    try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        if (!cmdline.includes(`-data-dir=${serverFiles(name, index).dataDir}`)) return false;
        // A killed process stays a zombie until its parent reaps it: not running.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return !/^\d+ \(.*\) Z/.test(stat);
    } catch {
        return false;
    }
}

function readMode(name: string): Mode | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(clusterDir(name), "mode.json"), "utf8")) as Mode;
    } catch {
        return undefined;
    }
}

function serverState(name: string, index: number, mode: Mode | undefined): ServerState {
    const files = serverFiles(name, index);
    const pid = readPid(name, index);
    const running = pid !== undefined && isOurAgent(pid, name, index);
    return {
        index,
        address: `${mode?.tls ? "https" : "http"}://127.0.0.1:${serverPorts(specFor(name), index).http}`,
        pid: running ? pid : undefined,
        running,
        dataDir: files.dataDir,
        logFile: files.logFile,
    };
}

export function status(name: string): ClusterState {
    const mode = readMode(name);
    const servers = mode?.servers ?? 1;
    const members = Array.from({ length: servers }, (_, i) => serverState(name, i, mode));
    const first = members[0];
    return {
        name,
        address: first.address,
        pid: first.pid,
        // A multi-server cluster counts as running while any of its servers runs (one may be down on purpose).
        running: members.some((m) => m.running),
        acl: mode?.acl ?? false,
        dataDir: first.dataDir,
        logFile: first.logFile,
        servers,
        members,
        tls: mode?.tls !== undefined,
    };
}

function portArgs(p: ClusterSpec["ports"], tls: boolean): string[] {
    return [
        ...(tls ? [] : [`-http-port=${p.http}`]),
        `-dns-port=${p.dns}`,
        `-grpc-port=${p.grpc}`,
        `-grpc-tls-port=${p.grpcTls}`,
        `-serf-lan-port=${p.serfLan}`,
        `-serf-wan-port=${p.serfWan}`,
        `-server-port=${p.server}`,
    ];
}

function agentArgs(spec: ClusterSpec, dataDir: string, acl: boolean, mode: Mode = { acl }): string[] {
    const p = spec.ports;
    const args = [
        "agent",
        "-dev",
        `-datacenter=${spec.datacenter}`,
        `-node=${spec.name}-server`,
        `-bind=${mode.bind ?? "127.0.0.1"}`,
        "-client=127.0.0.1",
        `-data-dir=${dataDir}`,
        ...portArgs(p, mode.tls !== undefined),
        "-log-level=info",
    ];
    if (acl) {
        // No initial_management token: the cluster stays un-bootstrapped so ACL bootstrap can be exercised.
        args.push("-hcl", 'acl { enabled = true default_policy = "deny" enable_token_persistence = true }');
    }
    if (mode.tls) {
        // HTTPS only: the plain HTTP listener is off; clients must present a certificate signed by the CA.
        args.push(
            "-hcl",
            `ports { http = -1 https = ${p.http} }`,
            "-hcl",
            `tls { defaults { ca_file = ${JSON.stringify(mode.tls.caFile)} cert_file = ${JSON.stringify(mode.tls.certFile)} ` +
                `key_file = ${JSON.stringify(mode.tls.keyFile)} } https { verify_incoming = true } }`,
        );
    }
    if (mode.extraHcl) args.push("-hcl", mode.extraHcl);
    return args;
}

/** Arguments of server `index` of a multi-server (non-dev) cluster. */
function serverArgs(spec: ClusterSpec, index: number, count: number, dataDir: string, mode: Mode): string[] {
    const p = serverPorts(spec, index);
    const args = [
        "agent",
        "-server",
        `-bootstrap-expect=${count}`,
        `-datacenter=${spec.datacenter}`,
        `-node=${spec.name}-server-${index}`,
        "-bind=127.0.0.1",
        "-advertise=127.0.0.1",
        "-client=127.0.0.1",
        `-data-dir=${dataDir}`,
        ...portArgs(p, false),
        "-log-level=info",
        // Production-recommended timing (raft_multiplier 1): a lost leader is replaced within seconds.
        "-hcl",
        "performance { raft_multiplier = 1 }",
        "-hcl",
        "connect { enabled = true }",
    ];
    for (let j = 0; j < count; j++) {
        if (j !== index) args.push(`-retry-join=127.0.0.1:${serverPorts(spec, j).serfLan}`);
    }
    if (mode.acl) args.push("-hcl", 'acl { enabled = true default_policy = "deny" enable_token_persistence = true }');
    if (mode.extraHcl) args.push("-hcl", mode.extraHcl);
    return args;
}

/** HTTP(S) GET for the readiness checks; with TLS files it presents the client certificate. */
async function httpGet(url: string, tls?: TlsFiles): Promise<{ status: number; body: string } | undefined> {
    if (!tls) {
        try {
            const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
            return { status: res.status, body: await res.text() };
        } catch {
            return undefined;
        }
    }
    return new Promise((resolve) => {
        const req = https.get(
            url,
            {
                ca: fs.readFileSync(tls.caFile),
                cert: fs.readFileSync(tls.certFile),
                key: fs.readFileSync(tls.keyFile),
                timeout: 2000,
            },
            (res) => {
                let body = "";
                res.on("data", (d: Buffer) => (body += d.toString()));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
                res.on("error", () => resolve(undefined));
            },
        );
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(undefined));
    });
}

/**
 * Ready = a leader is elected and the Connect CA has an active root. `tls` (client certificate
 * files) is needed for an HTTPS-only agent with verify_incoming.
 */
export async function waitReady(address: string, timeoutMs: number, isAlive: () => boolean, tls?: TlsFiles): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < deadline) {
        if (!isAlive()) {
            throw new Error(`the agent at ${address} exited while starting`);
        }
        const leader = await httpGet(`${address}/v1/status/leader`, tls);
        if (leader?.status === 200 && leader.body.replace(/"/g, "").trim() !== "") {
            const roots = await httpGet(`${address}/v1/connect/ca/roots`, tls);
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
    /** 1 (default): one `consul agent -dev`. 3: three real servers with -bootstrap-expect=3. */
    servers?: number;
    /** HTTPS only on the cluster's http port, with verify_incoming (single dev agent only). */
    tls?: TlsFiles;
    /** Extra agent configuration in HCL, e.g. `limits { request_limits { mode = "enforcing" ... } }`. */
    extraHcl?: string;
    /**
     * Address the dev agent binds its server (serf and RPC) to; the HTTP API stays on 127.0.0.1.
     * Consul exempts requests whose source IP is a server's from its request rate limits, so the
     * rate-limit tests bind the server to 127.0.0.2 to be limited like any remote client.
     * @default "127.0.0.1"
     */
    bind?: string;
}

function sameMode(a: Mode | undefined, b: Mode): boolean {
    return (
        JSON.stringify({
            acl: a?.acl ?? false,
            servers: a?.servers ?? 1,
            tls: a?.tls ?? null,
            extraHcl: a?.extraHcl ?? "",
            bind: a?.bind ?? "",
        }) === JSON.stringify({ acl: b.acl, servers: b.servers ?? 1, tls: b.tls ?? null, extraHcl: b.extraHcl ?? "", bind: b.bind ?? "" })
    );
}

function describeMode(mode: Mode): string {
    const parts = [`acl ${mode.acl ? "on" : "off"}`];
    if ((mode.servers ?? 1) > 1) parts.push(`${mode.servers} servers`);
    if (mode.tls) parts.push("https only");
    if (mode.extraHcl) parts.push("extra hcl");
    if (mode.bind) parts.push(`bind ${mode.bind}`);
    return parts.join(", ");
}

/** Spawns one agent process detached, records its pid; returns a liveness probe. */
function spawnAgent(name: string, index: number, args: string[], wipe: boolean): { pid: number; alive: () => boolean } {
    const files = serverFiles(name, index);
    if (wipe) fs.rmSync(files.dataDir, { recursive: true, force: true });
    fs.mkdirSync(files.dataDir, { recursive: true });
    const out = fs.openSync(files.logFile, wipe ? "w" : "a");
    const child = spawn(consulBinary(), args, {
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
        throw new Error(`${name}: consul did not start (see ${files.logFile})`);
    }
    fs.writeFileSync(files.pidFile, `${child.pid}\n`);
    return { pid: child.pid, alive: () => !exited };
}

function logTail(logFile: string): string {
    try {
        return fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Starts one cluster (idempotent: a running cluster in the same mode is left alone). */
export async function start(name: string, opts: StartOptions = {}): Promise<ClusterState> {
    const spec = specFor(name);
    const log = opts.log ?? (() => undefined);
    const acl = opts.acl ?? false;
    const servers = opts.servers ?? 1;
    if (![1, 3, 5].includes(servers)) throw new Error(`${name}: servers must be 1, 3 or 5 (got ${servers})`);
    if (servers > 1 && (opts.tls || opts.bind)) throw new Error(`${name}: tls and bind are for a single dev agent`);
    const mode: Mode = {
        acl,
        ...(servers > 1 ? { servers } : {}),
        ...(opts.tls ? { tls: opts.tls } : {}),
        ...(opts.extraHcl ? { extraHcl: opts.extraHcl } : {}),
        ...(opts.bind ? { bind: opts.bind } : {}),
    };
    const current = status(name);
    if (current.running) {
        if (sameMode(readMode(name), mode) && current.members?.every((m) => m.running)) {
            log(`${name}: already running (pid ${current.pid}, ${describeMode(mode)})`);
            return current;
        }
        log(`${name}: running in another mode; restarting with ${describeMode(mode)}`);
        await stop(name, { log });
    }
    for (let i = 0; i < servers; i++) {
        const port = serverPorts(spec, i).http;
        if (await portInUse(port)) {
            throw new Error(
                `${name}: port ${port} on 127.0.0.1 is already in use by another process (not started by consul-mesh); stop it first`,
            );
        }
    }
    const dir = clusterDir(name);
    fs.mkdirSync(dir, { recursive: true });
    // Forget servers of an earlier, larger cluster so that stop() and status() see only this one.
    for (let i = servers; i < 5; i++) fs.rmSync(serverFiles(name, i).pidFile, { force: true });
    fs.writeFileSync(path.join(dir, "mode.json"), JSON.stringify(mode));
    const probes: Array<{ pid: number; alive: () => boolean }> = [];
    for (let i = 0; i < servers; i++) {
        const args =
            servers > 1
                ? serverArgs(spec, i, servers, serverFiles(name, i).dataDir, mode)
                : agentArgs(spec, serverFiles(name, 0).dataDir, acl, mode);
        probes.push(spawnAgent(name, i, args, true));
    }
    log(
        `${name}: started consul (pid ${probes.map((p) => p.pid).join(", ")}, http ${spec.ports.http}, ${describeMode(mode)}), waiting for leader and CA`,
    );
    const addresses = clusterAddresses(name);
    try {
        for (const address of addresses) {
            const i = addresses.indexOf(address);
            await waitReady(address, opts.timeoutMs ?? (servers > 1 ? 120_000 : 60_000), probes[i].alive, opts.tls);
        }
    } catch (err) {
        const logs = Array.from(
            { length: servers },
            (_, i) => `--- last lines of ${serverFiles(name, i).logFile} ---\n${logTail(serverFiles(name, i).logFile)}`,
        );
        throw new Error(`${name}: ${(err as Error).message}\n${logs.join("\n")}`, { cause: err });
    }
    log(`${name}: ready at ${addresses.join(", ")}`);
    return status(name);
}

async function stopPid(name: string, index: number, log: (msg: string) => void): Promise<void> {
    const pid = readPid(name, index);
    const pidFile = serverFiles(name, index).pidFile;
    if (pid === undefined || !isOurAgent(pid, name, index)) {
        fs.rmSync(pidFile, { force: true });
        return;
    }
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && isOurAgent(pid, name, index)) {
        await new Promise((r) => setTimeout(r, 100));
    }
    if (isOurAgent(pid, name, index)) {
        process.kill(pid, "SIGKILL");
        log(`${name}: server ${index} did not stop within 15 s; killed`);
    }
    fs.rmSync(pidFile, { force: true });
    log(`${name}: stopped${index > 0 ? ` server ${index}` : ""} (pid ${pid})`);
}

/** Stops exactly the processes recorded in the cluster's pid files (and only if they are still our agents). */
export async function stop(name: string, opts: { log?: (msg: string) => void } = {}): Promise<void> {
    const log = opts.log ?? (() => undefined);
    const running = [0, 1, 2, 3, 4].filter((i) => {
        const pid = readPid(name, i);
        return pid !== undefined && isOurAgent(pid, name, i);
    });
    if (running.length === 0) {
        for (let i = 0; i < 5; i++) fs.rmSync(serverFiles(name, i).pidFile, { force: true });
        log(`${name}: not running`);
        return;
    }
    // Followers first, so that a three-server cluster does not hold a leader election on the way down.
    for (const i of running.reverse()) await stopPid(name, i, log);
}

/** Sends `signal` to server `index` of a cluster (the fault tests kill the leader with SIGKILL). */
export async function killServer(name: string, index: number, signal: NodeJS.Signals = "SIGKILL"): Promise<number> {
    const pid = readPid(name, index);
    if (pid === undefined || !isOurAgent(pid, name, index)) throw new Error(`${name}: server ${index} is not running`);
    process.kill(pid, signal);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && isOurAgent(pid, name, index)) await new Promise((r) => setTimeout(r, 50));
    if (isOurAgent(pid, name, index)) throw new Error(`${name}: server ${index} (pid ${pid}) still runs after ${signal}`);
    return pid;
}

/** Starts server `index` of a multi-server cluster again on its existing data dir (it rejoins). */
export function restartServer(name: string, index: number, log: (msg: string) => void = () => undefined): Promise<ServerState> {
    const mode = readMode(name);
    const servers = mode?.servers ?? 1;
    if (!mode || servers < 2) throw new Error(`${name}: restartServer is for multi-server clusters`);
    const current = serverState(name, index, mode);
    if (current.running) return Promise.resolve(current);
    const args = serverArgs(specFor(name), index, servers, serverFiles(name, index).dataDir, mode);
    const probe = spawnAgent(name, index, args, false);
    log(`${name}: restarted server ${index} (pid ${probe.pid})`);
    return Promise.resolve(serverState(name, index, mode));
}

/** Index of the server that is the raft leader, from the leader's server port. */
export async function leaderIndex(name: string): Promise<number | undefined> {
    const spec = specFor(name);
    const servers = readMode(name)?.servers ?? 1;
    for (const m of status(name).members ?? []) {
        if (!m.running) continue;
        const res = await httpGet(`${m.address}/v1/status/leader`);
        const leader = res?.status === 200 ? (JSON.parse(res.body) as string) : "";
        const port = Number(leader.split(":").pop());
        for (let i = 0; i < servers; i++) if (serverPorts(spec, i).server === port) return i;
    }
    return undefined;
}

/**
 * Waits until a multi-server cluster is healthy: every server answers, all agree on one leader,
 * raft has `servers` voters and autopilot reports the cluster healthy.
 */
export async function waitHealthy(name: string, timeoutMs = 120_000): Promise<{ leader: string; peers: string[] }> {
    const deadline = Date.now() + timeoutMs;
    const addresses = clusterAddresses(name);
    let last = "no answer";
    while (Date.now() < deadline) {
        const leaders = await Promise.all(addresses.map((a) => httpGet(`${a}/v1/status/leader`)));
        const peersRes = await httpGet(`${addresses[0]}/v1/status/peers`);
        const health = await httpGet(`${addresses[0]}/v1/operator/autopilot/health`);
        const names = leaders.map((l) => (l?.status === 200 ? (JSON.parse(l.body) as string) : ""));
        const peers = peersRes?.status === 200 ? (JSON.parse(peersRes.body) as string[]) : [];
        const h =
            health?.status === 200
                ? (JSON.parse(health.body) as {
                      Healthy: boolean;
                      Voters?: string[];
                      Servers?: Array<{ Voter: boolean; Healthy: boolean }> | null;
                  })
                : undefined;
        const voters = h?.Servers?.filter((s) => s.Voter && s.Healthy).length ?? 0;
        if (
            names[0] !== "" &&
            names.every((n) => n === names[0]) &&
            peers.length === addresses.length &&
            h?.Healthy &&
            voters === addresses.length
        ) {
            return { leader: names[0], peers };
        }
        last = `leaders ${JSON.stringify(names)}, peers ${peers.length}, autopilot healthy ${h?.Healthy}, healthy voters ${voters}`;
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${name} was not healthy after ${timeoutMs} ms (${last})`);
}

/**
 * Starts the named clusters one after the other (two agents booting at once on a small machine slow
 * each other down), each a single dev agent with peering on (Consul's default). Returns their states.
 */
export async function startFleet(names: readonly string[], opts: StartOptions = {}): Promise<ClusterState[]> {
    const states: ClusterState[] = [];
    for (const name of names) states.push(await start(name, opts));
    return states;
}

/** Stops the named clusters (each only if this checkout started it); every one is tried even if one fails. */
export async function stopFleet(names: readonly string[], opts: { log?: (msg: string) => void } = {}): Promise<void> {
    const failures: string[] = [];
    for (const name of names) {
        try {
            await stop(name, opts);
        } catch (err) {
            failures.push(`${name}: ${(err as Error).message}`);
        }
    }
    if (failures.length > 0) throw new Error(`could not stop ${failures.join("; ")}`);
}
