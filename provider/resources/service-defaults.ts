// ServiceDefaults: a service's `service-defaults` config entry (protocol, proxy mode, transparent
// proxy, mesh gateway, upstream settings, terminating-gateway destination, limits and timeouts).
// A typed kind for the config-entry engine: its schema and its field map. Fields it does not model
// are kept as Consul holds them.
import { z } from "zod";
import { WholeEntryProvider } from "../engine/config-entry-resource";
import { connectionSchema } from "../consul/connection";
import { countSchema, durationSchema, ownedMetaSchema, typedEntryKind, type EntryInputs, type FieldMap } from "../engine/entry-fields";
import { peerName, SERVICE_NAME, serviceName } from "../model/names";
import { meshGatewaySchema, proxyModeSchema, transparentProxySchema } from "./proxy-defaults";

const PROTOCOLS = ["tcp", "http", "http2", "grpc"] as const;

function protocolSchema(what: string) {
    return z.enum(PROTOCOLS, { message: `${what} must be "tcp", "http", "http2" or "grpc"` });
}

function upstreamSettings() {
    return {
        protocol: protocolSchema("protocol").optional(),
        connectTimeoutMs: countSchema("connectTimeoutMs").optional(),
        limits: z
            .object({
                maxConnections: countSchema("maxConnections").optional(),
                maxPendingRequests: countSchema("maxPendingRequests").optional(),
                maxConcurrentRequests: countSchema("maxConcurrentRequests").optional(),
            })
            .strict()
            .optional(),
        passiveHealthCheck: z
            .object({
                interval: durationSchema("interval").optional(),
                maxFailures: countSchema("maxFailures").optional(),
                enforcingConsecutive5xx: countSchema("enforcingConsecutive5xx")
                    .max(100, "enforcingConsecutive5xx is a percentage (0-100)")
                    .optional(),
            })
            .strict()
            .optional(),
        meshGateway: meshGatewaySchema().optional(),
        balanceOutboundConnections: z.enum(["exact_balance"], { message: 'balanceOutboundConnections must be "exact_balance"' }).optional(),
        // Deprecated escape hatches (ignored while a discovery chain is active) that Consul 1.16.3
        // stores as written without parsing them: any text is accepted, as Consul does.
        envoyClusterJson: z.string({ message: "envoyClusterJson must be a string (Envoy cluster JSON)" }).optional(),
        envoyListenerJson: z.string({ message: "envoyListenerJson must be a string (Envoy listener JSON)" }).optional(),
    };
}

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
            protocol: protocolSchema("protocol").optional(),
            mode: proxyModeSchema().optional(),
            transparentProxy: transparentProxySchema().optional(),
            meshGateway: meshGatewaySchema().optional(),
            // Consul 1.16.3 stores any text here (terminating gateways use it as the SNI).
            externalSni: z.string({ message: "externalSni must be a string (a TLS server name)" }).optional(),
            upstreamConfig: z
                .object({
                    overrides: z
                        .array(z.object({ name: serviceName("name"), peer: peerName("peer").optional(), ...upstreamSettings() }).strict())
                        .optional(),
                    defaults: z.object(upstreamSettings()).strict().optional(),
                })
                .strict()
                .optional(),
            destination: z
                .object({
                    addresses: z
                        .array(z.string().min(1, "a destination address must not be empty"))
                        .min(1, "destination needs at least one address"),
                    port: countSchema("port").min(1, "destination.port must be a port").max(65535, "destination.port must be a port"),
                })
                .strict()
                .optional(),
            maxInboundConnections: countSchema("maxInboundConnections").optional(),
            localConnectTimeoutMs: countSchema("localConnectTimeoutMs").optional(),
            localRequestTimeoutMs: countSchema("localRequestTimeoutMs").optional(),
            meta: ownedMetaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ServiceDefaultsInputs = z.infer<ReturnType<typeof serviceDefaultsSchema>>;

/**
 * Consul's field names and encodings for this kind. An empty `Protocol` (what Consul stores when
 * none is set: inherit proxy-defaults' protocol) reads back as unset; states written when protocol
 * was required hold "tcp" for it, which compares as declared.
 */
export const SERVICE_DEFAULTS_FIELDS: FieldMap = {
    names: { externalSni: "ExternalSNI", envoyClusterJson: "EnvoyClusterJSON", envoyListenerJson: "EnvoyListenerJSON" },
    durations: ["interval"],
    durationsAs: "nanos",
};

/** The kind as the engine takes it. */
export const serviceDefaultsKind = typedEntryKind({
    kind: "service-defaults",
    schema: serviceDefaultsSchema,
    name: { field: "name" },
    fields: [
        "protocol",
        "mode",
        "transparentProxy",
        "meshGateway",
        "externalSni",
        "upstreamConfig",
        "destination",
        "maxInboundConnections",
        "localConnectTimeoutMs",
        "localRequestTimeoutMs",
    ],
    map: SERVICE_DEFAULTS_FIELDS,
    adoptHint: "manage it (fields consul-mesh does not model are kept)",
});

export class ServiceDefaultsProvider extends WholeEntryProvider<EntryInputs> {
    constructor() {
        super(serviceDefaultsKind);
    }
}

export const serviceDefaultsProvider = new ServiceDefaultsProvider();
