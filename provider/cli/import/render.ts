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

/**
 * The generated project's Prettier options (written as its `.prettierrc.json`): `index.ts` is
 * written already in this style, since the user's machine may have no Prettier.
 */
export const PRETTIER_OPTIONS = {
    printWidth: 120,
    tabWidth: 4,
    overrides: [{ files: ["*.json", "*.yaml", "*.yml", "*.md"], options: { tabWidth: 2 } }],
} as const;
const WIDTH = PRETTIER_OPTIONS.printWidth;
const TAB = " ".repeat(PRETTIER_OPTIONS.tabWidth);

/** A string as Prettier writes it: double quotes unless the text holds more of them than single ones. */
function quoted(s: string): string {
    const json = JSON.stringify(s);
    const doubles = (s.match(/"/g) ?? []).length;
    const singles = (s.match(/'/g) ?? []).length;
    if (doubles <= singles) return json;
    // JSON's escapes, with the quotes swapped: \" becomes ", and ' is escaped.
    return `'${json.slice(1, -1).replace(/\\(.)|'/g, (m: string, escaped?: string) => (escaped === '"' ? '"' : escaped !== undefined ? m : "\\'"))}'`;
}

function stringLiteral(s: string): string {
    if (s.includes("\n") && !s.includes("\r")) {
        return "`" + s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
    }
    return quoted(s);
}

/**
 * `value` as TypeScript in Prettier's layout, `indent` being the line's indentation and `used` the
 * width already taken on the line before it, `tail` the width after it (a comma). Objects stay
 * expanded, one key a line (Prettier keeps an object expanded when its first key is on a new line);
 * an array goes on one line when it fits, else one item a line.
 */
function literal(value: unknown, indent: string, refs: Map<string, string>, used = 0, tail = 1): string {
    if (value instanceof Code) {
        // A call of one string (config.requireSecret("key")) too long for its line: the argument on its own line.
        const call = /^([\w.]+)\(("[^"]*")\)$/.exec(value.text);
        return call && used + value.text.length + tail > WIDTH ? `${call[1]}(\n${indent}${TAB}${call[2]},\n${indent})` : value.text;
    }
    if (value instanceof Reference) {
        const variable = refs.get(`${value.type}\0${value.id}`);
        return variable ? `${variable}.${value.prop}` : literal(value.value, indent, refs, used, tail);
    }
    if (typeof value === "string") return stringLiteral(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (value === null) return "null";
    if (value === undefined) return "undefined";
    const inner = indent + TAB;
    if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        const flatItems = value.map((v) => literal(v, inner, refs, 0, 0));
        const flat = `[${flatItems.join(", ")}]`;
        // Prettier breaks an array of several objects, or of several arrays of two items or more.
        const nested =
            value.length > 1 &&
            value.every((v) =>
                Array.isArray(v) ? v.length > 1 : v !== null && typeof v === "object" && !(v instanceof Code || v instanceof Reference),
            );
        if (!nested && !flat.includes("\n") && used + flat.length + tail <= WIDTH) return flat;
        const items = value.map((v) => literal(v, inner, refs, inner.length, 1));
        return `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
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
        const key = IDENT.test(k) ? k : quoted(k);
        const text = literal(v, inner, refs, inner.length + key.length + 2, 1);
        return text === key
            ? `${inner}${key},`
            : property(key, text, inner, v instanceof Reference || (typeof v === "string" && !text.startsWith("`")));
    });
    return `{\n${lines.join("\n")}\n${indent}}`;
}

/**
 * `key: text,` at `indent`. A string or a member expression (a reference) that does not fit goes on
 * the next line, one level in, as Prettier breaks after the colon, unless the key is shorter than a
 * tab plus three (Prettier's "short key", where a break would gain too little).
 */
function property(key: string, text: string, indent: string, breakable = true): string {
    const line = `${indent}${key}: ${text},`;
    const breaks = breakable && key.length >= TAB.length + 3 && line.length > WIDTH && !text.includes("\n");
    return breaks ? `${indent}${key}:\n${indent}${TAB}${text},` : line;
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
        // Prettier's layout of a call whose middle argument is an expanded object: one argument a line.
        // Prettier's layout of a call whose middle argument is an expanded object: one argument a line,
        // and the call on a line of its own when its start does not fit after the variable.
        const head = `const ${d.variable} = new mesh.${d.type}(`;
        const at = head.length > WIDTH ? TAB : "";
        out.push(
            ...(at ? [`const ${d.variable} =`, `${at}new mesh.${d.type}(`] : [head]),
            `${at}${TAB}${quoted(d.name)},`,
            `${at}${TAB}${literal(args, at + TAB, refs)},`,
            `${at}${TAB}adopted,`,
            `${at});`,
        );
    }
    out.push("");
    const counts = RESOURCE_TYPES.flatMap((type) => {
        const n = decls.filter((d) => d.type === type).length;
        return n > 0 ? [`${TAB}${type}: ${n},`] : [];
    });
    out.push(...(counts.length > 0 ? ["export const imported = {", ...counts, "};"] : ["export const imported = {};"]));
    // Every declaration is used (so a user's noUnusedLocals stays quiet).
    const urns = decls.map((d) => property(d.variable, `${d.variable}.urn`, TAB));
    out.push(...(urns.length > 0 ? ["export const urns = {", ...urns, "};"] : ["export const urns = {};"]));
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
        ...(decls.length === 0
            ? ["Nothing."]
            : RESOURCE_TYPES.flatMap((t) => {
                  const n = decls.filter((d) => d.type === t).length;
                  return n > 0 ? [`- ${t}: ${n}`] : [];
              })),
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

/**
 * JSON as Prettier writes it (two spaces): objects one key a line, an array on one line when it fits
 * (`used` is the width before it on its line, plus one for a comma after it).
 */
function json(value: unknown, indent = "", used = 0): string {
    const inner = indent + "  ";
    if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        const flat = `[${value.map((v) => json(v, inner)).join(", ")}]`;
        if (!flat.includes("\n") && used + flat.length + 1 <= WIDTH) return flat;
        return `[\n${value.map((v) => `${inner}${json(v, inner, inner.length)}`).join(",\n")}\n${indent}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        if (entries.length === 0) return "{}";
        const lines = entries.map(
            ([k, v]) => `${inner}${JSON.stringify(k)}: ${json(v, inner, inner.length + JSON.stringify(k).length + 2)}`,
        );
        return `{\n${lines.join(",\n")}\n${indent}}`;
    }
    return JSON.stringify(value);
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
        // Prettier writes package.json as JSON.stringify does.
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
            json({
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
            }) + "\n",
        "index.ts": indexTs(result, opts),
        "README.md": readme(result, opts),
        ".gitignore": "node_modules/\n",
        ".prettierrc.json": json(PRETTIER_OPTIONS) + "\n",
    };
}
