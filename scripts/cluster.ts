// npm run cluster -- start [--acl[=dc1,dc2]] [--only=dc1,dc2] [--count N] [--servers 3] | stop | status | --help
// --servers 3 makes dc1 three real Consul servers (-bootstrap-expect=3, not -dev) on loopback; the
// other clusters stay single dev agents.
import { CLUSTER_NAMES, clusterAddresses, clusterSpecs, fleetNames, portOffsetHelp, start, status, stop } from "./lib/clusters";

const USAGE = "usage: npm run cluster -- start [--acl[=dc1,dc2]] [--only=dc1,dc2] [--count N] [--servers 3] | stop | status | --help";

const HELP = `${USAGE}

  start    start dc1 and dc2 (dc3..dc6 with --only or --count) and wait until each has a leader and an active CA root
           --acl[=dc1,dc2]   ACLs on (default deny, no initial management token) for the named clusters
           --only=dc1,dc2    only these clusters (any of ${CLUSTER_NAMES.join(", ")})
           --count N         the first N clusters, dc1..dcN (1 to ${CLUSTER_NAMES.length}), e.g. a fleet for PeeringMesh
           --servers 3|5     dc1 as that many real servers instead of one dev agent
  stop     stop the clusters this checkout started (the processes in their pid files)
  status   say which clusters run, where, and where their logs are

Port layout (http, grpc, grpc_tls, serf lan/wan, server; at CONSUL_MESH_PORT_OFFSET=0):
${clusterLayout()}

${portOffsetHelp()}
`;

function clusterLayout(): string {
    const saved = process.env.CONSUL_MESH_PORT_OFFSET;
    process.env.CONSUL_MESH_PORT_OFFSET = "0";
    try {
        return clusterSpecs()
            .map((c) => {
                const p = c.ports;
                return `  ${c.name}  ${p.http}, ${p.grpc}, ${p.grpcTls}, ${p.serfLan}/${p.serfWan}, ${p.server}${p.dns > 0 ? `, dns ${p.dns}` : ""}`;
            })
            .join("\n");
    } finally {
        if (saved === undefined) delete process.env.CONSUL_MESH_PORT_OFFSET;
        else process.env.CONSUL_MESH_PORT_OFFSET = saved;
    }
}

function listArg(args: string[], flag: string): string[] | undefined {
    const hit = args.find((a) => a === flag || a.startsWith(`${flag}=`));
    if (!hit) return undefined;
    return hit === flag
        ? ["dc1", "dc2"]
        : hit
              .slice(flag.length + 1)
              .split(",")
              .filter(Boolean);
}

/** `--count 4` or `--count=4`: dc1..dc4. */
function countArg(args: string[]): string[] | undefined {
    const i = args.findIndex((a) => a === "--count" || a.startsWith("--count="));
    if (i < 0) return undefined;
    const raw = args[i] === "--count" ? args[i + 1] : args[i].slice("--count=".length);
    return fleetNames(Number(raw));
}

/** `--servers 3` or `--servers=3` (default 1). */
function serversArg(args: string[]): number {
    const i = args.findIndex((a) => a === "--servers" || a.startsWith("--servers="));
    if (i < 0) return 1;
    const raw = args[i] === "--servers" ? args[i + 1] : args[i].slice("--servers=".length);
    const n = Number(raw);
    if (![1, 3, 5].includes(n)) throw new Error(`--servers must be 1, 3 or 5 (got "${raw ?? ""}")`);
    return n;
}

async function main(): Promise<void> {
    const [command, ...args] = process.argv.slice(2);
    if (command === "--help" || command === "-h" || command === "help" || args.includes("--help")) {
        process.stdout.write(HELP);
        return;
    }
    // dc1 and dc2 by default; dc3 (for ACL tests) only when named with --only.
    const names = listArg(args, "--only") ?? countArg(args) ?? ["dc1", "dc2"];
    const log = (msg: string) => console.error(`[cluster] ${msg}`);
    switch (command) {
        case "start": {
            const acl = listArg(args, "--acl") ?? [];
            const servers = serversArg(args);
            const started = Date.now();
            // Sequential on purpose: two agents booting at once on 2 cores slow each other down.
            for (const name of names) {
                await start(name, { acl: acl.includes(name), log, ...(name === "dc1" && servers > 1 ? { servers } : {}) });
            }
            log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            break;
        }
        case "stop":
            // Stops every cluster this checkout started (dc1..dc6) unless --only or --count says otherwise.
            for (const name of listArg(args, "--only") ?? countArg(args) ?? CLUSTER_NAMES) await stop(name, { log });
            break;
        case "status":
            for (const name of names) {
                const s = status(name);
                console.log(
                    s.running
                        ? `${name}: running pid ${s.pid} at ${s.address} acl ${s.acl ? "on" : "off"} log ${s.logFile}`
                        : `${name}: stopped`,
                );
                if (s.running && (s.servers ?? 1) > 1) {
                    console.log(`${name}: ${s.servers} servers at ${clusterAddresses(name).join(",")}`);
                    for (const m of s.members ?? []) {
                        console.log(
                            `  server ${m.index}: ${m.running ? `running pid ${m.pid}` : "stopped"} at ${m.address} log ${m.logFile}`,
                        );
                    }
                }
            }
            break;
        default:
            console.error(USAGE);
            process.exitCode = 2;
    }
}

main().catch((err: Error) => {
    console.error(`[cluster] error: ${err.message}`);
    process.exitCode = 1;
});
