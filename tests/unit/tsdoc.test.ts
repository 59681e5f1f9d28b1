import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { HEADER_FIELD_MIN_VERSION } from "../../provider/model/intention-model";

// Everything a user imports carries TSDoc, so editors show help while they type: every exported
// interface, class, function and type in sdk/, every property of an exported interface, and every
// public output declared on an exported class.
const sdkDir = path.resolve(__dirname, "..", "..", "sdk");

function files(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

function hasDoc(node: ts.Node): boolean {
    return ts.getJSDocCommentsAndTags(node).length > 0;
}

function isExported(node: ts.Node): boolean {
    return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
}

function undocumented(): string[] {
    const missing: string[] = [];
    for (const file of files(sdkDir)) {
        const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
        const where = (node: ts.Node, name: string) =>
            `${path.relative(sdkDir, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${name}`;
        source.forEachChild((node) => {
            if (!isExported(node)) return;
            if (
                ts.isInterfaceDeclaration(node) ||
                ts.isClassDeclaration(node) ||
                ts.isFunctionDeclaration(node) ||
                ts.isTypeAliasDeclaration(node)
            ) {
                const name = node.name?.getText(source) ?? "(anonymous)";
                if (!hasDoc(node)) missing.push(where(node, name));
                if (ts.isInterfaceDeclaration(node)) {
                    for (const member of node.members) {
                        if (ts.isPropertySignature(member) && !hasDoc(member))
                            missing.push(where(member, `${name}.${member.name.getText(source)}`));
                    }
                }
                if (ts.isClassDeclaration(node)) {
                    for (const member of node.members) {
                        const isPublicProperty =
                            ts.isPropertyDeclaration(member) &&
                            !(ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
                        if (isPublicProperty && !hasDoc(member)) missing.push(where(member, `${name}.${member.name.getText(source)}`));
                    }
                }
            }
        });
    }
    return missing;
}

/** The TSDoc text of one property of an exported interface in an sdk/ file. */
function propertyDoc(file: string, iface: string, property: string): string {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(sdkDir, file), "utf8"), ts.ScriptTarget.ES2022, true);
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === iface);
    const member = decl?.members.find((m) => m.name?.getText(source) === property);
    return member
        ? ts
              .getJSDocCommentsAndTags(member)
              .map((d) => d.getText(source))
              .join("\n")
        : "";
}

describe("TSDoc on the public API", () => {
    it("documents every exported type, input and output in sdk/", () => {
        const missing = undocumented();
        assert.deepEqual(missing, [], `undocumented:\n${missing.join("\n")}`);
    });

    it("names the Consul version each version-gated header field needs, as the gate enforces it", () => {
        for (const [field, version] of Object.entries(HEADER_FIELD_MIN_VERSION)) {
            const doc = propertyDoc("intention-types.ts", "HeaderMatch", field);
            assert.match(doc, new RegExp(`Consul ${version.replace(/\./g, "\\.")} or newer`), `HeaderMatch.${field}: ${doc}`);
        }
    });
});
