// AclToken: an ACL token (`/v1/acl/token`). The id is the AccessorID; the SecretID is a secret output.
// Both are chosen here before the create call (a random UUID unless the user supplies the secret),
// so a create whose answer is lost is found again instead of leaving an orphan token. Bumping
// `rotation` replaces the token create-before-delete: the new one exists before the old one goes.
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import {
    explained,
    fromConsulNodeIdentities,
    fromConsulServiceIdentities,
    getAcl,
    isBuiltin,
    linkOf,
    nodeIdentitySchema,
    identityChanges,
    realignRefs,
    referencesSchema,
    sameRefs,
    serviceIdentitySchema,
    toConsulNodeIdentities,
    toConsulServiceIdentities,
    UUID,
    consulLinkSchema,
    consulNodeIdentitySchema,
    consulServiceIdentitySchema,
} from "../engine/acl-common";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, type Located } from "../consul/connection";
import { parseDuration } from "../model/durations";
import { isNotFound } from "../consul/errors";
import { type CheckFailure, isUnknown, memoized } from "../model/validation";

const MINUTE = 60_000_000_000n;

export function aclTokenSchema() {
    return z
        .object({
            description: z.string({ message: "description must be a string" }).optional(),
            policies: referencesSchema("policy").optional(),
            roles: referencesSchema("role").optional(),
            serviceIdentities: z.array(serviceIdentitySchema()).optional(),
            nodeIdentities: z.array(nodeIdentitySchema()).optional(),
            local: z.boolean({ message: "local must be a boolean" }).optional(),
            expirationTtl: z
                .string({ message: 'expirationTtl must be a duration string such as "1h"' })
                .refine((d) => {
                    const ns = parseDuration(d);
                    return ns !== undefined && ns >= MINUTE && ns <= 24n * 60n * MINUTE;
                }, 'expirationTtl must be a duration between "1m" and "24h" (Consul\'s default limits)')
                .optional(),
            // Custom messages only: zod's defaults may quote the value, and this value is a secret.
            secretId: z.string({ message: "secretId must be a string (a UUID)" }).regex(UUID, "secretId must be a UUID").optional(),
            accessorId: z.string({ message: "accessorId must be a string (a UUID)" }).regex(UUID, "accessorId must be a UUID").optional(),
            rotation: z.union([z.string(), z.number()], { message: "rotation must be a string or a number" }).optional(),
            adopt: z.boolean({ message: "adopt must be a boolean" }).optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type AclTokenInputs = z.infer<ReturnType<typeof aclTokenSchema>> & Located;

export interface AclTokenOutputs extends AclTokenInputs {
    accessorId: string;
    /** Secret: listed in the SDK's additionalSecretOutputs. */
    secretId: string;
    description: string;
    policies: string[];
    roles: string[];
    local: boolean;
    /** When the token expires (RFC 3339), for a token with expirationTtl. */
    expirationTime?: string;
}

/** A token as Consul answers it. */
function consulTokenSchema() {
    return z
        .object({
            AccessorID: z.string(),
            SecretID: z.string().optional(),
            Description: z.string().optional(),
            Policies: z.array(consulLinkSchema()).nullish(),
            Roles: z.array(consulLinkSchema()).nullish(),
            ServiceIdentities: z.array(consulServiceIdentitySchema()).nullish(),
            NodeIdentities: z.array(consulNodeIdentitySchema()).nullish(),
            Local: z.boolean().optional(),
            ExpirationTime: z.string().optional(),
        })
        .loose();
}
type ConsulToken = z.infer<ReturnType<typeof consulTokenSchema>>;

function outputsOf(token: ConsulToken, inputs: AclTokenInputs, knownSecret: string | undefined): AclTokenOutputs {
    const outs: AclTokenOutputs = {
        accessorId: token.AccessorID,
        // Consul shows "<hidden>" to a reader without acl:write: keep the secret we know.
        secretId: token.SecretID && token.SecretID !== "<hidden>" ? token.SecretID : (knownSecret ?? ""),
        description: token.Description ?? "",
        policies: realignRefs(token.Policies ?? [], inputs.policies),
        roles: realignRefs(token.Roles ?? [], inputs.roles),
        local: token.Local ?? false,
    };
    const services = fromConsulServiceIdentities(token.ServiceIdentities ?? []);
    const nodes = fromConsulNodeIdentities(token.NodeIdentities ?? []);
    if (services.length > 0 || inputs.serviceIdentities !== undefined) outs.serviceIdentities = services;
    if (nodes.length > 0 || inputs.nodeIdentities !== undefined) outs.nodeIdentities = nodes;
    if (token.ExpirationTime) outs.expirationTime = token.ExpirationTime;
    for (const key of ["expirationTtl", "rotation", "adopt", "connection", "cluster"] as const) {
        if (inputs[key] !== undefined) Object.assign(outs, { [key]: inputs[key] });
    }
    return outs;
}

/** What an update may change (Consul refuses changes to Local and the expiration). */
function mutableBody(inputs: AclTokenInputs, current?: ConsulToken): Record<string, unknown> {
    return {
        Description: inputs.description ?? (current && isBuiltin(current.AccessorID) ? current.Description : undefined) ?? "",
        Policies: (inputs.policies ?? []).map(linkOf),
        Roles: (inputs.roles ?? []).map(linkOf),
        ServiceIdentities: toConsulServiceIdentities(inputs.serviceIdentities),
        NodeIdentities: toConsulNodeIdentities(inputs.nodeIdentities),
    };
}

const tokenPath = (id: string) => `/v1/acl/token/${encodeURIComponent(id)}`;

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(aclTokenSchema);

export class AclTokenProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        const { checked } = this.checkLocated(schema(), news);
        const failures: CheckFailure[] = checked.failures;
        // A user-supplied secret cannot be reused by the replacement token: Consul refuses a SecretID in use.
        const rotated = olds.rotation !== undefined && news.rotation !== olds.rotation && !isUnknown(news.rotation);
        if (rotated && news.secretId !== undefined && news.secretId === olds.secretId && !isUnknown(news.secretId)) {
            failures.push({
                property: "rotation",
                reason: "rotation with a user-supplied secretId needs a new secretId too (Consul refuses a SecretID in use)",
            });
        }
        return Promise.resolve(checked);
    }

    diff(_id: string, olds: AclTokenOutputs, news: AclTokenInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        if (String(olds.rotation ?? "") !== String(news.rotation ?? "")) replaces.push("rotation");
        if (news.secretId !== undefined && news.secretId !== olds.secretId) replaces.push("secretId");
        if (news.accessorId !== undefined && news.accessorId !== olds.accessorId) replaces.push("accessorId");
        if ((olds.local ?? false) !== (news.local ?? false)) replaces.push("local");
        if ((olds.expirationTtl ?? "") !== (news.expirationTtl ?? "")) replaces.push("expirationTtl");
        // The anonymous token's description is Consul's unless the program states one.
        if ((!isBuiltin(olds.accessorId) || news.description !== undefined) && (olds.description ?? "") !== (news.description ?? "")) {
            changes.push("description");
        }
        if (!sameRefs(olds.policies, news.policies)) changes.push("policies");
        if (!sameRefs(olds.roles, news.roles)) changes.push("roles");
        changes.push(...identityChanges(olds, news));
        // Create-before-delete: a token is keyed by a fresh AccessorID, so old and new can coexist.
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: false });
    }

    private async write(client: ConsulClient, current: ConsulToken, inputs: AclTokenInputs): Promise<AclTokenOutputs> {
        const res = await explained(client, () =>
            client.put(
                tokenPath(current.AccessorID),
                { ...mutableBody(inputs, current), AccessorID: current.AccessorID },
                consulTokenSchema(),
                { secrets: secretsOf(current) },
            ),
        );
        return outputsOf(res.body, inputs, current.SecretID);
    }

    async create(inputs: AclTokenInputs): Promise<Created<AclTokenOutputs>> {
        const client = this.client(inputs.connection);
        if (inputs.accessorId !== undefined) {
            const existing = await getAcl(client, tokenPath(inputs.accessorId), consulTokenSchema());
            if (existing) {
                if (!inputs.adopt) {
                    throw new Error(
                        `ACL token ${inputs.accessorId} already exists at ${client.address}; set adopt: true to manage it, or leave accessorId unset`,
                    );
                }
                return { id: existing.AccessorID, outs: await this.write(client, existing, inputs) };
            }
        }
        const accessorId = inputs.accessorId ?? randomUUID();
        const secretId = inputs.secretId ?? randomUUID();
        const body = {
            ...mutableBody(inputs),
            AccessorID: accessorId,
            SecretID: secretId,
            Local: inputs.local ?? false,
            ...(inputs.expirationTtl ? { ExpirationTTL: inputs.expirationTtl } : {}),
        };
        try {
            const res = await explained(client, () => client.put("/v1/acl/token", body, consulTokenSchema(), { secrets: [secretId] }));
            return { id: res.body.AccessorID, outs: outputsOf(res.body, inputs, secretId) };
        } catch (err) {
            // A retry after a lost answer finds its own token (same accessor and secret): keep it.
            const found = await getAcl(client, tokenPath(accessorId), consulTokenSchema()).catch(() => undefined);
            if (found && found.SecretID === secretId) return { id: accessorId, outs: outputsOf(found, inputs, secretId) };
            throw err;
        }
    }

    async read(id: string, props: AclTokenOutputs): Promise<ReadOf<AclTokenOutputs, AclTokenInputs>> {
        const token = await getAcl(this.recordedClient(props), tokenPath(id), consulTokenSchema());
        if (!token) return {};
        const outs = outputsOf(token, props, props.secretId);
        // The realigned inputs never carry the secret (nor the generated accessor id).
        const { secretId: _s, accessorId: _a, expirationTime: _e, policies, roles, local, ...rest } = outs;
        // Realigned as check has them: no policies, no roles and a global token are the same as unset.
        const inputs: AclTokenInputs = { ...rest };
        if (policies?.length) inputs.policies = policies;
        if (roles?.length) inputs.roles = roles;
        if (local) inputs.local = local;
        return { id, props: outs, inputs };
    }

    async update(id: string, olds: AclTokenOutputs, news: AclTokenInputs): Promise<Updated<AclTokenOutputs>> {
        const client = this.client(news.connection);
        // No compare-and-set on ACL endpoints: read right before writing.
        const current = await getAcl(client, tokenPath(id), consulTokenSchema());
        if (!current) throw new Error(`ACL token ${id} no longer exists at ${client.address}; run pulumi refresh to plan its re-creation`);
        const secret = current.SecretID && current.SecretID !== "<hidden>" ? current.SecretID : olds.secretId;
        return { outs: await this.write(client, { ...current, SecretID: secret }, news) };
    }

    /** Built-in tokens (the anonymous token) are only forgotten; any other is deleted. */
    async delete(id: string, props: AclTokenOutputs): Promise<void> {
        if (isBuiltin(id)) return;
        const client = this.recordedClient(props);
        try {
            await explained(client, () => client.delete(tokenPath(id), z.unknown(), { secrets: [props.secretId] }));
        } catch (err) {
            if (!isNotFound(err) && !isNotFound(err instanceof Error ? err.cause : undefined)) throw err;
        }
    }
}

function secretsOf(token: ConsulToken): string[] {
    return token.SecretID ? [token.SecretID] : [];
}

/** The one provider instance every AclToken shares. */
export const aclTokenProvider = new AclTokenProvider();
