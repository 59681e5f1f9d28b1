// Who may call whom, evaluated from the intentions Consul returns for a destination
// (/v1/connect/intentions/match: Consul's own precedence order) for the cases Consul's check
// endpoint does not answer: a source in a cluster peer, and L7 requests (path, method, headers).
// The rules, as Consul 1.16 applies them:
// - the first intention (highest precedence) whose source matches decides: the exact name before
//   `*`; a local intention never matches a peer's source and a peer's intention never a local one;
// - an L4 intention allows or denies every request; an L7 intention decides per request: its first
//   permission whose HTTP rules all match gives the action, and a request no permission matches
//   falls to the cluster's default (docs: "a default catch-all based on the default ACL policy");
// - at L4 (no request given), an L7 intention denies, as Consul's check endpoint treats it;
// - no intention at all: the cluster's default (ACLs off: allow; on: the ACL default policy).
// A permission that requires a JWT cannot match a request given without one: it is skipped, and the
// reason says so.
import type { HeaderMatch, Permission } from "./intention-model";

/** One intention as `matchIntentions` returns it. */
export interface MatchedIntention {
    /** Source service name, or `*`. Consul: `SourceName`. */
    source: string;
    /** The peer the source lives in, when it is a peer's service. Consul: `SourcePeer`. */
    sourcePeer?: string;
    /** The source's namespace, Enterprise only. Consul: `SourceNS`. */
    sourceNamespace?: string;
    /** The source's admin partition, Enterprise only. Consul: `SourcePartition`. */
    sourcePartition?: string;
    /** Destination service name, or `*`. Consul: `DestinationName`. */
    destination: string;
    /** The destination's namespace, Enterprise only. Consul: `DestinationNS`. */
    destinationNamespace?: string;
    /** The destination's admin partition, Enterprise only. Consul: `DestinationPartition`. */
    destinationPartition?: string;
    /** The L4 action; absent for an L7 intention (see `permissions`). */
    action?: "allow" | "deny";
    /** L7 permissions, evaluated in order (empty for an L4 intention). */
    permissions: Permission[];
    /** Consul's precedence (9 = exact to exact; higher wins). */
    precedence: number;
    /** Free text. Consul: `Description`. */
    description?: string;
    /** The intention's metadata. Consul: `Meta`. */
    meta: Record<string, string>;
}

/** An HTTP request to evaluate L7 intentions against. */
export interface RequestShape {
    path?: string;
    method?: string;
    /** Header name -> value (names compared without regard to case). */
    headers?: Record<string, string>;
}

export interface Evaluated {
    allowed: boolean;
    /** Why, in words: the intention (and permission) that decided, or the default. */
    reason: string;
    intention?: MatchedIntention;
}

function sourceLabel(i: { source: string; sourcePeer?: string }): string {
    return i.sourcePeer ? `peer ${i.sourcePeer}/${i.source}` : i.source;
}

function headerMatches(m: HeaderMatch, headers: Record<string, string>): boolean {
    const found = Object.entries(headers).find(([k]) => k.toLowerCase() === m.name.toLowerCase());
    let result: boolean;
    if (m.present) result = found !== undefined;
    else if (found === undefined) result = false;
    else {
        const fold = (s: string) => (m.ignoreCase ? s.toLowerCase() : s);
        const value = fold(found[1]);
        if (m.exact !== undefined) result = value === fold(m.exact);
        else if (m.prefix !== undefined) result = value.startsWith(fold(m.prefix));
        else if (m.suffix !== undefined) result = value.endsWith(fold(m.suffix));
        else if (m.contains !== undefined) result = value.includes(fold(m.contains));
        else if (m.regex !== undefined) result = new RegExp(`^(?:${m.regex})$`, m.ignoreCase ? "i" : "").test(found[1]);
        else result = false;
    }
    return m.invert ? !result : result;
}

/** Whether every HTTP rule of the permission matches the request (Envoy's RBAC: all must hold). */
export function permissionMatches(p: Permission, request: RequestShape): boolean {
    const http = p.http ?? {};
    const path = request.path;
    if (http.pathExact !== undefined && path !== http.pathExact) return false;
    if (http.pathPrefix !== undefined && !(path ?? "").startsWith(http.pathPrefix)) return false;
    if (http.pathRegex !== undefined && (path === undefined || !new RegExp(`^(?:${http.pathRegex})$`).test(path))) return false;
    if (http.methods?.length && !http.methods.map((m) => m.toUpperCase()).includes((request.method ?? "").toUpperCase())) return false;
    for (const h of http.header ?? []) if (!headerMatches(h, request.headers ?? {})) return false;
    return true;
}

/**
 * The decision for `source` (in `peer`, if given) calling the destination the intentions were
 * matched for, at L4 (no request) or for one HTTP request.
 */
export function evaluate(
    intentions: MatchedIntention[],
    who: { source: string; peer?: string },
    request: RequestShape | undefined,
    defaultAllow: boolean,
): Evaluated {
    const byDefault = (why: string): Evaluated => ({
        allowed: defaultAllow,
        reason: `${why}: the cluster's default (${defaultAllow ? "allow" : "deny"})`,
    });
    const first = intentions
        .filter((i) => (i.sourcePeer ?? undefined) === who.peer && (i.source === who.source || i.source === "*"))
        .sort((a, b) => b.precedence - a.precedence)[0];
    if (!first) return byDefault("no intention matches");
    const named = `${sourceLabel(first)} => ${first.destination} (precedence ${first.precedence})`;
    if (first.permissions.length === 0) {
        const allowed = first.action === "allow";
        return { allowed, reason: `${named}: ${allowed ? "allow" : "deny"}`, intention: first };
    }
    if (!request) {
        return {
            allowed: false,
            reason: `${named} is an L7 intention, which denies at L4 (give a path, method or header)`,
            intention: first,
        };
    }
    let skippedJwt = 0;
    for (const [index, p] of first.permissions.entries()) {
        if (p.jwt) {
            skippedJwt++;
            continue;
        }
        if (permissionMatches(p, request)) {
            return { allowed: p.action === "allow", reason: `${named}, permission ${index + 1}: ${p.action}`, intention: first };
        }
    }
    const jwtNote = skippedJwt ? ` (${skippedJwt} permission(s) requiring a JWT not evaluated)` : "";
    return { ...byDefault(`${named}: no permission matches the request${jwtNote}`), intention: first };
}
