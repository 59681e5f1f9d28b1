// Consul's naming and metadata rules, in one place: service names, peer names, and the two
// metadata rule sets Consul applies (config entries vs. peerings).
import { z } from "zod";

/** A service name, or exactly "*" (agent/structs: letters, digits, '.', '_', '-'; no partial wildcard). */
export const SERVICE_NAME = /^(\*|[A-Za-z0-9]([A-Za-z0-9._-]{0,254}[A-Za-z0-9])?)$/;
/** Consul's rule for peer names (agent/structs/peering.go): DNS-label style, no wildcard. */
export const PEER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function requiredString(what: string) {
    return z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) });
}

export function serviceName(what: string) {
    return requiredString(what)
        .min(1, `${what} must not be empty`)
        .regex(SERVICE_NAME, `${what} must be a service name (letters, digits, '.', '_', '-') or exactly "*" (no partial wildcards)`);
}

/** A peering's own name (PeeringToken, Peering, ExportedServices consumers). */
export function peerName(what = "peerName") {
    return requiredString(what).regex(
        PEER_NAME,
        `${what} must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit`,
    );
}

/** The peer a source of an intention comes from (the same rule, worded for intention sources). */
export function sourcePeerName(what: string) {
    return requiredString(what).regex(
        PEER_NAME,
        `${what} must be a peer name: lower-case letters, digits and '-', 1 to 63 characters, no wildcard`,
    );
}

const META_MAX_PAIRS = 64;
const META_KEY_MAX = 128;
const META_VALUE_MAX = 512;

/**
 * Meta of a config entry (agent/structs validateConfigEntryMeta: at most 64 pairs, keys <= 128,
 * values <= 512 characters) or of a peering (structs.ValidateMetaTags: the same limits, plus keys of
 * letters, digits, '_' and '-' only, and no reserved "consul-" prefix).
 */
export function metaSchema(rules: "config-entry" | "peering" = "config-entry") {
    return z.record(z.string(), z.string()).superRefine((meta, ctx) => {
        const keys = Object.keys(meta);
        if (keys.length > META_MAX_PAIRS) {
            ctx.addIssue({ code: "custom", message: `meta must have at most ${META_MAX_PAIRS} pairs (got ${keys.length})` });
        }
        for (const key of keys) {
            const problem =
                key === "" || key.length > META_KEY_MAX
                    ? `meta keys must be 1 to ${META_KEY_MAX} characters`
                    : rules === "peering" && !/^[A-Za-z0-9_-]+$/.test(key)
                      ? "meta keys may contain only letters, digits, '_' and '-'"
                      : rules === "peering" && key.startsWith("consul-")
                        ? "meta keys must not start with 'consul-' (reserved)"
                        : meta[key].length > META_VALUE_MAX
                          ? `meta values must be at most ${META_VALUE_MAX} characters`
                          : undefined;
            if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
        }
    });
}
