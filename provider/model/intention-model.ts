// The intention data model shared by Intention, ServiceIntentions and MeshPolicy: our camelCase
// inputs, their zod schemas with Consul's own validation rules, and exact conversions to and from
// Consul's JSON (every L7 field round-trips: path exact/prefix/regex, methods, all header matchers,
// per-permission JWT).
import { z } from "zod";
import type { VersionedField } from "./versions";
import { serviceName, sourcePeerName } from "./names";
import { memoized } from "./validation";

/** A source of a service-intentions entry as Consul stores it (fields we do not model are kept as they are). */
export function consulSourceSchema() {
    return z
        .object({
            Name: z.string(),
            Peer: z.string().optional(),
            Action: z.enum(["allow", "deny"]).optional(),
            Permissions: z.array(z.unknown()).optional(),
            Description: z.string().optional(),
            Type: z.string().optional(),
            Precedence: z.number().optional(),
        })
        .catchall(z.unknown());
}

export type ConsulSource = z.infer<ReturnType<typeof consulSourceSchema>>;

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

const HEADER_MATCHERS = ["present", "exact", "prefix", "suffix", "contains", "regex"] as const;

export function headerMatchSchema() {
    return z
        .object({
            /** Header name. Consul: `Name`. */
            name: z.string().min(1, "header name must not be empty"),
            /** Matches when the header is present, whatever its value. Consul: `Present`. */
            present: z.boolean().optional(),
            /** Matches the exact value. Consul: `Exact`. */
            exact: z.string().optional(),
            /** Matches values starting with this. Consul: `Prefix`. */
            prefix: z.string().optional(),
            /** Matches values ending with this. Consul: `Suffix`. */
            suffix: z.string().optional(),
            /** Matches values containing this. Consul: `Contains`. Needs Consul 1.20.1 or newer. */
            contains: z.string().optional(),
            /** Matches values against this RE2 regular expression. Consul: `Regex`. */
            regex: z.string().optional(),
            /** Compare case-insensitively. Consul: `IgnoreCase`; `true` needs Consul 1.20.1 or newer. */
            ignoreCase: z.boolean().optional(),
            /** Negate the match. Consul: `Invert`. */
            invert: z.boolean().optional(),
        })
        .strict()
        .superRefine((h, ctx) => {
            const set = HEADER_MATCHERS.filter((k) => h[k] !== undefined && h[k] !== false);
            if (set.length !== 1) {
                ctx.addIssue({
                    code: "custom",
                    message: `a header matcher needs exactly one of present, exact, prefix, suffix, contains or regex (got ${set.length ? set.join(", ") : "none"})`,
                });
            }
        });
}

export function jwtRequirementSchema() {
    return z
        .object({
            /** The accepted JWT providers. Consul: `Providers`. */
            providers: z
                .array(
                    z
                        .object({
                            /** Name of a `jwt-provider` config entry. Consul: `Name`. */
                            name: z.string().min(1, "JWT provider name must not be empty"),
                            /** Claims the token must carry. Consul: `VerifyClaims`. */
                            verifyClaims: z
                                .array(
                                    z
                                        .object({
                                            /** Path into the token's claims. Consul: `Path`. */
                                            path: z.array(z.string().min(1)).min(1),
                                            /** The value the claim must have. Consul: `Value`. */
                                            value: z.string(),
                                        })
                                        .strict(),
                                )
                                .optional(),
                        })
                        .strict(),
                )
                .min(1, "at least one JWT provider is required"),
        })
        .strict();
}

export function permissionSchema() {
    return z
        .object({
            /** `"allow"` or `"deny"` for matching requests. Consul: `Action`. */
            action: z.enum(["allow", "deny"], { message: 'permission action must be "allow" or "deny"' }),
            /** What the request must look like. Consul: `HTTP`. */
            http: z
                .object({
                    /** Exact path. Consul: `PathExact`. */
                    pathExact: z.string().optional(),
                    /** Path prefix. Consul: `PathPrefix`. */
                    pathPrefix: z.string().optional(),
                    /** RE2 regular expression for the path. Consul: `PathRegex`. */
                    pathRegex: z.string().optional(),
                    /** HTTP methods, upper-case as Consul holds them. Consul: `Methods`. */
                    methods: z
                        .array(
                            z.string().refine((m) => HTTP_METHODS.includes(m.toUpperCase()), {
                                message: `invalid HTTP method (allowed: ${HTTP_METHODS.join(", ")})`,
                            }),
                        )
                        .optional(),
                    /** Header matchers, all of which must match. Consul: `Header`. */
                    header: z.array(headerMatchSchema()).optional(),
                })
                .strict()
                .superRefine((http, ctx) => {
                    const paths = (["pathExact", "pathPrefix", "pathRegex"] as const).filter((k) => http[k] !== undefined);
                    if (paths.length > 1) {
                        ctx.addIssue({
                            code: "custom",
                            message: `at most one of pathExact, pathPrefix or pathRegex (got ${paths.join(", ")})`,
                        });
                    }
                    for (const key of ["pathExact", "pathPrefix"] as const) {
                        const value = http[key];
                        if (value !== undefined && !value.startsWith("/")) {
                            ctx.addIssue({ code: "custom", path: [key], message: `${key} must start with "/" (got "${value}")` });
                        }
                    }
                    if (paths.length === 0 && !http.methods?.length && !http.header?.length) {
                        ctx.addIssue({ code: "custom", message: "http must match on at least a path, a method or a header" });
                    }
                }),
            /** A JWT the request must carry. Consul: `JWT`. */
            jwt: jwtRequirementSchema().optional(),
        })
        .strict();
}

