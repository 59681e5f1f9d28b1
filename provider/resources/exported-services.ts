// ExportedServices: (service, peer) pairs of the cluster's `exported-services` config entry (one per
// partition, "default" in Community Edition). The entry is shared by everyone who exports services
// from the cluster (other stacks, ClusterPeerings, consul-k8s, operators), so a resource manages the
// pairs it declares and leaves the others as they are; every write is a compare-and-set through the
// config-entry engine, retried from a fresh read, so a concurrent writer's change is never lost.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, createFailure, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { dropUndefined, modifyConfigEntry, parseHeld, readConfigEntry, type ConfigEntry, type EntryRef } from "../engine/config-entry";
import { connectionSchema, type Located } from "../consul/connection";
import { peerName, SERVICE_NAME } from "../model/names";
import { canonical, containsUnknown, memoized } from "../model/validation";

export function exportedServicesSchema() {
    const consumer = z.object({ peer: peerName("peer") }).strict();
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

export type ExportedServicesInputs = z.infer<ReturnType<typeof exportedServicesSchema>> & Located;
export type ExportedService = ExportedServicesInputs["services"][number];
export type ExportedServicesOutputs = ExportedServicesInputs;

function consulServicesSchema() {
    const consumer = z
        .object({ Peer: z.string().optional(), Partition: z.string().optional(), SamenessGroup: z.string().optional() })
        .loose();
    return z
        .array(z.object({ Name: z.string(), Namespace: z.string().optional(), Consumers: z.array(consumer).nullish() }).loose())
        .nullish()
        .transform((s) => s ?? []);
}
type ConsulService = z.infer<ReturnType<typeof consulServicesSchema>>[number];

/** Services sorted by name, peers sorted and de-duplicated: the set view used for comparisons. */
export function normalizeServices(services: readonly ExportedService[] | undefined): ExportedService[] {
    return [...(services ?? [])]
        .map((s) => ({ name: s.name, consumers: [...new Set(s.consumers.map((c) => c.peer))].sort().map((peer) => ({ peer })) }))
        .filter((s) => s.consumers.length > 0)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function entryName(inputs: { name?: string }): string {
    return inputs.name ?? "default";
}

const ref = (inputs: { name?: string }): EntryRef => ({ kind: "exported-services", name: entryName(inputs) });

/** The declared (service, peer) pairs, as "service/peer" keys. */
function pairsOf(services: readonly ExportedService[] | undefined): Set<string> {
    return new Set(normalizeServices(services).flatMap((s) => s.consumers.map((c) => `${s.name}/${c.peer}`)));
}

/** The entry's services as Consul holds them (a malformed list names the entry's endpoint). */
function heldServices(entry: ConfigEntry | undefined, address: string): ConsulService[] {
    if (entry === undefined) return [];
    return parseHeld(consulServicesSchema(), entry.Services, { kind: entry.Kind, name: entry.Name }, address);
}

/** Every (service, peer) pair the entry holds (partition and sameness-group consumers are Enterprise's, never ours). */
/** The services of a set of `<service>/<peer>` pairs. */
function servicesOf(pairs: Set<string>): ExportedService[] {
    const byName = new Map<string, { peer: string }[]>();
    for (const pair of pairs) {
        const at = pair.lastIndexOf("/");
        const name = pair.slice(0, at);
        byName.set(name, [...(byName.get(name) ?? []), { peer: pair.slice(at + 1) }]);
    }
    return normalizeServices([...byName].map(([name, consumers]) => ({ name, consumers })));
}

function heldPairs(entry: ConfigEntry | undefined, address: string): Set<string> {
    const services = heldServices(entry, address);
    return new Set(services.flatMap((s) => (s.Consumers ?? []).filter((c) => c.Peer).map((c) => `${s.Name}/${c.Peer}`)));
}

/**
 * The entry with `add` pairs present and `remove` pairs gone; every other service and consumer is
 * kept as it is. Undefined (delete the entry) when no service is left.
 */
function withPairs(
    current: ConfigEntry | undefined,
    name: string,
    add: Set<string>,
    remove: Set<string>,
    address: string,
): ConfigEntry | undefined {
    const services: ConsulService[] = heldServices(current, address);
    const byName = new Map(services.map((s) => [s.Name, s]));
    for (const pair of remove) {
        const [service, peer] = pair.split("/");
        const s = byName.get(service);
        if (s) s.Consumers = (s.Consumers ?? []).filter((c) => c.Peer !== peer);
    }
    for (const pair of add) {
        const [service, peer] = pair.split("/");
        let s = byName.get(service);
        if (!s) {
            s = { Name: service, Consumers: [] };
            byName.set(service, s);
            services.push(s);
        }
        if (!(s.Consumers ?? []).some((c) => c.Peer === peer)) s.Consumers = [...(s.Consumers ?? []), { Peer: peer }];
    }
    const left = services.filter((s) => (s.Consumers ?? []).length > 0);
    if (left.length === 0) return undefined;
    return { ...(current ?? {}), Kind: "exported-services", Name: name, Services: left };
}

/** Outputs: the declared pairs that Consul holds (someone else's pairs are not this resource's). */
function outputsFrom(entry: ConfigEntry | undefined, inputs: ExportedServicesInputs, address: string): ExportedServicesOutputs {
    const held = heldPairs(entry, address);
    const services = normalizeServices(
        inputs.services.map((s) => ({ name: s.name, consumers: s.consumers.filter((c) => held.has(`${s.name}/${c.peer}`)) })),
    );
    const outs: ExportedServicesOutputs = { ...inputs, services };
    dropUndefined(outs);
    return outs;
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(exportedServicesSchema);

export class ExportedServicesProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(schema(), news).checked);
    }

    diff(_id: string, olds: ExportedServicesOutputs, news: ExportedServicesInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        if (entryName(olds) !== entryName(news)) replaces.push("name");
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        // Unknown during preview (Pulumi's sentinel in place of the list or inside it): a change.
        if (containsUnknown(news.services) || canonical(normalizeServices(olds.services)) !== canonical(normalizeServices(news.services))) {
            changes.push("services");
        }
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    /** Adds the declared pairs and withdraws `withdrawn` (pairs this resource declared before and no longer does). */
    private async write(client: ConsulClient, inputs: ExportedServicesInputs, withdrawn: Set<string>): Promise<ExportedServicesOutputs> {
        const declared = pairsOf(inputs.services);
        const entry = await modifyConfigEntry(
            client,
            ref(inputs),
            (current) => withPairs(current, entryName(inputs), declared, withdrawn, client.address),
            {
                readBack: declared.size > 0,
                shared: true,
            },
        );
        return outputsFrom(entry, inputs, client.address);
    }

    async create(inputs: ExportedServicesInputs): Promise<Created<ExportedServicesOutputs>> {
        // A pair has no attributes: one found already there is identical to the declared one, so a
        // create never refuses (nor a repeat of a create whose answer was lost).
        const client = this.client(inputs.connection);
        try {
            return { id: entryName(inputs), outs: await this.write(client, inputs, new Set()) };
        } catch (err) {
            throw createFailure(err, entryName(inputs), inputs);
        }
    }

    /** With no recorded `services` (a `pulumi import`), every pair Consul holds in the entry is taken. */
    async read(
        id: string,
        props: Omit<ExportedServicesOutputs, "services"> & { services?: ExportedService[] },
    ): Promise<ReadOf<ExportedServicesOutputs>> {
        const client = this.recordedClient(props);
        const entry = await readConfigEntry(client, ref(props));
        const services = props.services ?? servicesOf(heldPairs(entry, client.address));
        const outs = outputsFrom(entry, { ...props, services }, client.address);
        if (outs.services.length === 0 && (props.services === undefined || props.services.length > 0)) return {};
        return { id, props: outs, inputs: outs };
    }

    async update(_id: string, olds: ExportedServicesOutputs, news: ExportedServicesInputs): Promise<Updated<ExportedServicesOutputs>> {
        const keep = pairsOf(news.services);
        const withdrawn = new Set([...pairsOf(olds.services)].filter((p) => !keep.has(p)));
        return { outs: await this.write(this.client(news.connection), news, withdrawn) };
    }

    async delete(_id: string, props: ExportedServicesOutputs): Promise<void> {
        const mine = pairsOf(props.services);
        const client = this.recordedClient(props);
        await modifyConfigEntry(
            client,
            ref(props),
            (current) => (current === undefined ? undefined : withPairs(current, entryName(props), new Set(), mine, client.address)),
            { shared: true },
        );
    }
}

/** The one provider instance every ExportedServices shares. */
export const exportedServicesProvider = new ExportedServicesProvider();
