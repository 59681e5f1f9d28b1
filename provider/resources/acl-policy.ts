// AclPolicy: one ACL policy (`/v1/acl/policy`), its rules checked at preview with Consul's grammar.
// The id is Consul's policy ID, so a rename or a rules change updates in place. Consul's ACL
// endpoints have no compare-and-set: every write is preceded by a read, and a change made by
// someone else between that read and our write is overwritten (see the README).
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { aclRulesProblem } from "../model/acl-rules";
import { explained, getAcl, isBuiltin, policyNameSchema, UUID } from "../engine/acl-common";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, type Located } from "../consul/connection";
import { isNotFound } from "../consul/errors";
import { canonical } from "../model/validation";

export function aclPolicySchema() {
    return z
        .object({
            name: policyNameSchema(),
            description: z.string({ message: "description must be a string" }).optional(),
            rules: z
                .string({ message: "rules must be a string (HCL or JSON)" })
                .superRefine((rules, ctx) => {
                    const problem = aclRulesProblem(rules);
                    if (problem) ctx.addIssue({ code: "custom", message: problem });
                })
                .optional(),
            datacenters: z.array(z.string().min(1, "a datacenter must not be empty")).optional(),
            adopt: z.boolean({ message: "adopt must be a boolean" }).optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type AclPolicyInputs = z.infer<ReturnType<typeof aclPolicySchema>> & Located;

export interface AclPolicyOutputs extends AclPolicyInputs {
    /** The policy's ID (also the resource id). */
    policyId: string;
    rules: string;
    description: string;
    datacenters: string[];
}

/** A policy as Consul answers it. */
function consulPolicySchema() {
    return z
        .object({
            ID: z.string(),
            Name: z.string(),
            Description: z.string().optional(),
            Rules: z.string().optional(),
            Datacenters: z.array(z.string()).nullish(),
        })
        .loose();
}
type ConsulPolicy = z.infer<ReturnType<typeof consulPolicySchema>>;

const sorted = (xs: readonly string[] | undefined) => [...(xs ?? [])].sort();

function outputsOf(p: ConsulPolicy, inputs: AclPolicyInputs): AclPolicyOutputs {
    const outs: AclPolicyOutputs = {
        policyId: p.ID,
        name: p.Name,
        description: p.Description ?? "",
        rules: p.Rules ?? "",
        datacenters: sorted(p.Datacenters ?? []),
    };
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (inputs.cluster !== undefined) outs.cluster = inputs.cluster;
    return outs;
}

/** The body to PUT: for a built-in policy Consul refuses rules/datacenters changes, so they are kept. */
function bodyOf(inputs: AclPolicyInputs, current: ConsulPolicy | undefined): Record<string, unknown> {
    if (current && isBuiltin(current.ID, current.Name)) {
        return { ...current, Description: inputs.description ?? current.Description ?? "" };
    }
    return { Name: inputs.name, Description: inputs.description ?? "", Rules: inputs.rules ?? "", Datacenters: inputs.datacenters ?? [] };
}

async function byName(client: ConsulClient, name: string): Promise<ConsulPolicy | undefined> {
    return getAcl(client, `/v1/acl/policy/name/${encodeURIComponent(name)}`, consulPolicySchema());
}

export class AclPolicyProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(aclPolicySchema(), news).checked);
    }

    diff(id: string, olds: AclPolicyOutputs, news: AclPolicyInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        if (olds.name !== news.name) changes.push("name");
        // A built-in policy's rules, datacenters and description are Consul's; they are only compared
        // when the program states them (otherwise an adopted built-in would show a change forever).
        const builtin = isBuiltin(id, olds.name);
        if ((!builtin || news.description !== undefined) && (olds.description ?? "") !== (news.description ?? ""))
            changes.push("description");
        if ((!builtin || news.rules !== undefined) && (olds.rules ?? "") !== (news.rules ?? "")) changes.push("rules");
        if ((!builtin || news.datacenters !== undefined) && canonical(sorted(olds.datacenters)) !== canonical(sorted(news.datacenters))) {
            changes.push("datacenters");
        }
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    private async write(client: ConsulClient, id: string, inputs: AclPolicyInputs): Promise<AclPolicyOutputs> {
        // No compare-and-set on ACL endpoints: read right before writing, so what we keep is current.
        const current = await getAcl(client, `/v1/acl/policy/${id}`, consulPolicySchema());
        if (!current) throw new Error(`ACL policy ${id} no longer exists at ${client.address}; run pulumi refresh to plan its re-creation`);
        if (isBuiltin(current.ID, current.Name) && inputs.rules !== undefined && inputs.rules !== current.Rules) {
            throw new Error(
                `rules of the built-in policy "${current.Name}" cannot be changed (Consul refuses it); remove rules from the program`,
            );
        }
        const res = await explained(client, () =>
            client.put(`/v1/acl/policy/${id}`, { ...bodyOf(inputs, current), ID: id }, consulPolicySchema()),
        );
        return outputsOf(res.body, inputs);
    }

    async create(inputs: AclPolicyInputs): Promise<Created<AclPolicyOutputs>> {
        const client = this.client(inputs.connection);
        const existing = await byName(client, inputs.name);
        if (existing) {
            if (!inputs.adopt) {
                throw new Error(
                    `ACL policy "${inputs.name}" already exists at ${client.address} (id ${existing.ID}); set adopt: true to manage it, or choose another name`,
                );
            }
            return { id: existing.ID, outs: await this.write(client, existing.ID, inputs) };
        }
        const body = bodyOf(inputs, undefined);
        try {
            const res = await explained(client, () => client.put("/v1/acl/policy", body, consulPolicySchema()));
            return { id: res.body.ID, outs: outputsOf(res.body, inputs) };
        } catch (err) {
            // An answer lost (or a retry refused with "already exists" after it): the policy is there
            // exactly as we wrote it, and no one had it at our first look, so it is ours.
            const found = await byName(client, inputs.name).catch(() => undefined);
            if (found && (found.Rules ?? "") === body.Rules && (found.Description ?? "") === body.Description) {
                return { id: found.ID, outs: outputsOf(found, inputs) };
            }
            throw err;
        }
    }

    /** `id` is the policy's ID; a name (only `pulumi import` passes one) is looked up and the ID returned. */
    async read(id: string, props: AclPolicyOutputs): Promise<ReadOf<AclPolicyOutputs, AclPolicyInputs>> {
        const client = this.recordedClient(props);
        const policy = UUID.test(id) ? await getAcl(client, `/v1/acl/policy/${id}`, consulPolicySchema()) : await byName(client, id);
        if (!policy) return {};
        const outs = outputsOf(policy, props);
        const { policyId: _id, datacenters, ...inputs } = outs;
        // Realigned as check has them: no datacenters is the same as unset.
        return { id: policy.ID, props: outs, inputs: datacenters?.length ? { ...inputs, datacenters } : inputs };
    }

    async update(id: string, _olds: AclPolicyOutputs, news: AclPolicyInputs): Promise<Updated<AclPolicyOutputs>> {
        return { outs: await this.write(this.client(news.connection), id, news) };
    }

    /** Built-in policies are only forgotten; any other is deleted (already gone is fine). */
    async delete(id: string, props: AclPolicyOutputs): Promise<void> {
        if (isBuiltin(id, props.name)) return;
        const client = this.recordedClient(props);
        try {
            await explained(client, () => client.delete(`/v1/acl/policy/${id}`, z.unknown()));
        } catch (err) {
            const cause = err instanceof Error ? err.cause : undefined;
            if (!isNotFound(err) && !isNotFound(cause)) throw err;
        }
    }
}

/** The one provider instance every AclPolicy shares. */
export const aclPolicyProvider = new AclPolicyProvider();