/** A source as users declare it (inside ServiceIntentions; Intention has the same fields flat). */
export function sourceSchema() {
    return z
        .object({
            name: serviceName("name"),
            peer: sourcePeerName("peer").optional(),
            action: z.enum(["allow", "deny"], { message: 'action must be "allow" or "deny"' }).optional(),
            permissions: z.array(permissionSchema()).min(1, "permissions must not be empty when given").optional(),
            description: z.string().max(512, "description must be at most 512 characters").optional(),
            type: z.literal("consul", { message: 'type must be "consul" (the only source type Consul has)' }).optional(),
        })
        .strict();
}

/**
 * Header matcher fields newer than Consul 1.16, with the first Consul release that accepts them:
 * `contains` and `ignoreCase` came with the 1.20.1 security release (the api module's first version
 * with them, v1.30.0, is from 2024-10-17, after 1.20.0); 1.16.3 answers 400 "invalid config key".
 */
export const HEADER_FIELD_MIN_VERSION = { contains: "1.20.1", ignoreCase: "1.20.1" } as const;

/** The version-gated fields the permissions use, with their property paths under `prefix` (e.g. "permissions"). */
export function versionedPermissionFields(perms: Permission[] | undefined, prefix: string): VersionedField[] {
    const out: VersionedField[] = [];
    (perms ?? []).forEach((p, i) =>
        (p.http?.header ?? []).forEach((h, j) => {
            for (const key of ["contains", "ignoreCase"] as const) {
                if (h[key] !== undefined && h[key] !== false) {
                    out.push({ path: `${prefix}[${i}].http.header[${j}].${key}`, min: HEADER_FIELD_MIN_VERSION[key] });
                }
            }
        }),
    );
    return out;
}

export type HeaderMatch = z.infer<ReturnType<typeof headerMatchSchema>>;
export type Permission = z.infer<ReturnType<typeof permissionSchema>>;
export type JwtRequirement = z.infer<ReturnType<typeof jwtRequirementSchema>>;
export type SourceInput = z.infer<ReturnType<typeof sourceSchema>>;

/** Consul's rules that involve more than one field of a source. */
export function checkSourceRules(
    source: { action?: unknown; permissions?: unknown[] },
    destination: string,
    report: (path: string[], message: string) => void,
): void {
    if (source.action !== undefined && source.permissions !== undefined) {
        report(["permissions"], "action and permissions are mutually exclusive: set action for L4, permissions for L7");
    }
    if (source.action === undefined && source.permissions === undefined) {
        report(["action"], 'either action ("allow"/"deny") or permissions is required');
    }
    if (source.permissions !== undefined && destination === "*") {
        report(["permissions"], 'permissions cannot be used with the wildcard destination "*"');
    }
}

// ---- conversions -----------------------------------------------------------------------------

type Json = Record<string, unknown>;

