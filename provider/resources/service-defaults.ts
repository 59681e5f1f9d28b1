// ServiceDefaults: the protocol (and meta) of a service's `service-defaults` config entry, enough
// to make a destination L7-capable for intention permissions. Fields it does not model are kept.
// Reads and writes go through the config-entry engine (CAS, ownership mark, undo on failure).
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, createFailure, type Checked, type Created, type ReadOf, type Updated } from "../base";
import {
    alreadyExistsError,
    deleteConfigEntry,
    dropUndefined,
    metaWithoutMark,
    modifyConfigEntry,
    OWNER_META_KEY,
    readConfigEntry,
    withOwnerMark,
    type ConfigEntry,
    type EntryRef,
} from "../config-entry";
import { connectionSchema, connectionTarget } from "../connection";
import { metaSchema, SERVICE_NAME } from "../names";
import { canonical, validate } from "../validation";

const PROTOCOLS = ["tcp", "http", "http2", "grpc"] as const;

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
            protocol: z.enum(PROTOCOLS, { message: 'protocol must be "tcp", "http", "http2" or "grpc"' }),
            meta: metaSchema()
                .refine((m) => !(OWNER_META_KEY in m), {
                    message: `meta key "${OWNER_META_KEY}" is reserved for consul-mesh's ownership mark`,
                })
                .optional(),
            adopt: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type ServiceDefaultsInputs = z.infer<ReturnType<typeof serviceDefaultsSchema>>;

const ref = (name: string): EntryRef => ({ kind: "service-defaults", name });

/** Consul's protocol as we model it ("" and unknown values read as tcp, Consul's default). */
function protocolOf(entry: ConfigEntry): ServiceDefaultsInputs["protocol"] {
    return PROTOCOLS.find((p) => p === entry.Protocol) ?? "tcp";
}

function outputsFrom(entry: ConfigEntry, inputs: ServiceDefaultsInputs): ServiceDefaultsInputs {
    const outs: ServiceDefaultsInputs = { name: entry.Name, protocol: protocolOf(entry) };
    const meta = metaWithoutMark(entry);
    if (meta) outs.meta = meta;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    dropUndefined(outs);
    return outs;
}

/** The entry to write: what is there (fields we do not model kept), with our protocol, meta and mark. */
function declared(inputs: ServiceDefaultsInputs, current: ConfigEntry | undefined): ConfigEntry {
    return { ...(current ?? {}), Kind: "service-defaults", Name: inputs.name, Protocol: inputs.protocol, Meta: withOwnerMark(inputs.meta) };
}

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

    private async write(inputs: ServiceDefaultsInputs, creating: boolean): Promise<ServiceDefaultsInputs> {
        const client = this.client(inputs.connection);
        const stored = await modifyConfigEntry(
            client,
            ref(inputs.name),
            (current) => {
                const next = declared(inputs, current);
                if (current && creating && !inputs.adopt) {
                    // Found exactly as declared: our own earlier attempt whose answer was lost, or a twin.
                    const refused = alreadyExistsError(
                        `service-defaults "${inputs.name}"`,
                        client.address,
                        current,
                        next,
                        "set adopt: true to manage it (fields consul-mesh does not model are kept), or delete it first",
                    );
                    if (refused) throw refused;
                }
                return next;
            },
            { readBack: true },
        );
        if (!stored) throw new Error(`service-defaults "${inputs.name}" was written to ${client.address} but is not there on read-back`);
        return outputsFrom(stored, inputs);
    }

    async create(inputs: ServiceDefaultsInputs): Promise<Created<ServiceDefaultsInputs>> {
        try {
            return { id: inputs.name, outs: await this.write(inputs, true) };
        } catch (err) {
            throw createFailure(err, inputs.name, inputs);
        }
    }

    async read(id: string, props: ServiceDefaultsInputs): Promise<ReadOf<ServiceDefaultsInputs>> {
        const entry = await readConfigEntry(this.client(props.connection), ref(props.name ?? id));
        if (!entry) return {};
        const outs = outputsFrom(entry, props);
        return { id, props: outs, inputs: outs };
    }

    async update(_id: string, _olds: ServiceDefaultsInputs, news: ServiceDefaultsInputs): Promise<Updated<ServiceDefaultsInputs>> {
        return { outs: await this.write(news, false) };
    }

    async delete(id: string, props: ServiceDefaultsInputs): Promise<void> {
        await deleteConfigEntry(this.client(props.connection), ref(props.name ?? id));
    }
}

export const serviceDefaultsProvider = new ServiceDefaultsProvider();
