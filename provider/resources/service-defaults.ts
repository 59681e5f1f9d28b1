// ServiceDefaults: the protocol (and meta) of a service's `service-defaults` config entry, enough
// to make a destination L7-capable for intention permissions. Fields it does not model are kept.
// A kind for the config-entry engine: kind, schema and mapping only.
import { z } from "zod";
import { metaWithoutMark, OWNER_META_KEY, type ConfigEntry } from "../config-entry";
import { WholeEntryProvider } from "../config-entry-resource";
import { connectionSchema } from "../connection";
import { metaSchema, SERVICE_NAME } from "../names";
import { canonical } from "../validation";

const PROTOCOLS = ["tcp", "http", "http2", "grpc"] as const;

export function serviceDefaultsSchema() {
    return z
        .object({
            name: z
                .string()
                .min(1, "name must not be empty")
                .regex(SERVICE_NAME, "name must be a service name")
                .refine((n) => n !== "*", {
                    message: 'name cannot be "*"',
                }),
            protocol: z.enum(PROTOCOLS, { message: 'protocol must be "tcp", "http", "http2" or "grpc"' }),
            meta: metaSchema()
                .refine((m) => !(OWNER_META_KEY in m), {
                    message: `meta key "${OWNER_META_KEY}" is reserved for consul-mesh's ownership mark`,
                })
                .optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ServiceDefaultsInputs = z.infer<ReturnType<typeof serviceDefaultsSchema>>;

/** Consul's protocol as we model it ("" and unknown values read as tcp, Consul's default). */
function protocolOf(entry: ConfigEntry): ServiceDefaultsInputs["protocol"] {
    return PROTOCOLS.find((p) => p === entry.Protocol) ?? "tcp";
}

export class ServiceDefaultsProvider extends WholeEntryProvider<ServiceDefaultsInputs> {
    constructor() {
        super({
            kind: "service-defaults",
            schema: serviceDefaultsSchema,
            name: (inputs) => inputs.name,
            identity: ["name"],
            toEntry: (inputs, current) => ({
                ...(current ?? {}),
                Kind: "service-defaults",
                Name: inputs.name,
                Protocol: inputs.protocol,
                Meta: inputs.meta,
            }),
            outputs: (entry) => ({ name: entry.Name, protocol: protocolOf(entry), meta: metaWithoutMark(entry) }),
            changes: (olds, news) => [
                ...((olds.protocol ?? "tcp") !== news.protocol ? ["protocol"] : []),
                ...(canonical(olds.meta ?? {}) !== canonical(news.meta ?? {}) ? ["meta"] : []),
            ],
            adoptHint: "manage it (fields consul-mesh does not model are kept)",
        });
    }
}

export const serviceDefaultsProvider = new ServiceDefaultsProvider();
