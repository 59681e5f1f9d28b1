// AclBindingRule: how an auth method's logins become tokens (`/v1/acl/binding-rule`). The id is
// the rule's ID; moving it to another auth method replaces it.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { explained, getAcl } from "../engine/acl-common";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import { connectionSchema, type Located } from "../consul/connection";
import type { ConsulClient } from "../consul/client";
import { isNotFound, writeMayHaveLanded } from "../consul/errors";
import { canonical, memoized } from "../model/validation";

export function aclBindingRuleSchema() {
    return z
        .object({
            authMethod: z.string().regex(/^[A-Za-z0-9\-_]{1,128}$/, "authMethod must be an auth method name"),
            description: z.string().optional(),
            selector: z.string().optional(),
            bindType: z.enum(["service", "node", "role"], { message: 'bindType must be "service", "node" or "role"' }),
            bindName: z.string().min(1, "bindName is required (it may use ${value.<claim>} interpolation)"),
            adopt: z.boolean({ message: "adopt must be a boolean" }).optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type AclBindingRuleInputs = z.infer<ReturnType<typeof aclBindingRuleSchema>> & Located;

/** A binding rule as Consul answers it. */
function consulBindingRuleSchema() {
    return z
        .object({
            ID: z.string(),
            AuthMethod: z.string(),
            Description: z.string().optional(),
            Selector: z.string().optional(),
            BindType: z.enum(["service", "node", "role"]),
            BindName: z.string(),
            ModifyIndex: z.number().optional(),
        })
        .loose();
}
type ConsulBindingRule = z.infer<ReturnType<typeof consulBindingRuleSchema>>;

function outputsOf(rule: ConsulBindingRule, inputs: AclBindingRuleInputs): AclBindingRuleInputs {
    const outs: AclBindingRuleInputs = { authMethod: rule.AuthMethod, bindType: rule.BindType, bindName: rule.BindName };
    if (rule.Description) outs.description = rule.Description;
    if (rule.Selector) outs.selector = rule.Selector;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (inputs.cluster !== undefined) outs.cluster = inputs.cluster;
    return outs;
}

function bodyOf(inputs: AclBindingRuleInputs) {
    return {
        AuthMethod: inputs.authMethod,
        Description: inputs.description ?? "",
        Selector: inputs.selector ?? "",
        BindType: inputs.bindType,
        BindName: inputs.bindName,
    };
}

const rulePath = (id: string) => `/v1/acl/binding-rule/${encodeURIComponent(id)}`;

/**
 * What a rule grants, and to which logins: a rule has no name, so this is what identifies it among
 * its auth method's rules (the description is free text, not part of it).
 */
const grantOf = (r: { Selector?: string; BindType: string; BindName: string }) =>
    canonical({ selector: r.Selector ?? "", bindType: r.BindType, bindName: r.BindName });

/** The auth method's binding rules. */
async function rulesOf(client: ConsulClient, authMethod: string): Promise<ConsulBindingRule[]> {
    const res = await explained(client, () =>
        client.get("/v1/acl/binding-rules", z.array(consulBindingRuleSchema()), { query: { authmethod: authMethod } }),
    );
    return res.body;
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(aclBindingRuleSchema);

export class AclBindingRuleProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(schema(), news).checked);
    }

    diff(_id: string, olds: AclBindingRuleInputs, news: AclBindingRuleInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        if (olds.authMethod !== news.authMethod) replaces.push("authMethod");
        for (const key of ["description", "selector", "bindType", "bindName"] as const)
            if ((olds[key] ?? "") !== (news[key] ?? "")) changes.push(key);
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: false });
    }

    /**
     * A rule has no name, so a repeated create would make a second rule granting the same logins.
     * An existing rule of the auth method that grants the same (selector, bind type, bind name) is
     * refused unless `adopt` is set; with `adopt`, it is taken over: its description is written only
     * when it differs, and only if the rule is still the one read (its `ModifyIndex`: ACL endpoints
     * have no `?cas=`, so this is the closest compare-and-set). Two such rules are refused, naming both.
     *
     * The write is repeated only while Consul's answers prove it was not applied; when its answer
     * was lost, the rule is found among the method's rules that were not there before and match
     * the declared one exactly, and taken when there is exactly one.
     */
    async create(inputs: AclBindingRuleInputs): Promise<Created<AclBindingRuleInputs>> {
        const client = this.client(inputs.connection);
        const rules = await rulesOf(client, inputs.authMethod);
        const same = rules.filter((r) => grantOf(r) === grantOf(bodyOf(inputs)));
        if (same.length > 0) {
            const ids = same.map((r) => r.ID).join(", ");
            if (!inputs.adopt) {
                throw new Error(
                    `auth method "${inputs.authMethod}" at ${client.address} already has a binding rule granting ${inputs.bindType} ` +
                        `"${inputs.bindName}" to the same logins (id ${ids}); set adopt: true to manage it`,
                );
            }
            if (same.length > 1) {
                throw new Error(
                    `auth method "${inputs.authMethod}" at ${client.address} has ${same.length} binding rules granting ${inputs.bindType} ` +
                        `"${inputs.bindName}" to the same logins (ids ${ids}); delete all but one before adopting`,
                );
            }
            return { id: same[0].ID, outs: await this.adopt(client, same[0], inputs) };
        }
        const before = new Set(rules.map((r) => r.ID));
        try {
            const res = await explained(client, () =>
                client.put("/v1/acl/binding-rule", bodyOf(inputs), consulBindingRuleSchema(), { retry: "until-sent" }),
            );
            return { id: res.body.ID, outs: outputsOf(res.body, inputs) };
        } catch (err) {
            if (!writeMayHaveLanded(err)) throw err;
            const made = (await rulesOf(client, inputs.authMethod).catch(() => [])).filter(
                (r) => !before.has(r.ID) && canonical(bodyOf(outputsOf(r, inputs))) === canonical(bodyOf(inputs)),
            );
            if (made.length === 1) return { id: made[0].ID, outs: outputsOf(made[0], inputs) };
            throw err;
        }
    }

    /** Takes `found` over: nothing is written when it already is as declared. */
    private async adopt(client: ConsulClient, found: ConsulBindingRule, inputs: AclBindingRuleInputs): Promise<AclBindingRuleInputs> {
        if ((found.Description ?? "") === (inputs.description ?? "")) return outputsOf(found, inputs);
        const current = await getAcl(client, rulePath(found.ID), consulBindingRuleSchema());
        if (!current || current.ModifyIndex !== found.ModifyIndex || grantOf(current) !== grantOf(found)) {
            throw new Error(
                `binding rule ${found.ID} of auth method "${inputs.authMethod}" at ${client.address} changed while it was being adopted; run pulumi up again`,
            );
        }
        const res = await explained(client, () =>
            client.put(rulePath(found.ID), { ...bodyOf(inputs), ID: found.ID }, consulBindingRuleSchema()),
        );
        return outputsOf(res.body, inputs);
    }

    async read(id: string, props: AclBindingRuleInputs): Promise<ReadOf<AclBindingRuleInputs>> {
        const rule = await getAcl(this.recordedClient(props), rulePath(id), consulBindingRuleSchema());
        if (!rule) return {};
        const outs = outputsOf(rule, props);
        return { id, props: outs, inputs: outs };
    }

    async update(id: string, _olds: AclBindingRuleInputs, news: AclBindingRuleInputs): Promise<Updated<AclBindingRuleInputs>> {
        const client = this.client(news.connection);
        const res = await explained(client, () => client.put(rulePath(id), { ...bodyOf(news), ID: id }, consulBindingRuleSchema()));
        return { outs: outputsOf(res.body, news) };
    }

    /** Already gone (deleted by hand, or with its auth method) is fine. */
    async delete(id: string, props: AclBindingRuleInputs): Promise<void> {
        const client = this.recordedClient(props);
        try {
            await explained(client, () => client.delete(rulePath(id), z.unknown()));
        } catch (err) {
            if (!isNotFound(err) && !isNotFound(err instanceof Error ? err.cause : undefined)) throw err;
        }
    }
}

export const aclBindingRuleProvider = new AclBindingRuleProvider();
