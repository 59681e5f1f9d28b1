// The plugin's package schema: generated from the zod schemas and the SDK's TSDoc, checked in as
// schema.json. The first test fails when the checked-in file is stale (run `npm run schema`).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { z } from "zod";
import { providers, type ProviderKind } from "../../provider/index";
import { packageSchema, replaceOnChanges, TypeCollector, type SchemaDocs } from "../../provider/plugin/schema";
import { SCHEMA_PATH, schemaText } from "../../scripts/schema";
import { readSchemaDocs } from "../../scripts/lib/schema-docs";

const emptyDocs: SchemaDocs = { resources: {}, functions: {}, config: {} };

/** A property of the generated schema, read without casts. */
function at(value: unknown, ...path: string[]): unknown {
    let v = value;
    for (const key of path) v = typeof v === "object" && v !== null ? Reflect.get(v, key) : undefined;
    return v;
}

describe("plugin schema", () => {
    it("schema.json is the generator's output (run npm run schema when this fails)", () => {
        assert.equal(fs.readFileSync(SCHEMA_PATH, "utf8"), schemaText());
    });

    it("maps an enum to a named enum type, a nullish field to its type, a record to a map", () => {
        const collector = new TypeCollector();
        const json = z.toJSONSchema(
            z.object({ mode: z.enum(["a", "b"]), port: z.number().int().nullish(), headers: z.record(z.string(), z.string()) }).strict(),
            { io: "input" },
        );
        const type = collector.convert(json, "Thing");
        assert.deepEqual(type, { $ref: "#/types/consul-mesh:index:Thing" });
        assert.deepEqual(collector.types["consul-mesh:index:ThingMode"], { type: "string", enum: [{ value: "a" }, { value: "b" }] });
        const thing = collector.types["consul-mesh:index:Thing"];
        assert.ok(thing && thing.type === "object" && "properties" in thing);
        assert.deepEqual(thing.properties.port, { type: "integer" });
        assert.deepEqual(thing.properties.headers, { type: "object", additionalProperties: { type: "string" } });
        assert.deepEqual(thing.properties.mode, { $ref: "#/types/consul-mesh:index:ThingMode" });
        assert.deepEqual(thing.required, ["headers", "mode"]);
    });

    it("marks secrets, identity fields and required inputs as the provider classes treat them", () => {
        const schema = packageSchema(emptyDocs, "1.2.3");
        const intention = at(schema, "resources", "consul-mesh:index:Intention");
        assert.deepEqual(at(intention, "requiredInputs"), ["destination", "source"]);
        assert.equal(at(intention, "inputProperties", "source", "replaceOnChanges"), true);
        assert.equal(at(intention, "inputProperties", "action", "replaceOnChanges"), undefined);
        assert.equal(at(intention, "inputProperties", "secretNames"), undefined, "secretNames is the SDK's internal input");
        assert.equal(at(schema, "resources", "consul-mesh:index:AclToken", "properties", "secretId", "secret"), true);
        assert.equal(at(schema, "resources", "consul-mesh:index:PeeringToken", "inputProperties", "connection", "secret"), true);
        assert.equal(at(schema, "types", "consul-mesh:index:Connection", "properties", "token", "secret"), true);
        assert.equal(at(schema, "config", "variables", "token", "secret"), true);
        assert.equal(at(schema, "provider", "inputProperties", "token", "secret"), true);
        assert.equal(at(schema, "functions", "consul-mesh:index:getLeafCertificate", "inputs", "required", "0"), "service");
        assert.equal(at(schema, "version"), "1.2.3");
    });

    it("takes descriptions and outputs from the SDK's TSDoc", () => {
        const docs = readSchemaDocs();
        assert.match(docs.resources.Intention?.inputs.source ?? "", /Source service name/);
        assert.deepEqual(docs.resources.AclPolicy?.outputs.datacenters?.type, { type: "array", items: { type: "string" } });
        assert.deepEqual(
            docs.resources.AclPolicy?.outputs.policyId?.type,
            { type: "string" },
            "an output only the provider class declares",
        );
        assert.equal(at(docs.functions, "getLeafCertificate", "outputs", "privateKeyPem", "type", "type"), "string");
        const schema = packageSchema(docs, "0.0.0");
        assert.equal(
            at(schema, "functions", "consul-mesh:index:getLeafCertificate", "outputs", "properties", "privateKeyPem", "secret"),
            true,
        );
        assert.match(
            String(at(schema, "resources", "consul-mesh:index:Intention", "description")),
            /pulumi import consul-mesh:index:Intention/,
        );
    });

    it("replaceOnChanges lists fields whose change the kind's own diff answers with a replacement", async () => {
        // What each diff needs besides the field (AclToken asks whether the token is a built-in one).
        const base: Partial<Record<ProviderKind, Record<string, unknown>>> = {
            AclToken: { accessorId: "0b7c4a2e-1111-4c1d-9e0f-2a3b4c5d6e7f" },
        };
        const before = (field: string) => (field === "meta" ? { a: "1" } : field === "local" ? false : "before");
        const after = (field: string) => (field === "meta" ? { a: "2" } : field === "local" ? true : "after");
        for (const [kind, fields] of Object.entries(replaceOnChanges)) {
            assert.ok(kind in providers);
            const provider = Reflect.get(providers, kind) as {
                diff(id: string, olds: unknown, news: unknown): Promise<{ replaces?: string[] }>;
            };
            for (const field of fields ?? []) {
                const extra = base[kind as ProviderKind] ?? {};
                const result = await provider.diff("id", { ...extra, [field]: before(field) }, { ...extra, [field]: after(field) });
                assert.deepEqual(result.replaces, [field], `${kind}.${field}`);
            }
        }
    });
});
