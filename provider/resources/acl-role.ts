// AclRole: a named set of policies and identities (`/v1/acl/role`). The id is the role's ID, so
// every field updates in place. Policies are referred to by ID or by name, and kept as written.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import {
    explained,
    fromConsulNodeIdentities,
    fromConsulServiceIdentities,
    getAcl,
    linkOf,
    nodeIdentitySchema,
    identityChanges,
    realignRefs,
    referencesSchema,
    roleNameSchema,
    sameRefs,
    serviceIdentitySchema,
    toConsulNodeIdentities,
    toConsulServiceIdentities,
    consulLinkSchema,
    consulNodeIdentitySchema,
    consulServiceIdentitySchema,
    UUID,
} from "../engine/acl-common";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, type Located } from "../consul/connection";
import { isNotFound } from "../consul/errors";

export function aclRoleSchema() {
    return z
        .object({
            name: roleNameSchema(),
            description: z.string({ message: "description must be a string" }).optional(),
            policies: referencesSchema("policy").optional(),
            serviceIdentities: z.array(serviceIdentitySchema()).optional(),
            nodeIdentities: z.array(nodeIdentitySchema()).optional(),
            adopt: z.boolean({ message: "adopt must be a boolean" }).optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type AclRoleInputs = z.infer<ReturnType<typeof aclRoleSchema>> & Located;

export interface AclRoleOutputs extends AclRoleInputs {
    roleId: string;
    description: string;
    policies: string[];
    /** Each linked policy with both its ID and name, as Consul holds them. */
    policyLinks: Array<{ id: string; name: string }>;
}

/** A role as Consul answers it. */
function consulRoleSchema() {
    return z
        .object({
            ID: z.string(),
            Name: z.string(),
            Description: z.string().optional(),
            Policies: z.array(consulLinkSchema()).nullish(),
            ServiceIdentities: z.array(consulServiceIdentitySchema()).nullish(),
            NodeIdentities: z.array(consulNodeIdentitySchema()).nullish(),
        })
        .loose();
}
type ConsulRole = z.infer<ReturnType<typeof consulRoleSchema>>;

function outputsOf(role: ConsulRole, inputs: AclRoleInputs): AclRoleOutputs {
    const links = role.Policies ?? [];
    const outs: AclRoleOutputs = {
        roleId: role.ID,
        name: role.Name,
        description: role.Description ?? "",
        policies: realignRefs(links, inputs.policies),
        policyLinks: links.map((l) => ({ id: l.ID, name: l.Name })),
    };
    const services = fromConsulServiceIdentities(role.ServiceIdentities ?? []);
    const nodes = fromConsulNodeIdentities(role.NodeIdentities ?? []);
    if (services.length > 0 || inputs.serviceIdentities !== undefined) outs.serviceIdentities = services;
    if (nodes.length > 0 || inputs.nodeIdentities !== undefined) outs.nodeIdentities = nodes;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (inputs.cluster !== undefined) outs.cluster = inputs.cluster;
    return outs;
}

function bodyOf(inputs: AclRoleInputs): Record<string, unknown> {
    return {
        Name: inputs.name,
        Description: inputs.description ?? "",
        Policies: (inputs.policies ?? []).map(linkOf),
        ServiceIdentities: toConsulServiceIdentities(inputs.serviceIdentities),
        NodeIdentities: toConsulNodeIdentities(inputs.nodeIdentities),
    };
}

const rolePath = (id: string) => `/v1/acl/role/${encodeURIComponent(id)}`;

/** The role of that name, or undefined when there is none. */
function roleByName(client: ConsulClient, name: string): Promise<ConsulRole | undefined> {
    return getAcl(client, `/v1/acl/role/name/${encodeURIComponent(name)}`, consulRoleSchema());
}

export class AclRoleProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(aclRoleSchema(), news).checked);
    }

    diff(_id: string, olds: AclRoleOutputs, news: AclRoleInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        if (olds.name !== news.name) changes.push("name");
        if ((olds.description ?? "") !== (news.description ?? "")) changes.push("description");
        if (!sameRefs(olds.policies, news.policies)) changes.push("policies");
        changes.push(...identityChanges(olds, news));
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    private async write(client: ConsulClient, id: string, inputs: AclRoleInputs): Promise<AclRoleOutputs> {
        // No compare-and-set on ACL endpoints: read right before writing.
        const current = await getAcl(client, rolePath(id), consulRoleSchema());
        if (!current) throw new Error(`ACL role ${id} no longer exists at ${client.address}; run pulumi refresh to plan its re-creation`);
        const res = await explained(client, () => client.put(rolePath(id), { ...bodyOf(inputs), ID: id }, consulRoleSchema()));
        return outputsOf(res.body, inputs);
    }

    async create(inputs: AclRoleInputs): Promise<Created<AclRoleOutputs>> {
        const client = this.client(inputs.connection);
        const existing = await roleByName(client, inputs.name);
        if (existing) {
            if (!inputs.adopt) {
                throw new Error(
                    `ACL role "${inputs.name}" already exists at ${client.address} (id ${existing.ID}); set adopt: true to manage it, or choose another name`,
                );
            }
            return { id: existing.ID, outs: await this.write(client, existing.ID, inputs) };
        }
        try {
            const res = await explained(client, () => client.put("/v1/acl/role", bodyOf(inputs), consulRoleSchema()));
            return { id: res.body.ID, outs: outputsOf(res.body, inputs) };
        } catch (err) {
            // An answer lost (and the repeat refused with "already exists"): no role had the name at
            // our first look, so one that is now there exactly as declared is the one we wrote.
            const found = await roleByName(client, inputs.name).catch(() => undefined);
            if (found && !(await this.diff(found.ID, outputsOf(found, inputs), inputs)).changes) {
                return { id: found.ID, outs: outputsOf(found, inputs) };
            }
            throw err;
        }
    }

    /** `id` is the role's ID; a name (only `pulumi import` passes one) is looked up and the ID returned. */
    async read(id: string, props: AclRoleOutputs): Promise<ReadOf<AclRoleOutputs, AclRoleInputs>> {
        const client = this.recordedClient(props);
        const role = UUID.test(id) ? await getAcl(client, rolePath(id), consulRoleSchema()) : await roleByName(client, id);
        if (!role) return {};
        const outs = outputsOf(role, props);
        const { roleId: _id, policyLinks: _links, ...inputs } = outs;
        return { id: role.ID, props: outs, inputs };
    }

    async update(id: string, _olds: AclRoleOutputs, news: AclRoleInputs): Promise<Updated<AclRoleOutputs>> {
        return { outs: await this.write(this.client(news.connection), id, news) };
    }

    async delete(id: string, props: AclRoleOutputs): Promise<void> {
        const client = this.recordedClient(props);
        try {
            await explained(client, () => client.delete(rolePath(id), z.unknown()));
        } catch (err) {
            if (!isNotFound(err) && !isNotFound(err instanceof Error ? err.cause : undefined)) throw err;
        }
    }
}

/** The one provider instance every AclRole shares. */
export const aclRoleProvider = new AclRoleProvider();
