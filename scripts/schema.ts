// npm run schema: writes schema.json, the plugin's Pulumi package schema, from the zod schemas and
// the SDK's TSDoc (see provider/plugin/schema.ts). `--check` exits 1 when the checked-in file differs.
import * as fs from "node:fs";
import * as path from "node:path";
import { packageSchema } from "../provider/plugin/schema";
import { readSchemaDocs } from "./lib/schema-docs";

/** The schema text as it is checked in. */
export function schemaText(): string {
    const manifest: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
    const version = typeof manifest === "object" && manifest !== null ? String(Reflect.get(manifest, "version")) : "0.0.0";
    return `${JSON.stringify(packageSchema(readSchemaDocs(), version), null, 2)}\n`;
}

export const SCHEMA_PATH = path.join(__dirname, "..", "schema.json");

if (require.main === module) {
    const text = schemaText();
    if (process.argv.includes("--check")) {
        const held = fs.existsSync(SCHEMA_PATH) ? fs.readFileSync(SCHEMA_PATH, "utf8") : "";
        if (held !== text) {
            process.stderr.write("schema.json is stale: run npm run schema\n");
            process.exit(1);
        }
    } else {
        fs.writeFileSync(SCHEMA_PATH, text);
        process.stdout.write(`wrote ${SCHEMA_PATH} (${text.length} bytes)\n`);
    }
}
