// Descriptions and outputs for the plugin's package schema, read from the SDK's TSDoc (the text
// TypeScript users see): each resource class's comment, its `Args` interface's fields, its
// `declare public readonly` outputs; each function's `OutputArgs` fields and result interface; the
// ConnectionArgs fields for the provider config. Read with the TypeScript parser, no type checker:
// output types are mapped from their written form (anything not plainly a string, number, boolean or
// list of strings is `Any`).
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import type { SchemaDocs, TypeSpec } from "../../provider/plugin/schema";
import { functionCatalog } from "../../provider/functions/catalog";
import { allKinds } from "../../provider/plugin/kinds";

const ROOT = path.join(__dirname, "..", "..");

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

function parse(file: string): ts.SourceFile {
    return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

/** A node's TSDoc text (tags other than the description dropped; one paragraph per line kept). */
function docOf(node: ts.Node): string | undefined {
    const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
    const text = docs
        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
        .join("\n")
        .replace(/\{@link ([^}]+)\}/g, "`$1`")
        .trim();
    return text === "" ? undefined : text;
}

/** A written type mapped to a Pulumi type. */
export function typeOfText(text: string): TypeSpec {
    let t = text.replace(/\s+/g, " ").trim();
    const output = /^pulumi\.Output<(.*)>$/.exec(t);
    if (output) t = output[1].trim();
    t = t
        .split("|")
        .map((s) => s.trim())
        .filter((s) => s !== "undefined" && s !== "null")
        .join(" | ");
    if (t === "string" || /^"[^"]*"( \| "[^"]*")*$/.test(t)) return { type: "string" };
    if (t === "number") return { type: "number" };
    if (t === "boolean") return { type: "boolean" };
    if (t === "string[]" || t === "Array<string>" || t === "readonly string[]") return { type: "array", items: { type: "string" } };
    if (t === "Record<string, string>") return { type: "object", additionalProperties: { type: "string" } };
    return { $ref: "pulumi.json#/Any" };
}

interface Member {
    description?: string;
    type: TypeSpec;
}

/** Every interface in `files`, by name, with its members (inherited ones included, `Omit<>` honoured). */
function interfaces(files: string[]): Map<string, ts.InterfaceDeclaration> {
    const found = new Map<string, ts.InterfaceDeclaration>();
    for (const file of files) {
        ts.forEachChild(parse(file), (node) => {
            if (ts.isInterfaceDeclaration(node)) found.set(node.name.text, node);
        });
    }
    return found;
}

function membersOf(name: string, all: Map<string, ts.InterfaceDeclaration>, omit: Set<string> = new Set()): Record<string, Member> {
    const decl = all.get(name);
    if (!decl) return {};
    const out: Record<string, Member> = {};
    for (const clause of decl.heritageClauses ?? []) {
        for (const base of clause.types) {
            const baseName = base.expression.getText();
            if (baseName === "Omit" && base.typeArguments?.length === 2) {
                const [target, keys] = base.typeArguments;
                const dropped = new Set(
                    keys
                        .getText()
                        .split("|")
                        .map((k) => k.trim().replace(/"/g, "")),
                );
                Object.assign(out, membersOf(target.getText(), all, dropped));
            } else {
                Object.assign(out, membersOf(baseName, all));
            }
        }
    }
    for (const m of decl.members) {
        if (!ts.isPropertySignature(m) || !m.name || omit.has(m.name.getText())) continue;
        const key = m.name.getText().replace(/"/g, "");
        out[key] = { description: docOf(m), type: typeOfText(m.type?.getText() ?? "") };
    }
    for (const k of omit) delete out[k];
    return out;
}

function descriptions(members: Record<string, Member>): Record<string, string> {
    return Object.fromEntries(Object.entries(members).flatMap(([k, m]) => (m.description ? [[k, m.description]] : [])));
}

/** The docs the schema generator takes, read from sdk/ (and provider/functions for results). */
export function readSchemaDocs(): SchemaDocs {
    const resourceFiles = fs.readdirSync(path.join(ROOT, "sdk", "resources")).map((f) => path.join(ROOT, "sdk", "resources", f));
    const functionFiles = [
        ...fs.readdirSync(path.join(ROOT, "sdk", "functions")).map((f) => path.join(ROOT, "sdk", "functions", f)),
        ...fs.readdirSync(path.join(ROOT, "provider", "functions")).map((f) => path.join(ROOT, "provider", "functions", f)),
    ];
    const all = interfaces([
        ...resourceFiles,
        ...functionFiles,
        path.join(ROOT, "sdk", "connection.ts"),
        path.join(ROOT, "sdk", "intention-types.ts"),
    ]);
    // The provider classes' `<Kind>Outputs` interfaces: outputs the SDK class does not declare (e.g. `policyId`).
    const providerOutputs = interfaces(
        fs.readdirSync(path.join(ROOT, "provider", "resources")).map((f) => path.join(ROOT, "provider", "resources", f)),
    );

    const resources: Record<string, SchemaDocs["resources"][keyof SchemaDocs["resources"]]> = {};
    for (const kind of allKinds()) {
        const file = path.join(ROOT, "sdk", "resources", `${kebab(kind)}.ts`);
        if (!fs.existsSync(file)) continue;
        let description: string | undefined;
        const outputs: Record<string, Member> = {};
        ts.forEachChild(parse(file), (node) => {
            if (!ts.isClassDeclaration(node) || node.name?.text !== kind) return;
            description = docOf(node);
            for (const m of node.members) {
                const declared = ts.canHaveModifiers(m) && (ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.DeclareKeyword);
                if (!ts.isPropertyDeclaration(m) || !declared) continue;
                outputs[m.name.getText()] = { description: docOf(m), type: typeOfText(m.type?.getText() ?? "") };
            }
        });
        for (const [key, member] of Object.entries(membersOf(`${kind}Outputs`, providerOutputs))) outputs[key] ??= member;
        resources[kind] = { description, inputs: descriptions(membersOf(`${kind}Args`, all)), outputs };
    }

    const functions: Record<string, SchemaDocs["functions"][string]> = {};
    for (const name of Object.keys(functionCatalog)) {
        const pascal = name[0].toUpperCase() + name.slice(1);
        const args = membersOf(`${pascal}OutputArgs`, all);
        let result: string | undefined;
        for (const file of functionFiles) {
            ts.forEachChild(parse(file), (node) => {
                if (ts.isFunctionDeclaration(node) && node.name?.text === name && node.type) {
                    result = /^Promise<(\w+)>$/.exec(node.type.getText())?.[1];
                }
            });
        }
        functions[name] = { inputs: descriptions(args), outputs: result ? membersOf(result, all) : {} };
    }

    return { resources, functions, config: descriptions(membersOf("ConnectionArgs", all)) };
}
