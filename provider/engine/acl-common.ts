// What AclPolicy, AclRole and AclToken share: Consul's name rules, the built-in objects that are
// adopted but never deleted, "not found" in the shapes Consul's ACL endpoints give it, and 403s
// turned into a message naming the missing permission and the token's accessor id (never a secret).
import { z } from "zod";
import type { ConsulClient } from "../consul/client";

import { ConsulApiError, isNotFound } from "../consul/errors";
import { canonical } from "../model/validation";

/** Consul's reserved id prefix: the anonymous token, `global-management`, `builtin/global-read-only`. */
const RESERVED_ID_PREFIX = "00000000-0000-0000-0000-0000000000";
export const ANONYMOUS_TOKEN_ID = "00000000-0000-0000-0000-000000000002";
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Built into Consul: adoptable, never deleted on destroy (Consul refuses or re-creates them). */
export function isBuiltin(id: string, name?: string): boolean {
    return id.startsWith(RESERVED_ID_PREFIX) || name === "global-management" || (name?.startsWith("builtin/") ?? false);
}

/** Consul's acl/validation.go rules, as zod schemas with messages that name the rule. */
export function policyNameSchema() {
    return z
        .string({ message: "name must be a string" })
        .max(128, "name must be at most 128 characters")
        .regex(/^[A-Za-z0-9\-_]+\/?[A-Za-z0-9\-_]*$/, "name may contain only letters, digits, - and _ (and one /)");
}

export function roleNameSchema() {
    return z.string({ message: "name must be a string" }).regex(/^[A-Za-z0-9\-_]{1,256}$/, "name must be 1-256 letters, digits, - or _");
}

const IDENTITY_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;

export function serviceIdentitySchema() {
    return z
        .object({
            serviceName: z
                .string()
                .max(256, "serviceName must be at most 256 characters")
                .regex(IDENTITY_NAME, "serviceName must be lowercase letters, digits, - and _, starting and ending with a letter or digit"),
            datacenters: z.array(z.string().min(1, "a datacenter must not be empty")).optional(),
        })
        .strict();
}

export function nodeIdentitySchema() {
    return z
        .object({
            nodeName: z
                .string()
                .max(256, "nodeName must be at most 256 characters")
                .regex(IDENTITY_NAME, "nodeName must be lowercase letters, digits, - and _, starting and ending with a letter or digit"),
            datacenter: z.string().min(1, "datacenter is required for a node identity"),
        })
        .strict();
}

/** Policy (or role) references: each an id (a UUID) or a name. */
export function referencesSchema(what: string) {
    return z.array(z.string().min(1, `a ${what} reference must not be empty`)).refine((refs) => new Set(refs).size === refs.length, {
        message: `${what} references must be unique`,
    });
}

export type ServiceIdentity = z.infer<ReturnType<typeof serviceIdentitySchema>>;
export type NodeIdentity = z.infer<ReturnType<typeof nodeIdentitySchema>>;

/** A policy or role link in Consul's answers ({ ID, Name }). */
export function consulLinkSchema() {
    return z.object({ ID: z.string(), Name: z.string() }).loose();
}
export type ConsulLink = z.infer<ReturnType<typeof consulLinkSchema>>;
export function consulServiceIdentitySchema() {
    return z.object({ ServiceName: z.string(), Datacenters: z.array(z.string()).optional() }).loose();
}
export type ConsulServiceIdentity = z.infer<ReturnType<typeof consulServiceIdentitySchema>>;
export function consulNodeIdentitySchema() {
    return z.object({ NodeName: z.string(), Datacenter: z.string() }).loose();
}
export type ConsulNodeIdentity = z.infer<ReturnType<typeof consulNodeIdentitySchema>>;

/** `{ID}` for a UUID, `{Name}` otherwise: how Consul's ACL endpoints take links. */
export function linkOf(ref: string): { ID: string } | { Name: string } {
    return UUID.test(ref) ? { ID: ref } : { Name: ref };
}

/**
 * Consul's links realigned to how the user referred to them: a link stays written as the user wrote
 * it (id or name); links added by someone else appear by name. Sorted, so order never shows as drift.
 */
export function realignRefs(links: readonly ConsulLink[], given: readonly string[] | undefined): string[] {
    const wanted = new Set(given ?? []);
    return links.map((l) => (wanted.has(l.ID) ? l.ID : l.Name)).sort();
}

/** Same set of references, whichever of id or name each side uses. */
export function sameRefs(olds: readonly string[] | undefined, news: readonly string[] | undefined): boolean {
    const a = [...(olds ?? [])].sort();
    const b = [...(news ?? [])].sort();
    return a.length === b.length && a.every((x, i) => x === b[i]);
}

export const toConsulServiceIdentities = (ids: readonly ServiceIdentity[] | undefined): ConsulServiceIdentity[] =>
    (ids ?? []).map((s) => ({ ServiceName: s.serviceName, ...(s.datacenters?.length ? { Datacenters: s.datacenters } : {}) }));

