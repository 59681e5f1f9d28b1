// One dynamic provider for any resource that owns a whole config entry: the resource states its
// kind, its zod schema and its mapping (entry name, the entry to write, outputs from what Consul
// holds, which fields differ); reading, compare-and-set writing, the ownership mark, "already
// exists" and adoption, undo after a failed write and delete are the engine's (config-entry.ts).
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { ConsulResourceProvider, createFailure, type Checked, type Created, type ReadOf, type Updated } from "./base";
import {
    alreadyExistsError,
    deleteConfigEntry,
    dropUndefined,
    modifyConfigEntry,
    readConfigEntry,
    withOwnerMark,
    type ConfigEntry,
    type EntryRef,
} from "./config-entry";
import type { ConnectionInput, Located } from "../consul/connection";
import { maskCredentials } from "../model/credentials";
import { canonical, memoized } from "../model/validation";

/** Inputs every whole-entry resource has. */
export interface EntryResourceInputs extends Located {
    adopt?: boolean;
    connection?: ConnectionInput;
}

/** What a kind states: everything else is the engine's. */
export interface WholeEntryKind<Inputs extends EntryResourceInputs> {
    /** Consul's kind, e.g. "service-defaults" (or, for the untyped ConfigEntry, read from the inputs). */
    kind: string | ((inputs: Inputs) => string);
    /** The resource's schema (a factory; each provider builds it once). */
    schema: () => z.ZodType<Inputs>;
    /** The entry's name. */
    name: (inputs: Inputs) => string;
    /** Input fields that name the entry: changing one replaces the resource. */
    identity: ReadonlyArray<keyof Inputs & string>;
    /**
     * The entry to write, built on the one Consul holds (fields the kind does not model are kept).
     * The engine adds the ownership mark to its Meta.
     */
    toEntry: (inputs: Inputs, current: ConfigEntry | undefined) => ConfigEntry;
    /** Outputs from what Consul holds (the engine removes undefined values and the mark). */
    outputs: (entry: ConfigEntry, inputs: Inputs) => Inputs;
    /** The names of the modelled fields (other than identity, adopt and connection) that differ, compared normalised. */
    changes: (olds: Inputs, news: Inputs) => string[];
    /** What to say when an existing, different entry blocks a create (after "set adopt: true to ..."). */
    adoptHint: string;
    /** Output fields that are not inputs (read leaves them out of the realigned inputs, as check does). */
    outputOnly?: ReadonlyArray<keyof Inputs & string>;
    /** Whether any value of the entry may be a credential: every string written is then scrubbed from error text. */
    scrubWrittenValues?: boolean;
}

export class WholeEntryProvider<Inputs extends EntryResourceInputs> extends ConsulResourceProvider implements dynamic.ResourceProvider {
    /** The kind's schema, built once: check runs for every declaration of a program (and of an import). */
    private readonly schema: () => z.ZodType<Inputs>;

    constructor(private readonly spec: WholeEntryKind<Inputs>) {
        super();
        this.schema = memoized(spec.schema);
    }

    private ref(inputs: Inputs, id?: string): EntryRef {
        const kind = typeof this.spec.kind === "string" ? this.spec.kind : this.spec.kind(inputs);
        return { kind, name: id ?? this.spec.name(inputs) };
    }

    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(this.schema(), news).checked);
    }

    diff(_id: string, olds: Inputs, news: Inputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = this.spec.identity.filter((k) => canonical(olds[k] ?? null) !== canonical(news[k] ?? null));
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        const changes = [...this.spec.changes(olds, news), ...where.changes];
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    private outputsFrom(entry: ConfigEntry, inputs: Inputs): Inputs {
        // A credential-named field (a private key, token, secret, key set, in any spelling) keeps
        // Consul's value only where it is the program's own: read realigns inputs from these
        // outputs, and neither is secret unless the program made it so. `lastWrite` (a secret
        // output) records what was written and is compared whole.
        const read = this.spec.outputs(entry, inputs);
        const outs = maskCredentials(read, { ...inputs, lastWrite: Reflect.get(read, "lastWrite") });
        if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
        if (inputs.connection !== undefined) outs.connection = inputs.connection;
        if (inputs.cluster !== undefined) outs.cluster = inputs.cluster;
        dropUndefined(outs);
        return outs;
    }

    private async write(inputs: Inputs, creating: boolean): Promise<Inputs> {
        const client = this.client(inputs.connection);
        const ref = this.ref(inputs);
        const stored = await modifyConfigEntry(
            client,
            ref,
            (current) => {
                const declared = this.spec.toEntry(inputs, current);
                const next: ConfigEntry = { ...declared, Kind: ref.kind, Name: ref.name, Meta: withOwnerMark(declared.Meta) };
                // Checked on every compare-and-set attempt, against a fresh read. Found exactly as declared:
                // our own earlier attempt whose answer was lost, or a twin: success.
                if (current && creating && !inputs.adopt) {
                    const refused = alreadyExistsError(
                        `${ref.kind} "${ref.name}"`,
                        client.address,
                        current,
                        next,
                        `set adopt: true to ${this.spec.adoptHint}, or delete it first`,
                    );
                    if (refused) throw refused;
                }
                return next;
            },
            { readBack: true, scrubWrittenValues: this.spec.scrubWrittenValues },
        );
        if (!stored) throw new Error(`${ref.kind} "${ref.name}" was written to ${client.address} but is not there on read-back`);
        return this.outputsFrom(stored, inputs);
    }

    async create(inputs: Inputs): Promise<Created<Inputs>> {
        const id = this.spec.name(inputs);
        try {
            return { id, outs: await this.write(inputs, true) };
        } catch (err) {
            throw createFailure(err, id, inputs);
        }
    }

    async read(id: string, props: Inputs): Promise<ReadOf<Inputs, Record<string, unknown>>> {
        const entry = await readConfigEntry(this.recordedClient(props), this.ref(props, id));
        if (!entry) return {};
        return { id, ...this.readFrom(entry, props) };
    }

    /**
     * read's mapping of an entry Consul holds (also used by `consul-mesh import` on a listing): the
     * outputs, and the inputs realigned as check would return them, so a refresh of an entry in sync
     * changes no input (else the next up writes the whole state once per such resource).
     */
    readFrom(entry: ConfigEntry, props: Inputs): { props: Inputs; inputs: Record<string, unknown> } {
        const outs = this.outputsFrom(entry, props);
        const outputOnly = new Set<string>(this.spec.outputOnly ?? []);
        const inputs = Object.fromEntries(Object.entries(outs).filter(([k]) => !outputOnly.has(k)));
        return { props: outs, inputs };
    }

    async update(_id: string, _olds: Inputs, news: Inputs): Promise<Updated<Inputs>> {
        return { outs: await this.write(news, false) };
    }

    /** Deletes the entry with CAS (the one read just before); gone already is success. */
    async delete(id: string, props: Inputs): Promise<void> {
        await deleteConfigEntry(this.recordedClient(props), this.ref(props, id));
    }
}
