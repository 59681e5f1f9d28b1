// ServiceResolver: a service's `service-resolver` config entry (subsets, redirect, failover to other
// datacenters or peers, timeouts, load balancing). A typed kind for the config-entry engine: its
// schema, with Consul's rules (agent/structs/config_entry_discoverychain.go), and its field map.
import { z } from "zod";
import { WholeEntryProvider } from "../engine/config-entry-resource";
import { connectionSchema } from "../consul/connection";
import { countSchema, durationSchema, ownedMetaSchema, typedEntryKind, type EntryInputs, type FieldMap } from "../engine/entry-fields";
import { peerName, serviceName } from "../model/names";

/** Consul's rule for subset names (validServiceSubset: DNS-label style). */
const SUBSET_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function failoverTargetSchema() {
    return z
        .object({
            service: serviceName("service").optional(),
            serviceSubset: z.string().optional(),
            datacenter: z.string().min(1).optional(),
            peer: peerName("peer").optional(),
        })
        .strict()
        .superRefine((t, ctx) => {
            if (t.peer !== undefined && t.datacenter !== undefined) {
                ctx.addIssue({ code: "custom", path: ["peer"], message: "a failover target cannot name both a peer and a datacenter" });
            }
        });
}

function failoverSchema() {
    return z
        .object({
            service: serviceName("service").optional(),
            serviceSubset: z.string().optional(),
            datacenters: z.array(z.string().min(1)).optional(),
            targets: z.array(failoverTargetSchema()).optional(),
        })
        .strict()
        .superRefine((f, ctx) => {
            if (f.targets?.length && (f.service || f.serviceSubset || f.datacenters?.length)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["targets"],
                    message: "targets cannot be combined with service, serviceSubset or datacenters",
                });
            }
            if (!f.targets?.length && !f.service && !f.serviceSubset && !f.datacenters?.length) {
                ctx.addIssue({ code: "custom", message: "a failover needs targets, or a service, serviceSubset or datacenters" });
            }
        });
}

function loadBalancerSchema() {
    return z
        .object({
            policy: z
                .enum(["random", "round_robin", "least_request", "ring_hash", "maglev"], {
                    message: 'loadBalancer.policy must be "random", "round_robin", "least_request", "ring_hash" or "maglev"',
                })
                .optional(),
            ringHashConfig: z
                .object({
                    minimumRingSize: countSchema("minimumRingSize").optional(),
                    maximumRingSize: countSchema("maximumRingSize").optional(),
                })
                .strict()
                .optional(),
            leastRequestConfig: z
                .object({ choiceCount: countSchema("choiceCount").optional() })
                .strict()
                .optional(),
            hashPolicies: z
                .array(
                    z
                        .object({
                            field: z
                                .enum(["header", "cookie", "query_parameter"], {
                                    message: 'field must be "header", "cookie" or "query_parameter"',
                                })
                                .optional(),
                            fieldValue: z.string().optional(),
                            sourceIP: z.boolean().optional(),
                            terminal: z.boolean().optional(),
                        })
                        .strict()
                        .superRefine((h, ctx) => {
                            if (h.field !== undefined && h.sourceIP) {
                                ctx.addIssue({
                                    code: "custom",
                                    path: ["sourceIP"],
                                    message: "a hash policy hashes on a field or on sourceIP, not both",
                                });
                            }
                            if (h.field !== undefined && !h.fieldValue) {
                                ctx.addIssue({
                                    code: "custom",
                                    path: ["fieldValue"],
                                    message: "a hash policy on a field needs fieldValue",
                                });
                            }
                        }),
                )
                .optional(),
        })
        .strict()
        .superRefine((lb, ctx) => {
            if (lb.ringHashConfig && lb.policy !== "ring_hash") {
                ctx.addIssue({ code: "custom", path: ["ringHashConfig"], message: 'ringHashConfig needs policy "ring_hash"' });
            }
            if (lb.leastRequestConfig && lb.policy !== "least_request") {
                ctx.addIssue({ code: "custom", path: ["leastRequestConfig"], message: 'leastRequestConfig needs policy "least_request"' });
            }
            if (lb.hashPolicies?.length && lb.policy !== "ring_hash" && lb.policy !== "maglev") {
                ctx.addIssue({ code: "custom", path: ["hashPolicies"], message: 'hashPolicies need policy "ring_hash" or "maglev"' });
            }
        });
}

export function serviceResolverSchema() {
    return z
        .object({
            name: serviceName("name").refine((n) => n !== "*", { message: 'name cannot be "*"' }),
            defaultSubset: z.string().optional(),
            subsets: z
                .record(z.string(), z.object({ filter: z.string().optional(), onlyPassing: z.boolean().optional() }).strict())
                .superRefine((subsets, ctx) => {
                    for (const key of Object.keys(subsets)) {
                        if (!SUBSET_NAME.test(key)) {
                            ctx.addIssue({
                                code: "custom",
                                path: [key],
                                message: "subset names must be lower-case letters, digits and '-' (a DNS label)",
                            });
                        }
                    }
                })
                .optional(),
            redirect: z
                .object({
                    service: serviceName("service").optional(),
                    serviceSubset: z.string().optional(),
                    datacenter: z.string().min(1).optional(),
                    peer: peerName("peer").optional(),
                })
                .strict()
                .optional(),
            failover: z.record(z.string(), failoverSchema()).optional(),
            connectTimeout: durationSchema("connectTimeout").optional(),
            requestTimeout: durationSchema("requestTimeout").optional(),
            loadBalancer: loadBalancerSchema().optional(),
            meta: ownedMetaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict()
        .superRefine((r, ctx) => {
            const subsets = Object.keys(r.subsets ?? {});
            if (r.redirect) {
                for (const other of ["subsets", "defaultSubset", "failover"] as const) {
                    if (other === "subsets" ? subsets.length > 0 : r[other] !== undefined) {
                        ctx.addIssue({ code: "custom", path: ["redirect"], message: `redirect cannot be combined with ${other}` });
                    }
                }
            }
            if (r.defaultSubset !== undefined && !subsets.includes(r.defaultSubset)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["defaultSubset"],
                    message: `defaultSubset "${r.defaultSubset}" is not one of the subsets`,
                });
            }
            for (const key of Object.keys(r.failover ?? {})) {
                if (key !== "*" && !subsets.includes(key)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["failover", key],
                        message: `failover keys are "*" or a subset name; "${key}" is not a subset`,
                    });
                }
            }
        });
}

export type ServiceResolverInputs = z.infer<ReturnType<typeof serviceResolverSchema>>;

/** Consul writes this kind's durations as Go text ("5s"). */
export const SERVICE_RESOLVER_FIELDS: FieldMap = {
    names: { sourceIP: "SourceIP" },
    records: ["subsets", "failover"],
    durations: ["connectTimeout", "requestTimeout"],
    durationsAs: "text",
};

export class ServiceResolverProvider extends WholeEntryProvider<EntryInputs> {
    constructor() {
        super(
            typedEntryKind({
                kind: "service-resolver",
                schema: serviceResolverSchema,
                name: { field: "name" },
                fields: ["defaultSubset", "subsets", "redirect", "failover", "connectTimeout", "requestTimeout", "loadBalancer"],
                map: SERVICE_RESOLVER_FIELDS,
                adoptHint: "manage it",
            }),
        );
    }
}

export const serviceResolverProvider = new ServiceResolverProvider();
