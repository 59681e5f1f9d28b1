// Mesh: the cluster's one `mesh` config entry (mesh-wide transparent proxy, TLS, HTTP and peering
// settings). A typed kind for the config-entry engine: its schema and its field map.
import { z } from "zod";
import { WholeEntryProvider } from "../engine/config-entry-resource";
import { connectionSchema } from "../consul/connection";
import { ownedMetaSchema, typedEntryKind, type EntryInputs, type FieldMap } from "../engine/entry-fields";

const TLS_VERSIONS = ["TLS_AUTO", "TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3"] as const;

function tlsDirectionSchema(what: string) {
    const version = (field: string) =>
        z.enum(TLS_VERSIONS, { message: `${what}.${field} must be one of ${TLS_VERSIONS.join(", ")}` }).optional();
    return z
        .object({
            tlsMinVersion: version("tlsMinVersion"),
            tlsMaxVersion: version("tlsMaxVersion"),
            cipherSuites: z.array(z.string().min(1)).optional(),
        })
        .strict()
        .superRefine((t, ctx) => {
            // Consul's validateMeshDirectionalTLSConfig: cipher suites cannot be chosen for TLS 1.3.
            if (t.cipherSuites?.length && t.tlsMinVersion === "TLSv1_3") {
                ctx.addIssue({ code: "custom", path: ["cipherSuites"], message: "cipherSuites cannot be set with tlsMinVersion TLSv1_3" });
            }
            const versions: readonly string[] = TLS_VERSIONS;
            const order = (v?: string) => (v === undefined || v === "TLS_AUTO" ? undefined : versions.indexOf(v));
            const min = order(t.tlsMinVersion);
            const max = order(t.tlsMaxVersion);
            if (min !== undefined && max !== undefined && min > max) {
                ctx.addIssue({ code: "custom", path: ["tlsMaxVersion"], message: "tlsMaxVersion must not be below tlsMinVersion" });
            }
        });
}

export function meshSchema() {
    return z
        .object({
            transparentProxy: z.object({ meshDestinationsOnly: z.boolean().optional() }).strict().optional(),
            tls: z
                .object({ incoming: tlsDirectionSchema("incoming").optional(), outgoing: tlsDirectionSchema("outgoing").optional() })
                .strict()
                .optional(),
            http: z.object({ sanitizeXForwardedClientCert: z.boolean().optional() }).strict().optional(),
            peering: z.object({ peerThroughMeshGateways: z.boolean().optional() }).strict().optional(),
            meta: ownedMetaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type MeshInputs = z.infer<ReturnType<typeof meshSchema>>;

export const MESH_FIELDS: FieldMap = {
    names: { tls: "TLS", http: "HTTP", tlsMinVersion: "TLSMinVersion", tlsMaxVersion: "TLSMaxVersion" },
};

export class MeshProvider extends WholeEntryProvider<EntryInputs> {
    constructor() {
        super(
            typedEntryKind({
                kind: "mesh",
                schema: meshSchema,
                name: { fixed: "mesh" },
                fields: ["transparentProxy", "tls", "http", "peering"],
                map: MESH_FIELDS,
                adoptHint: "manage it (a cluster has one mesh entry)",
            }),
        );
    }
}

export const meshProvider = new MeshProvider();
