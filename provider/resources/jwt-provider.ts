// JwtProvider: a `jwt-provider` config entry (who issues the JWTs that intentions require, and where
// the keys are). A typed kind for the config-entry engine: its schema, with Consul's own rules
// (agent/structs/config_entry_jwt_provider.go Validate), and its field map.
import { z } from "zod";
import { WholeEntryProvider } from "../engine/config-entry-resource";
import { connectionSchema } from "../consul/connection";
import { countSchema, durationSchema, ownedMetaSchema, typedEntryKind, type EntryInputs, type FieldMap } from "../engine/entry-fields";
import { parseDuration } from "../model/durations";

/** Go's base64.StdEncoding (padded, standard alphabet). */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's url.ParseRequestURI: an absolute URI, or an absolute path. */
function isRequestUri(uri: string): boolean {
    if (uri.startsWith("/")) return true;
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) && URL.canParse(uri);
}

function nonEmpty(what: string) {
    return z.string().min(1, `${what} must not be empty`);
}

function exactlyOne(keys: string[], message: string) {
    return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
        if (keys.filter((k) => value[k] !== undefined).length !== 1) ctx.addIssue({ code: "custom", message });
    };
}

function remoteJwksSchema() {
    return z
        .object({
            uri: z
                .string()
                .min(1, "uri is required")
                .refine(isRequestUri, { message: "uri must be an absolute URI such as https://issuer.example/.well-known/jwks.json" }),
            requestTimeoutMs: countSchema("requestTimeoutMs").optional(),
            cacheDuration: durationSchema("cacheDuration").optional(),
            fetchAsynchronously: z.boolean().optional(),
            retryPolicy: z
                .object({
                    numRetries: countSchema("numRetries").optional(),
                    retryPolicyBackOff: z
                        .object({
                            baseInterval: durationSchema("baseInterval").optional(),
                            maxInterval: durationSchema("maxInterval").optional(),
                        })
                        .strict()
                        .superRefine((b, ctx) => {
                            const base = parseDuration(b.baseInterval ?? "0") ?? 0n;
                            const max = parseDuration(b.maxInterval ?? "0") ?? 0n;
                            if (max !== 0n && base > max) {
                                ctx.addIssue({
                                    code: "custom",
                                    path: ["maxInterval"],
                                    message: "maxInterval must be at least baseInterval",
                                });
                            }
                        })
                        .optional(),
                })
                .strict()
                .optional(),
        })
        .strict();
}

export function jwtProviderSchema() {
    return z
        .object({
            name: nonEmpty("name"),
            issuer: z.string().optional(),
            audiences: z.array(nonEmpty("an audience")).optional(),
            jsonWebKeySet: z
                .object({
                    local: z
                        .object({
                            jwks: z
                                .string()
                                .min(1, "jwks must not be empty")
                                .regex(STD_BASE64, "jwks must be a base64-encoded (standard, padded) JSON web key set")
                                .optional(),
                            filename: nonEmpty("filename").optional(),
                        })
                        .strict()
                        .superRefine(exactlyOne(["jwks", "filename"], "local needs exactly one of jwks or filename"))
                        .optional(),
                    remote: remoteJwksSchema().optional(),
                })
                .strict()
                .superRefine(exactlyOne(["local", "remote"], "jsonWebKeySet needs exactly one of local or remote")),
            locations: z
                .array(
                    z
                        .object({
                            header: z
                                .object({
                                    name: nonEmpty("header name"),
                                    valuePrefix: z.string().optional(),
                                    forward: z.boolean().optional(),
                                })
                                .strict()
                                .optional(),
                            queryParam: z
                                .object({ name: nonEmpty("query param name") })
                                .strict()
                                .optional(),
                            cookie: z
                                .object({ name: nonEmpty("cookie name") })
                                .strict()
                                .optional(),
                        })
                        .strict()
                        .superRefine(
                            exactlyOne(["header", "queryParam", "cookie"], "a location needs exactly one of header, queryParam or cookie"),
                        ),
                )
                .optional(),
            forwarding: z
                .object({
                    headerName: z.string().min(1, "forwarding needs headerName"),
                    padForwardPayloadHeader: z.boolean().optional(),
                })
                .strict()
                .optional(),
            clockSkewSeconds: countSchema("clockSkewSeconds").optional(),
            cacheConfig: z
                .object({ size: countSchema("size").optional() })
                .strict()
                .optional(),
            meta: ownedMetaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type JwtProviderInputs = z.infer<ReturnType<typeof jwtProviderSchema>>;

/** Consul's field names and encodings for this kind (durations are time.Duration: nanoseconds). */
export const JWT_PROVIDER_FIELDS: FieldMap = {
    names: { jsonWebKeySet: "JSONWebKeySet", jwks: "JWKS", uri: "URI" },
    durations: ["cacheDuration", "baseInterval", "maxInterval"],
    durationsAs: "nanos",
    defaults: { clockSkewSeconds: 30 },
};

export class JwtProviderProvider extends WholeEntryProvider<EntryInputs> {
    constructor() {
        super(
            typedEntryKind({
                kind: "jwt-provider",
                schema: jwtProviderSchema,
                name: { field: "name" },
                fields: ["issuer", "audiences", "jsonWebKeySet", "locations", "forwarding", "clockSkewSeconds", "cacheConfig"],
                map: JWT_PROVIDER_FIELDS,
                // Consul stores 30 when the clock skew is unset: written so, a re-read equals the write.
                written: { ClockSkewSeconds: 30 },
                adoptHint: "manage it",
                // A key set may be inline (and hold private keys); proxy config is free-form.
                scrubWrittenValues: true,
            }),
        );
    }
}

export const jwtProviderProvider = new JwtProviderProvider();
