// ServiceDefaults: the protocol (and meta) of a service's `service-defaults` config entry, enough
// to make a destination L7-capable for intention permissions. Fields it does not model are kept.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, createFailure, madeBySomeoneElse, type Checked, type Created, type ReadOf, type Updated } from "../base";
import { connectionSchema, connectionTarget } from "../connection";
import { isNotFound } from "../errors";
import { metaSchema, SERVICE_NAME } from "../intention-model";
import { canonical, validate } from "../validation";

export function serviceDefaultsSchema() {
    return z
        .object({
            name: z
                .string()
                .min(1, "name must not be empty")
                .regex(SERVICE_NAME, "name must be a service name")
                .refine((n) => n !== "*", {
                    message: 'name cannot be "*"',
                }),
            protocol: z.enum(["tcp", "http", "http2", "grpc"], { message: 'protocol must be "tcp", "http", "http2" or "grpc"' }),
            meta: metaSchema().optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ServiceDefaultsInputs = z.infer<ReturnType<typeof serviceDefaultsSchema>>;

interface Entry {
    Kind: string;
    Name: string;
    Protocol?: string;
    Meta?: Record<string, string>;
    ModifyIndex?: number;
    [key: string]: unknown;
}

const path = (name: string) => `/v1/config/service-defaults/${encodeURIComponent(name)}`;

export class ServiceDefaultsProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve({ inputs: news, failures: validate(serviceDefaultsSchema(), news).failures });
    }

    diff(_id: string, olds: ServiceDefaultsInputs, news: ServiceDefaultsInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        if (olds.name !== news.name) replaces.push("name");
        if (connectionTarget(olds.connection) !== connectionTarget(news.connection)) replaces.push("connection");
        if ((olds.protocol ?? "tcp") !== news.protocol) changes.push("protocol");
        if (canonical(olds.meta ?? {}) !== canonical(news.meta ?? {})) changes.push("meta");
        if (canonical(olds.connection ?? {}) !== canonical(news.connection ?? {}) && !replaces.includes("connection"))
            changes.push("connection");
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    private async get(inputs: ServiceDefaultsInputs): Promise<Entry | undefined> {
        try {
            return (await this.client(inputs.connection).get<Entry>(path(inputs.name))).body;
        } catch (err) {
            if (isNotFound(err)) return undefined;
            throw err;
        }
    }

    private outputs(entry: Entry, inputs: ServiceDefaultsInputs): ServiceDefaultsInputs {
        const outs: ServiceDefaultsInputs = { name: entry.Name, protocol: (entry.Protocol || "tcp") as ServiceDefaultsInputs["protocol"] };
        if (entry.Meta && Object.keys(entry.Meta).length > 0) outs.meta = entry.Meta;
        if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
        if (inputs.connection !== undefined) outs.connection = inputs.connection;
        return outs;
    }

    private async write(inputs: ServiceDefaultsInputs, creating: boolean): Promise<ServiceDefaultsInputs> {
        const client = this.client(inputs.connection);
        // Found later exactly as declared: an earlier attempt of ours, applied with its answer lost.
        const foreign = madeBySomeoneElse(
            (found: Entry) => found.Protocol === inputs.protocol && canonical(found.Meta ?? {}) === canonical(inputs.meta ?? {}),
        );
        for (let attempt = 1; ; attempt++) {
            const current = await this.get(inputs);
            if (foreign(current) && creating && !inputs.adopt) {
                throw new Error(
                    `service-defaults "${inputs.name}" already exists at ${client.address}; set adopt: true to manage it (fields consul-mesh does not model are kept)`,
                );
            }
            const { CreateIndex: _c, ModifyIndex: _m, Hash: _h, ...rest } = current ?? { Kind: "service-defaults", Name: inputs.name };
            const next: Entry = { ...rest, Kind: "service-defaults", Name: inputs.name, Protocol: inputs.protocol };
            if (inputs.meta) next.Meta = inputs.meta;
            else delete next.Meta;
            const res = await client.put<boolean>("/v1/config", next, { query: { cas: current?.ModifyIndex ?? 0 } });
            if (res.body === true) break;
            if (attempt >= 8) throw new Error(`service-defaults "${inputs.name}" kept changing at ${client.address}; try again`);
        }
        const stored = await this.get(inputs);
        if (!stored) throw new Error(`service-defaults "${inputs.name}" was written to ${client.address} but is not there on read-back`);
        return this.outputs(stored, inputs);
    }

    async create(inputs: ServiceDefaultsInputs): Promise<Created<ServiceDefaultsInputs>> {
        try {
            return { id: inputs.name, outs: await this.write(inputs, true) };
        } catch (err) {
            throw createFailure(err, inputs.name, inputs);
        }
    }

    async read(id: string, props: ServiceDefaultsInputs): Promise<ReadOf<ServiceDefaultsInputs>> {
        const entry = await this.get(props);
        if (!entry) return {};
        const outs = this.outputs(entry, props);
        return { id, props: outs, inputs: outs };
    }

    async update(_id: string, _olds: ServiceDefaultsInputs, news: ServiceDefaultsInputs): Promise<Updated<ServiceDefaultsInputs>> {
        return { outs: await this.write(news, false) };
    }

    async delete(_id: string, props: ServiceDefaultsInputs): Promise<void> {
        await this.client(props.connection).delete(path(props.name));
    }
}

export const serviceDefaultsProvider = new ServiceDefaultsProvider();
