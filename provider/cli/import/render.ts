// Writes the Pulumi TypeScript project for what `collect` found: deterministic text (stable order,
// names derived from Consul's, no timestamps), so importing the same cluster twice gives the same files.
import { Code, Reference, RESOURCE_TYPES, type Declaration, type ImportResult, type ResourceType } from "./model";
import type { ConnectionInput } from "../../consul/connection";

export interface RenderOptions {
    /** Pulumi project name. */
    project: string;
    /** The address the program's shared connection points at. */
    address: string;
    datacenter?: string;
    /** TLS files (paths, never their contents) for the shared connection. */
    tls: Pick<ConnectionInput, "caCert" | "caPath" | "clientCert" | "clientKey" | "tlsServerName" | "insecureSkipVerify">;
    /** retainOnDelete on every adopted resource (default true; `--no-retain` turns it off). */
    retain: boolean;
    /** The consul-mesh version range for package.json. */
    consulMeshVersion: string;
    pulumiVersion: string;
}

/** Keys that name an object: written first in a declaration. */
const FIRST_KEYS = ["kind", "name", "destination", "accessorId", "source", "sourcePeer"];
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(["config", "connection", "adopted", "pulumi", "mesh"]);

/** camelCase identifier from a Consul-derived name ("policy-web-read" -> "policyWebRead"). */
function identifier(base: string): string {
    const words = base.split(/[^A-Za-z0-9]+/).filter(Boolean);
    const text = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
    const safe = /^[0-9]/.test(text) || text === "" ? `r${text}` : text;
    return RESERVED.has(safe) ? `${safe}Resource` : safe;
}