export const toConsulNodeIdentities = (ids: readonly NodeIdentity[] | undefined): ConsulNodeIdentity[] =>
    (ids ?? []).map((n) => ({ NodeName: n.nodeName, Datacenter: n.datacenter }));

export const fromConsulServiceIdentities = (ids: readonly ConsulServiceIdentity[] | undefined): ServiceIdentity[] =>
    (ids ?? [])
        .map((s) => ({ serviceName: s.ServiceName, ...(s.Datacenters?.length ? { datacenters: [...s.Datacenters].sort() } : {}) }))
        .sort((a, b) => a.serviceName.localeCompare(b.serviceName));

export const fromConsulNodeIdentities = (ids: readonly ConsulNodeIdentity[] | undefined): NodeIdentity[] =>
    (ids ?? [])
        .map((n) => ({ nodeName: n.NodeName, datacenter: n.Datacenter }))
        .sort((a, b) => `${a.nodeName}/${a.datacenter}`.localeCompare(`${b.nodeName}/${b.datacenter}`));

/** Identities in a canonical order, for comparing inputs with what Consul holds. */
export function normalServiceIdentities(ids: readonly ServiceIdentity[] | undefined): ServiceIdentity[] {
    return fromConsulServiceIdentities(toConsulServiceIdentities(ids));
}
export function normalNodeIdentities(ids: readonly NodeIdentity[] | undefined): NodeIdentity[] {
    return fromConsulNodeIdentities(toConsulNodeIdentities(ids));
}

/** The diff entries a role and a token share: identities (as sets) and adopt. */
export function identityChanges(
    olds: { serviceIdentities?: ServiceIdentity[]; nodeIdentities?: NodeIdentity[]; adopt?: boolean },
    news: { serviceIdentities?: ServiceIdentity[]; nodeIdentities?: NodeIdentity[]; adopt?: boolean },
): string[] {
    const changes: string[] = [];
    if (canonical(normalServiceIdentities(olds.serviceIdentities)) !== canonical(normalServiceIdentities(news.serviceIdentities))) {
        changes.push("serviceIdentities");
    }
    if (canonical(normalNodeIdentities(olds.nodeIdentities)) !== canonical(normalNodeIdentities(news.nodeIdentities))) {
        changes.push("nodeIdentities");
    }
    if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
    return changes;
}

/**
 * GET that answers undefined when the ACL object is gone: 404, or for a token read Consul's
 * 403 "token does not exist: ACL not found". A bare 403 "ACL not found" is about the connection's
 * token, not the object: it is an error, never "gone" (or a refresh with a stale token would plan
 * to re-create everything).
 */
export async function getAcl<S extends z.ZodType>(client: ConsulClient, path: string, schema: S): Promise<z.output<S> | undefined> {
    try {
        return (await client.get(path, schema)).body;
    } catch (err) {
        if (isNotFound(err) || (err instanceof ConsulApiError && err.statusCode === 403 && /does not exist/i.test(err.consulMessage))) {
            return undefined;
        }
        throw await explainAclError(client, err);
    }
}

/**
 * A 403 becomes a message naming the permission Consul says is missing (`acl:write`) and the
 * connection token's accessor id (looked up when Consul does not say it), never its secret.
 */
export async function explainAclError(client: ConsulClient, err: unknown): Promise<unknown> {
    if (!(err instanceof ConsulApiError) || err.statusCode !== 403) return err;
    if (/ACL not found/i.test(err.consulMessage) && !/does not exist/i.test(err.consulMessage)) {
        return new Error(
            `${err.method} ${err.path} at ${err.address}: Consul does not know the connection's token (403 ACL not found): ` +
                "it was deleted, has expired, or belongs to another cluster; give the connection a valid token.",
            { cause: err },
        );
    }
    const permission = /lacks permission '([^']+)'(?: on (.+?))?(?:\.|$)/.exec(err.consulMessage);
    let accessor = /AccessorID '([^']+)'/.exec(err.consulMessage)?.[1];
    if (!accessor && /anonymous token/.test(err.consulMessage)) accessor = `${ANONYMOUS_TOKEN_ID} (anonymous: no token was given)`;
    if (!accessor && client.conn.token) {
        accessor = await client
            .get("/v1/acl/token/self", z.object({ AccessorID: z.string() }).loose())
            .then((r) => r.body.AccessorID)
            .catch(() => undefined);
    }
    const who = accessor ? `the token with accessor id ${accessor}` : client.conn.token ? "the connection token" : "the anonymous token";
    const what = permission
        ? `lacks permission "${permission[1]}"${permission[2] ? ` on ${permission[2]}` : ""}`
        : "is not allowed to do this";
    return new Error(
        `${err.method} ${err.path} at ${err.address}: ${who} ${what} (Consul: 403 ${err.consulMessage}). ` +
            'Give the connection a token with that permission, e.g. AclBootstrap\'s secretId or a token with acl = "write".',
        { cause: err },
    );
}

/** Runs a Consul call and turns its 403 into explainAclError's message. */
export async function explained<T>(client: ConsulClient, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (err) {
        throw await explainAclError(client, err);
    }
}
