// ExportedServices: the cluster's `exported-services` config entry (one per partition, "default" in
// Community Edition), managed authoritatively: which services each peer may import.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, createFailure, type Checked, type Created, type ReadOf, type Updated } from "../base";
import type { ConsulClient } from "../client";
import { connectionSchema, connectionTarget } from "../connection";
import { isNotFound } from "../errors";
import { peerNameSchema } from "../peering-api";
import { canonical, validate } from "../validation";

const SERVICE_NAME = /^(\*|[A-Za-z0-9]([A-Za-z0-9._-]{0,254}[A-Za-z0-9])?)$/;

export function exportedServicesSchema() {
    const consumer = z.object({ peer: peerNameSchema("peer") }).strict();
    const service = z
        .object({
            name: z
                .string({ message: "name is required" })
                .regex(SERVICE_NAME, 'name must be a service name (letters, digits, ".", "_", "-") or "*"'),
            consumers: z.array(consumer).min(1, "consumers must name at least one peer"),
        })
        .strict();
    return z
        .object({
            name: z
                .string()
                .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'name must be a partition name ("default" in Community Edition)')
                .optional(),
            services: z.array(service).superRefine((services, ctx) => {
                const seen = new Set<string>();
                services.forEach((s, i) => {
                    if (seen.has(s.name)) {
                        ctx.addIssue({ code: "custom", path: [i, "name"], message: `service "${s.name}" is listed twice` });
                    }
                    seen.add(s.name);
                });
            }),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ExportedServicesInputs = z.infer<ReturnType<typeof exportedServicesSchema>>;
export type ExportedService = ExportedServicesInputs["services"][number];
export type ExportedServicesOutputs = ExportedServicesInputs;

interface ConsulExportedServices {
    Kind: "exported-services";
    Name: string;
    Services?: Array<{
        Name: string;
        Namespace?: string;
        Consumers?: Array<{ Peer?: string; Partition?: string; SamenessGroup?: string }>;
    }> | null;
    ModifyIndex?: number;
}

/** Services sorted by name, peers sorted and de-duplicated: the set view used for comparisons. */
export function normalizeServices(services: readonly ExportedService[] | undefined): ExportedService[] {
    return [...(services ?? [])]
        .map((s) => ({ name: s.name, consumers: [...new Set(s.consumers.map((c) => c.peer))].sort().map((peer) => ({ peer })) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function entryName(inputs: { name?: string }): string {
    return inputs.name ?? "default";
}

function toConsul(inputs: ExportedServicesInputs): ConsulExportedServices {
    return {
        Kind: "exported-services",
        Name: entryName(inputs),
        Services: normalizeServices(inputs.services).map((s) => ({
            Name: s.name,
            Consumers: s.consumers.map((c) => ({ Peer: c.peer })),
        })),
    };
}

async function readEntry(client: ConsulClient, name: string): Promise<ConsulExportedServices | undefined> {
    try {
        return (await client.get<ConsulExportedServices>(`/v1/config/exported-services/${encodeURIComponent(name)}`)).body;
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

function servicesOf(entry: ConsulExportedServices): ExportedService[] {
    return normalizeServices(
        (entry.Services ?? []).map((s) => ({
            name: s.Name,
            // Partition and sameness-group consumers are Enterprise features this resource does not manage.
            consumers: (s.Consumers ?? []).filter((c) => c.Peer).map((c) => ({ peer: c.Peer as string })),
        })),
    );
}

export class ExportedServicesProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        const { failures } = validate(exportedServicesSchema(), news);
        return Promise.resolve({ inputs: news, failures });
    }

    diff(_id: string, olds: ExportedServicesOutputs, news: ExportedServicesInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        if (entryName(olds) !== entryName(news)) replaces.push("name");
        if (connectionTarget(olds.connection) !== connectionTarget(news.connection)) replaces.push("connection");
        else if (canonical(olds.connection ?? {}) !== canonical(news.connection ?? {})) changes.push("connection");
        if (canonical(normalizeServices(olds.services)) !== canonical(normalizeServices(news.services))) changes.push("services");
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    async create(inputs: ExportedServicesInputs): Promise<Created<ExportedServicesOutputs>> {
        const client = this.client(inputs.connection);
        const name = entryName(inputs);
        // cas=0 writes only if there is no entry yet, so an existing one is never silently replaced.
        // A lost answer retried is fine: Consul answered an identical repeat of an applied write with true (measured).
        const res = await client
            .put<boolean>("/v1/config", toConsul(inputs), { query: inputs.adopt ? undefined : { cas: 0 } })
            .catch((err: unknown) => {
                throw createFailure(err, name, inputs);
            });
        if (res.body === false) {
            throw new Error(
                `the exported-services entry "${name}" already exists at ${client.address}; set adopt: true to manage it ` +
                    `(this resource is authoritative: it replaces the entry's whole service list)`,
            );
        }
        return { id: name, outs: await this.readBack(client, inputs) };
    }

    private async readBack(client: ConsulClient, inputs: ExportedServicesInputs): Promise<ExportedServicesOutputs> {
        const entry = await readEntry(client, entryName(inputs));
        if (!entry)
            throw new Error(`exported-services "${entryName(inputs)}" was written to ${client.address} but is not there on read-back`);
        return { ...inputs, services: servicesOf(entry) };
    }

    async read(id: string, props: ExportedServicesOutputs): Promise<ReadOf<ExportedServicesOutputs>> {
        const client = this.client(props.connection);
        const entry = await readEntry(client, entryName(props));
        if (!entry) return {};
        const outs: ExportedServicesOutputs = { ...props, services: servicesOf(entry) };
        return { id, props: outs, inputs: outs };
    }

    async update(_id: string, _olds: ExportedServicesOutputs, news: ExportedServicesInputs): Promise<Updated<ExportedServicesOutputs>> {
        const client = this.client(news.connection);
        await client.put("/v1/config", toConsul(news));
        return { outs: await this.readBack(client, news) };
    }

    async delete(id: string, props: ExportedServicesOutputs): Promise<void> {
        await this.client(props.connection).delete(`/v1/config/exported-services/${encodeURIComponent(entryName(props) ?? id)}`);
    }
}

/** The one provider instance every ExportedServices shares. */
export const exportedServicesProvider = new ExportedServicesProvider();
