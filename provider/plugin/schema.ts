// The Pulumi package schema of the plugin, generated from the zod schemas the provider classes check
// with (types, required inputs, enums) and from the SDK's TSDoc (descriptions, outputs), which
// scripts/schema.ts extracts and hands in as `SchemaDocs`. Secret and replace-on-change properties
// come from the same lists the plugin serves with (kinds.ts). `npm run schema` writes schema.json;
// a unit test fails when the checked-in file is stale.
import { z } from "zod";
import { connectionSchema } from "../consul/connection";
import { functionCatalog } from "../functions/catalog";
import type { ProviderKind } from "../index";
import { aclAuthMethodSchema } from "../resources/acl-auth-method";
import { aclBindingRuleSchema } from "../resources/acl-binding-rule";
import { aclBootstrapSchema } from "../resources/acl-bootstrap";
import { aclPolicySchema } from "../resources/acl-policy";
import { aclRoleSchema } from "../resources/acl-role";
import { aclTokenSchema } from "../resources/acl-token";
import { caConfigurationSchema } from "../resources/ca-configuration";
import { configEntrySchema } from "../resources/config-entry";
import { exportedServicesSchema } from "../resources/exported-services";
import { intentionAssertionsSchema } from "../resources/intention-assertions";
import { intentionSchema } from "../resources/intention";
import { jwtProviderSchema } from "../resources/jwt-provider";
import { meshSchema } from "../resources/mesh";
import { peeringTokenSchema } from "../resources/peering-token";
import { peeringSchema } from "../resources/peering";
import { proxyDefaultsSchema } from "../resources/proxy-defaults";
import { serviceDefaultsSchema } from "../resources/service-defaults";
import { serviceIntentionsSchema } from "../resources/service-intentions";
import { serviceResolverSchema } from "../resources/service-resolver";
import { importable, PACKAGE, secretOutputs } from "./kinds";

/** Each kind's input schema (the one its provider class checks with). */
export const inputSchemas: Record<ProviderKind, () => z.ZodType> = {
    Intention: intentionSchema,
    PeeringToken: peeringTokenSchema,
    Peering: peeringSchema,
    ExportedServices: exportedServicesSchema,
    AclBootstrap: aclBootstrapSchema,
    ServiceIntentions: serviceIntentionsSchema,
    ServiceDefaults: serviceDefaultsSchema,
    CaConfiguration: caConfigurationSchema,
    IntentionAssertions: intentionAssertionsSchema,
    AclPolicy: aclPolicySchema,
    AclRole: aclRoleSchema,
    AclToken: aclTokenSchema,
    AclAuthMethod: aclAuthMethodSchema,
    AclBindingRule: aclBindingRuleSchema,
    JwtProvider: jwtProviderSchema,
    ProxyDefaults: proxyDefaultsSchema,
    Mesh: meshSchema,
    ServiceResolver: serviceResolverSchema,
    ConfigEntry: configEntrySchema,
};

/** Inputs whose change replaces the object (what each class's diff puts in `replaces`; `cluster` aside). */
export const replaceOnChanges: Partial<Record<ProviderKind, readonly string[]>> = {
    Intention: ["source", "destination", "sourcePeer"],
    ServiceIntentions: ["destination"],
    ServiceDefaults: ["name"],
    ServiceResolver: ["name"],
    JwtProvider: ["name"],
    ConfigEntry: ["kind", "name"],
    ExportedServices: ["name"],
    AclAuthMethod: ["name", "type"],
    AclBindingRule: ["authMethod"],
    AclToken: ["rotation", "secretId", "accessorId", "local", "expirationTtl"],
    PeeringToken: ["peerName"],
    Peering: ["peerName", "peeringToken", "meta"],
};

/** Inputs the dynamic path's SDK computes: not part of the package's interface. */
const INTERNAL_INPUTS = new Set(["secretNames"]);

/** A Pulumi type reference or inline type. */
export interface TypeSpec {
    type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
    items?: TypeSpec;
    additionalProperties?: TypeSpec;
    $ref?: string;
}

export interface PropertySpec extends TypeSpec {
    description?: string;
    secret?: boolean;
    replaceOnChanges?: boolean;
}

export interface ObjectTypeSpec {
    type: "object";
    description?: string;
    properties: Record<string, PropertySpec>;
    required?: string[];
}

export interface EnumTypeSpec {
    type: "string";
    description?: string;
    enum: { value: string }[];
}

