// ProxyDefaults: the `global` `proxy-defaults` config entry (defaults for every sidecar proxy). A
// typed kind for the config-entry engine: its schema and its field map.
import { z } from "zod";
import { WholeEntryProvider } from "../engine/config-entry-resource";
import { connectionSchema } from "../consul/connection";
import { countSchema, ownedMetaSchema, typedEntryKind, type EntryInputs, type FieldMap } from "../engine/entry-fields";

const PROTOCOLS = ["tcp", "http", "http2", "grpc"];

export function proxyModeSchema() {
    return z.enum(["direct", "transparent"], { message: 'mode must be "direct" or "transparent"' });
}

export function meshGatewaySchema() {
    return z
        .object({ mode: z.enum(["none", "local", "remote"], { message: 'meshGateway.mode must be "none", "local" or "remote"' }) })
        .strict();
}

export function transparentProxySchema() {
    return z
        .object({
            outboundListenerPort: countSchema("outboundListenerPort").max(65535, "outboundListenerPort must be a port").optional(),
            dialedDirectly: z.boolean().optional(),
        })
        .strict();
}

function exposeSchema() {
    return z
        .object({
            checks: z.boolean().optional(),
            paths: z
                .array(
                    z
                        .object({
                            path: z.string().startsWith("/", 'an exposed path must start with "/"'),
                            localPathPort: countSchema("localPathPort").max(65535).optional(),
                            listenerPort: countSchema("listenerPort").max(65535).optional(),
                            protocol: z
                                .enum(["http", "http2"], { message: 'an exposed path\'s protocol must be "http" or "http2"' })
                                .optional(),
                        })
                        .strict(),
                )
                .optional(),
        })
        .strict();
}

function accessLogsSchema() {
    return z
        .object({
            enabled: z.boolean().optional(),
            disableListenerLogs: z.boolean().optional(),
            type: z.enum(["stdout", "stderr", "file"], { message: 'accessLogs.type must be "stdout", "stderr" or "file"' }).optional(),
            path: z.string().optional(),
            jsonFormat: z.string().optional(),
            textFormat: z.string().optional(),
        })
        .strict()
        .superRefine((a, ctx) => {
            // Consul's AccessLogsConfig.Validate.
            if (a.type === "file" && !a.path) ctx.addIssue({ code: "custom", path: ["path"], message: 'type "file" needs a path' });
            if (a.path && a.type !== "file") ctx.addIssue({ code: "custom", path: ["path"], message: 'path is only for type "file"' });
            if (a.jsonFormat && a.textFormat) {
                ctx.addIssue({ code: "custom", path: ["jsonFormat"], message: "jsonFormat and textFormat cannot both be set" });
            }
            if (a.jsonFormat) {
                try {
                    JSON.parse(a.jsonFormat);
                } catch {
                    ctx.addIssue({ code: "custom", path: ["jsonFormat"], message: "jsonFormat must be a JSON object" });
                }
            }
        });
}

export function proxyDefaultsSchema() {
    return z
        .object({
            mode: proxyModeSchema().optional(),
            config: z
                .record(z.string(), z.unknown())
                .superRefine((c, ctx) => {
                    if (c.protocol !== undefined && !PROTOCOLS.some((p) => p === c.protocol)) {
                        ctx.addIssue({ code: "custom", path: ["protocol"], message: 'protocol must be "tcp", "http", "http2" or "grpc"' });
                    }
                })
                .optional(),
            meshGateway: meshGatewaySchema().optional(),
            transparentProxy: transparentProxySchema().optional(),
            expose: exposeSchema().optional(),
            accessLogs: accessLogsSchema().optional(),
            meta: ownedMetaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ProxyDefaultsInputs = z.infer<ReturnType<typeof proxyDefaultsSchema>>;

export const PROXY_DEFAULTS_FIELDS: FieldMap = { names: { jsonFormat: "JSONFormat" }, opaque: ["config"] };

export class ProxyDefaultsProvider extends WholeEntryProvider<EntryInputs> {
    constructor() {
        super(
            typedEntryKind({
                kind: "proxy-defaults",
                schema: proxyDefaultsSchema,
                name: { fixed: "global" },
                fields: ["mode", "config", "meshGateway", "transparentProxy", "expose", "accessLogs"],
                map: PROXY_DEFAULTS_FIELDS,
                adoptHint: "manage it (a cluster has one proxy-defaults entry, `global`)",
                // A key set may be inline (and hold private keys); proxy config is free-form.
                scrubWrittenValues: true,
            }),
        );
    }
}

export const proxyDefaultsProvider = new ProxyDefaultsProvider();