/** A Pulumi resource name from a Consul-derived name (lower case, dashes). */
function resourceName(base: string): string {
    return base
        .replace(/[^A-Za-z0-9_.-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .toLowerCase();
}

interface Named extends Declaration {
    variable: string;
    name: string;
}

/** Declarations in program order (by type, then Consul id) with unique variable and resource names. */
export function ordered(declarations: readonly Declaration[]): Named[] {
    const typeOrder = (t: ResourceType) => RESOURCE_TYPES.indexOf(t);
    const sorted = [...declarations].sort((a, b) => typeOrder(a.type) - typeOrder(b.type) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const variables = new Set<string>();
    const names = new Set<string>();
    return sorted.map((d) => {
        const unique = (candidate: string, taken: Set<string>) => {
            let out = candidate;
            for (let i = 2; taken.has(out); i++) out = `${candidate}${i}`;
            taken.add(out);
            return out;
        };
        return { ...d, variable: unique(identifier(d.baseName), variables), name: unique(resourceName(d.baseName) || "resource", names) };
    });
}

function stringLiteral(s: string): string {
    if (s.includes("\n") && !s.includes("\r")) {
        return "`" + s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
    }
    return JSON.stringify(s);
}

function literal(value: unknown, indent: string, refs: Map<string, string>): string {
    if (value instanceof Code) return value.text;
    if (value instanceof Reference) {
        const variable = refs.get(`${value.type}\0${value.id}`);
        return variable ? `${variable}.${value.prop}` : literal(value.value, indent, refs);
    }
    if (typeof value === "string") return stringLiteral(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (value === null) return "null";
    if (value === undefined) return "undefined";
    const inner = indent + "    ";
    if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        const items = value.map((v) => literal(v, inner, refs));
        const flat = `[${items.join(", ")}]`;
        return flat.length <= 80 && !flat.includes("\n") ? flat : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
    }
    // What names the object first, then the rest in the order the provider's read gives them.
    const rank = (k: string) => (FIRST_KEYS.includes(k) ? FIRST_KEYS.indexOf(k) : FIRST_KEYS.length);
    const entries = Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map((e, i) => ({ e, i }))
        .sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i)
        .map(({ e }) => e);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([k, v]) => {
        const key = IDENT.test(k) ? k : JSON.stringify(k);
        const text = literal(v, inner, refs);
        return text === key ? `${inner}${key},` : `${inner}${key}: ${text},`;
    });
    return `{\n${lines.join("\n")}\n${indent}}`;
}

const HEADINGS: Record<ResourceType, string> = {
    CaConfiguration: "Connect CA",
    AclPolicy: "ACL policies",
    AclRole: "ACL roles",
    AclToken: "ACL tokens (by accessor id: the secrets stay in Consul)",
    AclAuthMethod: "ACL auth methods",
    AclBindingRule: "ACL binding rules (each adopts its auth method's one rule granting the same logins)",
    ProxyDefaults: "Proxy defaults",
    Mesh: "Mesh",
    JwtProvider: "JWT providers",
    ServiceDefaults: "Service defaults",
    ServiceResolver: "Service resolvers",
    ConfigEntry: "Other config entries",
    ServiceIntentions: "Intentions",
    Intention: "Intentions",
    ExportedServices: "Exported services",
    Peering: "Peerings (dialing side)",
};

export function indexTs(result: ImportResult, opts: RenderOptions): string {
    const decls = ordered(result.declarations);
    const refs = new Map(decls.map((d) => [`${d.type}\0${d.id}`, d.variable]));
    const connection: Record<string, unknown> = {
        address: new Code(`config.get("address") ?? ${JSON.stringify(opts.address)}`),
        ...(opts.datacenter ? { datacenter: opts.datacenter } : {}),
        token: new Code('config.getSecret("token")'),
        tokenFile: new Code('config.get("tokenFile")'),
        ...opts.tls,
    };
    const out: string[] = [
        "// Generated by `consul-mesh import`: every object below existed in Consul before this program and",
        "// is adopted (`adopt: true`) as it is, so the first `pulumi up` changes nothing Consul serves but",
        `// consul-mesh's ownership mark.${opts.retain ? " `retainOnDelete` keeps each one in Consul on destroy." : ""}`,
        'import * as pulumi from "@pulumi/pulumi";',
        'import * as mesh from "consul-mesh";',
        "",
        "const config = new pulumi.Config();",
        "",
        "/** The cluster everything below lives in; the token comes from secret stack config (`token`) or CONSUL_HTTP_TOKEN. */",
        `const connection: mesh.ConnectionArgs = ${literal(connection, "", refs)};`,
        "",
        opts.retain
            ? "/** Objects that existed before this program stay in Consul when a resource is deleted or the stack destroyed. */"
            : "/** `--no-retain`: destroying a resource deletes the object from Consul. */",
        `const adopted: pulumi.CustomResourceOptions = { retainOnDelete: ${opts.retain} };`,
    ];
    let heading = "";
    for (const d of decls) {
        if (HEADINGS[d.type] !== heading) {
            heading = HEADINGS[d.type];
            out.push("", `// ${heading}`);
        }
        const args: Record<string, unknown> = { ...d.inputs, ...(d.adoptable ? { adopt: true } : {}), connection: new Code("connection") };
        out.push("");
        if (d.comment) out.push(`// ${d.comment}`);
        out.push(`const ${d.variable} = new mesh.${d.type}(${JSON.stringify(d.name)}, ${literal(args, "", refs)}, adopted);`);
    }
    out.push("");
    out.push("export const imported = {");
    for (const type of RESOURCE_TYPES) {
        const n = decls.filter((d) => d.type === type).length;
        if (n > 0) out.push(`    ${type}: ${n},`);
    }
    out.push("};");
    // Every declaration is used (so a user's noUnusedLocals stays quiet).
    out.push("export const resources = [", ...decls.map((d) => `    ${d.variable},`), "].map((r) => r.urn);");
    return out.join("\n") + "\n";
}

export function readme(result: ImportResult, opts: RenderOptions): string {
    const decls = ordered(result.declarations);
    const secrets = decls.flatMap((d) => d.secrets ?? []);
    const lines = [
        `# ${opts.project}`,
        "",
        `Generated by \`consul-mesh import\` from ${opts.address}. Every object declared in \`index.ts\` existed in`,
        "Consul before this program: each resource is created with `adopt: true`, which takes the object over as",
        "it is (the first `pulumi up` writes only consul-mesh's ownership mark, `managed-by=consul-mesh`, where",
        "the kind has one).",
        opts.retain
            ? "Each is declared with `retainOnDelete: true`: `pulumi destroy`, or removing a declaration, leaves the object in Consul. Remove the option from a resource once you want Pulumi to own its deletion."
            : "Generated with `--no-retain`: `pulumi destroy`, or removing a declaration, deletes the object from Consul.",
        "",
        "## Next steps",
        "",
        "```sh",
        "npm install",
        "pulumi stack init <stack>",
        "# Secrets go in on standard input, never as a command-line argument (shell history, process list):",
        "pulumi config set --secret token < token-file   # a token with write access to what is declared (or CONSUL_HTTP_TOKEN)",
        ...secrets.map((s) => `pulumi config set --secret ${s.key} < file-holding-it   # ${s.what}`),
        "pulumi preview   # creates only: each one adopts the object it names",
        "pulumi up",
        "pulumi preview --refresh --expect-no-changes   # in CI, to see drift",
        "```",
        "",
        "## What is declared",
        "",
        ...RESOURCE_TYPES.flatMap((t) => {
            const n = decls.filter((d) => d.type === t).length;
            return n > 0 ? [`- ${t}: ${n}`] : [];
        }),
        "",
        "## What is not declared",
        "",
    ];
    if (result.skipped.length === 0) lines.push("Nothing was left out.");
    for (const s of result.skipped) lines.push(`- ${s.what}: ${s.why}`);
    lines.push(
        "",
        "Not read at all: service registrations, KV, sessions and prepared queries (consul-mesh does not manage",
        "them), and Enterprise-only kinds (namespaces, partitions, sameness groups).",
        "",
    );
    return lines.join("\n");
}

export function projectFiles(result: ImportResult, opts: RenderOptions): Record<string, string> {
    return {
        "Pulumi.yaml": [
            `name: ${opts.project}`,
            "description: A Consul mesh adopted by consul-mesh import.",
            "runtime:",
            "  name: nodejs",
            "  options:",
            "    typescript: true",
            "",
        ].join("\n"),
        "package.json":
            JSON.stringify(
                {
                    name: opts.project,
                    private: true,
                    main: "index.ts",
                    dependencies: { "@pulumi/pulumi": opts.pulumiVersion, "consul-mesh": opts.consulMeshVersion },
                    devDependencies: { typescript: "^5.9.3" },
                },
                null,
                2,
            ) + "\n",
        "tsconfig.json":
            JSON.stringify(
                {
                    compilerOptions: {
                        target: "ES2022",
                        module: "commonjs",
                        moduleResolution: "node10",
                        strict: true,
                        noImplicitAny: true,
                        esModuleInterop: true,
                        skipLibCheck: true,
                    },
                    files: ["index.ts"],
                },
                null,
                2,
            ) + "\n",
        "index.ts": indexTs(result, opts),
        "README.md": readme(result, opts),
        ".gitignore": "node_modules/\n",
    };
}