/** Descriptions and outputs from the SDK's TSDoc (scripts/schema.ts). */
export interface SchemaDocs {
    readonly resources: Partial<
        Record<
            ProviderKind,
            {
                readonly description?: string;
                readonly inputs: Readonly<Record<string, string>>;
                readonly outputs: Readonly<Record<string, { description?: string; type: TypeSpec }>>;
            }
        >
    >;
    readonly functions: Readonly<
        Record<
            string,
            {
                readonly inputs: Readonly<Record<string, string>>;
                readonly outputs: Readonly<Record<string, { description?: string; type: TypeSpec }>>;
            }
        >
    >;
    readonly config: Readonly<Record<string, string>>;
}

const ANY: TypeSpec = { $ref: "pulumi.json#/Any" };

/** A JSON Schema node as z.toJSONSchema writes one (only the parts mapped here). */
const jsonNode = z
    .object({
        type: z.union([z.string(), z.array(z.string())]).optional(),
        properties: z.record(z.string(), z.unknown()).optional(),
        required: z.array(z.string()).optional(),
        items: z.unknown().optional(),
        additionalProperties: z.unknown().optional(),
        enum: z.array(z.unknown()).optional(),
        const: z.unknown().optional(),
        anyOf: z.array(z.unknown()).optional(),
        oneOf: z.array(z.unknown()).optional(),
        description: z.string().optional(),
    })
    .loose();
type JsonNode = z.infer<typeof jsonNode>;

const pascal = (s: string) => s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

/** Converts JSON Schema to Pulumi types, collecting named object and enum types. */
export class TypeCollector {
    readonly types: Record<string, ObjectTypeSpec | EnumTypeSpec> = {};

    private token(name: string): string {
        return `${PACKAGE}:index:${name}`;
    }

    /** The Pulumi type of `raw` (a JSON Schema node); objects and enums become named types `name`. */
    convert(raw: unknown, name: string): TypeSpec {
        const parsed = jsonNode.safeParse(raw);
        if (!parsed.success) return ANY;
        const node: JsonNode = parsed.data;
        const branches = node.anyOf ?? node.oneOf;
        if (branches) {
            // `X | null` (a nullish field) is X; any other union is untyped.
            const nonNull = branches.filter((b) => jsonNode.safeParse(b).data?.type !== "null");
            return nonNull.length === 1 ? this.convert(nonNull[0], name) : ANY;
        }
        if (node.enum && node.enum.every((v): v is string => typeof v === "string")) {
            const token = this.token(name);
            this.types[token] = { type: "string", enum: node.enum.map((value) => ({ value })) };
            return { $ref: `#/types/${token}` };
        }
        if (typeof node.const === "string") return { type: "string" };
        const types = Array.isArray(node.type) ? node.type.filter((t) => t !== "null") : node.type ? [node.type] : [];
        if (types.length !== 1) return ANY;
        switch (types[0]) {
            case "string":
            case "number":
            case "integer":
            case "boolean":
                return { type: types[0] };
            case "array":
                return { type: "array", items: this.convert(node.items, `${name}Item`) };
            case "object":
                return this.object(node, name);
            default:
                return ANY;
        }
    }

    private object(node: JsonNode, name: string): TypeSpec {
        const props = node.properties ?? {};
        if (Object.keys(props).length === 0) {
            const extra = node.additionalProperties;
            if (extra === false || extra === undefined) return ANY;
            return { type: "object", additionalProperties: extra === true ? ANY : this.convert(extra, `${name}Value`) };
        }
        const token = this.token(name);
        const properties: Record<string, PropertySpec> = {};
        for (const [key, value] of Object.entries(props)) properties[key] = this.convert(value, `${name}${pascal(key)}`);
        this.types[token] = { type: "object", properties, ...(node.required?.length ? { required: [...node.required].sort() } : {}) };
        return { $ref: `#/types/${token}` };
    }
}

