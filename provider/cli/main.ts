#!/usr/bin/env node
// `consul-mesh import`: writes a Pulumi program that adopts what a Consul cluster holds. Connection
// settings resolve as the provider resolves them (flags, then Consul's environment variables, then
// http://127.0.0.1:8500); a token is taken from a file or standard input, never from the command line.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { resolveConnection, type ConnectionInput } from "../consul/connection";
import { collect, KIND_GROUPS, type KindGroup } from "./import/collect";
import { ordered, projectFiles, type RenderOptions } from "./import/render";

const USAGE = `Usage: consul-mesh import [options]

Reads what consul-mesh models on a Consul cluster and writes a Pulumi TypeScript program that adopts it.

  --out <dir>              where to write the project (default ./consul-mesh-import)
  --dry-run                list what would be written, write nothing
  --kinds <a,b>            only these: ${KIND_GROUPS.join(", ")}
  --services <a,b>         only config entries and intentions of these services (and cluster-wide entries: proxy-defaults, mesh, jwt-provider, exported-services)
  --intentions <form>      "service-intentions" (default: one ServiceIntentions per destination) or "pairs" (one Intention per pair)
  --no-retain              no retainOnDelete: destroy deletes adopted objects from Consul
  --project <name>         Pulumi project name (default consul-mesh-import)
  --address <addr>         Consul HTTP address (else CONSUL_HTTP_ADDR, else http://127.0.0.1:8500)
  --datacenter <dc>
  --token-file <file>      file holding the ACL token (else CONSUL_HTTP_TOKEN_FILE / CONSUL_HTTP_TOKEN)
  --token-stdin            read the ACL token from standard input
  --ca-cert <file>, --ca-path <dir>, --client-cert <file>, --client-key <file>, --tls-server-name <name>, --insecure-skip-verify
                           TLS (else CONSUL_CACERT, CONSUL_CAPATH, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME, CONSUL_HTTP_SSL_VERIFY)
`;

const progress = (line: string) => process.stderr.write(`consul-mesh import: ${line}\n`);

function list(value: string | undefined): string[] | undefined {
    return value === undefined
        ? undefined
        : value
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean);
}

function isKindGroup(value: string): value is KindGroup {
    return KIND_GROUPS.some((g) => g === value);
}

/** This package's version, for the generated package.json. */
function ownVersion(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (!fs.existsSync(file)) continue;
        const pkg = z
            .object({ name: z.string(), version: z.string(), devDependencies: z.record(z.string(), z.string()).optional() })
            .loose()
            .safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
        if (pkg.success && pkg.data.name === "consul-mesh") return pkg.data.version;
    }
    return "*";
}

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8").trim();
}

export async function importCommand(argv: string[]): Promise<number> {
    if (argv.some((a) => a === "--token" || a.startsWith("--token="))) {
        progress(
            "a token is never taken on the command line (it would land in shell history and process lists): use --token-file, --token-stdin or CONSUL_HTTP_TOKEN(_FILE)",
        );
        return 2;
    }
    const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
            out: { type: "string" },
            "dry-run": { type: "boolean" },
            kinds: { type: "string" },
            services: { type: "string" },
            intentions: { type: "string" },
            "no-retain": { type: "boolean" },
            project: { type: "string" },
            address: { type: "string" },
            datacenter: { type: "string" },
            "token-file": { type: "string" },
            "token-stdin": { type: "boolean" },
            "ca-cert": { type: "string" },
            "ca-path": { type: "string" },
            "client-cert": { type: "string" },
            "client-key": { type: "string" },
            "tls-server-name": { type: "string" },
            "insecure-skip-verify": { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    const kinds = list(values.kinds);
    const unknownKinds = (kinds ?? []).filter((k) => !isKindGroup(k));
    if (unknownKinds.length > 0) {
        progress(`unknown --kinds ${unknownKinds.join(", ")}: choose from ${KIND_GROUPS.join(", ")}`);
        return 2;
    }
    if (values.intentions !== undefined && values.intentions !== "pairs" && values.intentions !== "service-intentions") {
        progress('--intentions must be "service-intentions" or "pairs"');
        return 2;
    }
    if (values["client-key"]?.includes("-----BEGIN")) {
        // The TLS settings are written into the program: a key must stay a file path there.
        progress("--client-key must be a file path, not the key itself (it is written into the generated program)");
        return 2;
    }
    if (values["token-stdin"] && values["token-file"]) {
        progress("give the token one way: --token-file or --token-stdin");
        return 2;
    }
    const tls = {
        caCert: values["ca-cert"],
        caPath: values["ca-path"],
        clientCert: values["client-cert"],
        clientKey: values["client-key"],
        tlsServerName: values["tls-server-name"],
        insecureSkipVerify: values["insecure-skip-verify"],
    };
    const connection: ConnectionInput = {
        ...Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)),
        ...(values.address ? { address: values.address } : {}),
        ...(values.datacenter ? { datacenter: values.datacenter } : {}),
        ...(values["token-file"] ? { tokenFile: values["token-file"] } : {}),
    };
    if (values["token-stdin"]) {
        const token = await readStdin();
        if (token === "") {
            progress("--token-stdin: standard input was empty");
            return 2;
        }
        connection.token = token;
    }
    const resolved = resolveConnection(connection, () => undefined, process.env);
    progress(`reading ${resolved.baseUrl}${resolved.datacenter ? ` (datacenter ${resolved.datacenter})` : ""}`);
    const started = Date.now();
    const result = await collect({
        connection,
        kinds: kinds ? new Set(kinds.filter(isKindGroup)) : undefined,
        services: values.services ? new Set(list(values.services)) : undefined,
        intentionPairs: values.intentions === "pairs",
        progress,
    });
    for (const s of result.skipped) progress(`not declared: ${s.what}: ${s.why}`);
    const total = Object.values(result.requests).reduce((a, b) => a + b, 0);
    progress(
        `${result.declarations.length} objects to declare, ${result.skipped.length} left out; ${total} requests in ${Date.now() - started} ms`,
    );

    const project = values.project ?? "consul-mesh-import";
    const opts: RenderOptions = {
        project,
        address: values.address ?? process.env.CONSUL_HTTP_ADDR ?? resolved.baseUrl,
        datacenter: values.datacenter,
        tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)),
        retain: !values["no-retain"],
        consulMeshVersion: `^${ownVersion()}`,
        pulumiVersion: "^3.276.0",
    };
    const out = path.resolve(values.out ?? "consul-mesh-import");
    const files = projectFiles(result, opts);
    if (values["dry-run"]) {
        for (const d of ordered(result.declarations)) process.stdout.write(`${d.type} ${d.name}  (${d.label})\n`);
        for (const name of Object.keys(files)) process.stdout.write(`would write ${path.join(out, name)}\n`);
        return 0;
    }
    fs.mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
    progress(`wrote ${out} (${Object.keys(files).join(", ")}); next: cd ${out} && npm install && see README.md`);
    return 0;
}

export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === "import") return importCommand(rest);
    process.stderr.write(USAGE);
    return command === undefined || command === "--help" || command === "-h" ? 0 : 2;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (err: unknown) => {
            progress(err instanceof Error ? err.message : String(err));
            process.exitCode = 1;
        },
    );
}