function compact(obj: Json): Json {
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

export function jwtToConsul(jwt: JwtRequirement): Json {
    return {
        Providers: jwt.providers.map((p) =>
            compact({ Name: p.name, VerifyClaims: p.verifyClaims?.map((c) => ({ Path: c.path, Value: c.value })) }),
        ),
    };
}

function consulJwtSchema() {
    return z
        .object({
            Providers: z
                .array(
                    z
                        .object({
                            Name: z.string(),
                            // Consul stores `Value` with omitempty: a claim required to be "" comes back without it.
                            VerifyClaims: z
                                .array(z.object({ Path: z.array(z.string()).nullish(), Value: z.string().nullish() }).loose())
                                .nullish(),
                        })
                        .loose(),
                )
                .nullish(),
        })
        .loose()
        .nullish();
}

/** Built once: every entry read back parses its JWT with it. */
const consulJwt = memoized(consulJwtSchema);

export function jwtFromConsul(raw: unknown): JwtRequirement | undefined {
    const jwt = consulJwt().parse(raw);
    if (!jwt?.Providers?.length) return undefined;
    return {
        providers: jwt.Providers.map((p) => {
            const out: JwtRequirement["providers"][number] = { name: p.Name };
            if (p.VerifyClaims?.length) out.verifyClaims = p.VerifyClaims.map((c) => ({ path: c.Path ?? [], value: c.Value ?? "" }));
            return out;
        }),
    };
}

export function permissionToConsul(p: Permission): Json {
    const http = p.http
        ? compact({
              PathExact: p.http.pathExact,
              PathPrefix: p.http.pathPrefix,
              PathRegex: p.http.pathRegex,
              Methods: p.http.methods?.map((m) => m.toUpperCase()),
              Header: p.http.header?.map((h) =>
                  compact({
                      Name: h.name,
                      Present: h.present || undefined,
                      Exact: h.exact,
                      Prefix: h.prefix,
                      Suffix: h.suffix,
                      Contains: h.contains,
                      Regex: h.regex,
                      IgnoreCase: h.ignoreCase || undefined,
                      Invert: h.invert || undefined,
                  }),
              ),
          })
        : undefined;
    return compact({ Action: p.action, HTTP: http, JWT: p.jwt ? jwtToConsul(p.jwt) : undefined });
}

function consulPermissionSchema() {
    const header = z
        .object({
            Name: z.string(),
            Present: z.boolean().optional(),
            Exact: z.string().optional(),
            Prefix: z.string().optional(),
            Suffix: z.string().optional(),
            Contains: z.string().optional(),
            Regex: z.string().optional(),
            IgnoreCase: z.boolean().optional(),
            Invert: z.boolean().optional(),
        })
        .loose();
    return z
        .object({
            Action: z.enum(["allow", "deny"]),
            HTTP: z
                .object({
                    PathExact: z.string().optional(),
                    PathPrefix: z.string().optional(),
                    PathRegex: z.string().optional(),
                    Methods: z.array(z.string()).nullish(),
                    Header: z.array(header).nullish(),
                })
                .loose()
                .nullish(),
            JWT: z.unknown().optional(),
        })
        .loose();
}

/** Built once: every permission read back is parsed with it. */
const consulPermission = memoized(consulPermissionSchema);

export function permissionFromConsul(raw: unknown): Permission {
    const p = consulPermission().parse(raw);
    const http: Permission["http"] = {};
    const out: Permission = { action: p.Action, http };
    if (p.HTTP) {
        if (p.HTTP.PathExact) http.pathExact = p.HTTP.PathExact;
        if (p.HTTP.PathPrefix) http.pathPrefix = p.HTTP.PathPrefix;
        if (p.HTTP.PathRegex) http.pathRegex = p.HTTP.PathRegex;
        if (p.HTTP.Methods?.length) http.methods = p.HTTP.Methods;
        if (p.HTTP.Header?.length) {
            http.header = p.HTTP.Header.map((h) => {
                const m: HeaderMatch = { name: h.Name };
                if (h.Present) m.present = true;
                for (const [from, to] of [
                    ["Exact", "exact"],
                    ["Prefix", "prefix"],
                    ["Suffix", "suffix"],
                    ["Contains", "contains"],
                    ["Regex", "regex"],
                ] as const) {
                    if (h[from] !== undefined && h[from] !== "") m[to] = h[from];
                }
                if (h.IgnoreCase) m.ignoreCase = true;
                if (h.Invert) m.invert = true;
                return m;
            });
        }
    }
    const jwt = jwtFromConsul(p.JWT);
    if (jwt) out.jwt = jwt;
    return out;
}

/** Normalised form for comparisons: methods upper-cased, false flags dropped, empty lists dropped. */
export function normalizePermissions(perms: Permission[] | undefined): Permission[] | undefined {
    if (!perms?.length) return undefined;
    return perms.map((p) => permissionFromConsul(permissionToConsul(p)));
}

export function sourceToConsul(s: SourceInput): ConsulSource {
    const out: ConsulSource = { Name: s.name, Type: s.type ?? "consul" };
    if (s.peer) out.Peer = s.peer;
    if (s.permissions?.length) out.Permissions = s.permissions.map(permissionToConsul);
    else if (s.action) out.Action = s.action;
    if (s.description) out.Description = s.description;
    return out;
}

export function sourceFromConsul(c: ConsulSource): SourceInput {
    const out: SourceInput = { name: c.Name };
    if (c.Peer) out.peer = c.Peer;
    if (c.Action) out.action = c.Action;
    if (c.Permissions?.length) out.permissions = c.Permissions.map(permissionFromConsul);
    if (c.Description) out.description = c.Description;
    return out;
}

/** A source in normalised form (what diff compares): type "consul" implied, methods upper-case. */
export function normalizeSource(s: SourceInput): SourceInput {
    return sourceFromConsul(sourceToConsul(s));
}