function jsonSchemaOf(schema: z.ZodType): unknown {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

/** The connection's type: the provider config's keys, with the token secret. */
function connectionProperties(collector: TypeCollector, docs: Readonly<Record<string, string>>): ObjectTypeSpec {
    const json = jsonNode.parse(jsonSchemaOf(connectionSchema()));
    const properties: Record<string, PropertySpec> = {};
    for (const [key, value] of Object.entries(json.properties ?? {})) {
        properties[key] = {
            ...collector.convert(value, `Connection${pascal(key)}`),
            ...(docs[key] ? { description: docs[key] } : {}),
            ...(key === "token" ? { secret: true } : {}),
        };
    }
    return { type: "object", description: "Where Consul is and how to reach it.", properties };
}

function describe(description: string | undefined): { description?: string } {
    return description ? { description } : {};
}

/** The whole package schema. */
export function packageSchema(docs: SchemaDocs, version: string): Record<string, unknown> {
    const collector = new TypeCollector();
    const connection = connectionProperties(collector, docs.config);
    const connectionToken = `${PACKAGE}:index:Connection`;
    collector.types[connectionToken] = connection;

    const resources: Record<string, unknown> = {};
    for (const kind of Object.keys(inputSchemas).filter((k): k is ProviderKind => k in inputSchemas)) {
        const json = jsonNode.parse(jsonSchemaOf(inputSchemas[kind]()));
        const doc = docs.resources[kind];
        const secret = new Set(secretOutputs(kind, {}));
        const replaces = new Set(replaceOnChanges[kind] ?? []);
        const inputProperties: Record<string, PropertySpec> = {};
        for (const [key, value] of Object.entries(json.properties ?? {})) {
            if (INTERNAL_INPUTS.has(key)) continue;
            const type = key === "connection" ? { $ref: `#/types/${connectionToken}` } : collector.convert(value, `${kind}${pascal(key)}`);
            inputProperties[key] = {
                ...type,
                ...describe(doc?.inputs[key]),
                ...(secret.has(key) ? { secret: true } : {}),
                ...(replaces.has(key) ? { replaceOnChanges: true } : {}),
            };
        }
        const properties: Record<string, PropertySpec> = {};
        for (const [key, spec] of Object.entries(inputProperties)) {
            const { replaceOnChanges: _r, ...rest } = spec;
            properties[key] = rest;
        }
        for (const [key, out] of Object.entries(doc?.outputs ?? {})) {
            if (properties[key]) continue;
            properties[key] = { ...out.type, ...describe(out.description), ...(secret.has(key) ? { secret: true } : {}) };
        }
        properties.cluster = {
            type: "string",
            description: "The cluster the object lives in (its address and datacenter), recorded when it was written.",
        };
        const how = importable[kind];
        const description = [
            doc?.description,
            how ? `## Import\n\n\`pulumi import ${PACKAGE}:index:${kind} <name> <id>\`: the ID is ${how.form}.` : undefined,
        ]
            .filter((s) => s !== undefined)
            .join("\n\n");
        resources[`${PACKAGE}:index:${kind}`] = {
            ...describe(description),
            inputProperties,
            requiredInputs: (json.required ?? []).filter((k) => !INTERNAL_INPUTS.has(k)).sort(),
            properties,
        };
    }

    const functions: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(functionCatalog)) {
        const json = jsonNode.parse(jsonSchemaOf(fn.args));
        const doc = docs.functions[name];
        const inputProps: Record<string, PropertySpec> = {};
        for (const [key, value] of Object.entries(json.properties ?? {})) {
            inputProps[key] = { ...collector.convert(value, `${pascal(name)}${pascal(key)}`), ...describe(doc?.inputs[key]) };
        }
        inputProps.connection = {
            $ref: `#/types/${connectionToken}`,
            description: "Where Consul is; the provider's configuration when not given.",
        };
        const secrets = new Set(fn.secretResults);
        const outputProps: Record<string, PropertySpec> = {};
        for (const [key, out] of Object.entries(doc?.outputs ?? {})) {
            outputProps[key] = { ...out.type, ...describe(out.description), ...(secrets.has(key) ? { secret: true } : {}) };
        }
        functions[`${PACKAGE}:index:${name}`] = {
            description: fn.description,
            inputs: { properties: inputProps, ...(json.required?.length ? { required: [...json.required].sort() } : {}) },
            outputs: { properties: outputProps },
        };
    }

    const variables: Record<string, PropertySpec> = {};
    for (const [key, spec] of Object.entries(connection.properties)) variables[key] = spec;

    return {
        name: PACKAGE,
        displayName: "Consul service mesh",
        version,
        description:
            "Manage the HashiCorp Consul service-mesh control plane (intentions, config entries, Connect CA, cluster peering, ACLs) with the same provider code as the consul-mesh npm package.",
        license: "MPL-2.0",
        meta: { moduleFormat: "(.*)" },
        config: { variables },
        provider: {
            description: "A consul-mesh provider: one Consul cluster (address, token, datacenter, TLS).",
            inputProperties: variables,
            properties: variables,
        },
        types: Object.fromEntries(Object.entries(collector.types).sort(([a], [b]) => a.localeCompare(b))),
        resources,
        functions,
    };
}
