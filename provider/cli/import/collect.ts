// Reads what consul-mesh models on one cluster, through the resources' own providers: a listing per
// kind (one request), then each object through its provider's `read` (or, for whole config
// entries, the same mapping `read` applies, on the listed entry), so the declarations are exactly
// the inputs a refresh would realign the resources to. Nothing here maps Consul's JSON by itself.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulClient } from "../../consul/client";
import { resolveConnection, type ConnectionInput } from "../../consul/connection";
import { ConsulApiError } from "../../consul/errors";
import { isBuiltin } from "../../engine/acl-common";
import type { ConfigEntry } from "../../engine/config-entry";
import { listConfigEntries } from "../../engine/config-entry";
import type { WholeEntryProvider } from "../../engine/config-entry-resource";
import type { EntryInputs } from "../../engine/entry-fields";
import { UNDECLARED_CREDENTIAL } from "../../model/credentials";
import { heldFields } from "../../resources/config-entry";
import { providers, type ProviderKind } from "../../index";
import { Code, plain, Reference, type Declaration, type ImportResult, type RequestCounts, type ResourceType, type Skipped } from "./model";

/** Config-entry kinds of Consul 1.16 CE, with the typed resource where consul-mesh has one. */
const ENTRY_KINDS: ReadonlyArray<{ kind: string; type: ResourceType }> = [
    { kind: "proxy-defaults", type: "ProxyDefaults" },
    { kind: "mesh", type: "Mesh" },
    { kind: "jwt-provider", type: "JwtProvider" },
    { kind: "service-defaults", type: "ServiceDefaults" },
    { kind: "service-resolver", type: "ServiceResolver" },
    { kind: "service-router", type: "ConfigEntry" },
    { kind: "service-splitter", type: "ConfigEntry" },
    { kind: "ingress-gateway", type: "ConfigEntry" },
    { kind: "terminating-gateway", type: "ConfigEntry" },
    { kind: "api-gateway", type: "ConfigEntry" },
    { kind: "http-route", type: "ConfigEntry" },
    { kind: "tcp-route", type: "ConfigEntry" },
    { kind: "service-intentions", type: "ServiceIntentions" },
    { kind: "exported-services", type: "ExportedServices" },
];

/** Entries of the whole cluster, not of one service: kept with `--services` (a JWT provider serves every intention naming it). */
const CLUSTER_WIDE: ReadonlySet<ResourceType> = new Set(["ExportedServices", "Mesh", "ProxyDefaults", "JwtProvider"]);

/** Kinds read but never declared, and why. */
const UNDECLARED_KINDS: Record<string, string> = {
    "inline-certificate": "holds a private key in clear text: declare it yourself with the key from a secret",
    "bound-api-gateway": "written by Consul itself from api-gateway and route entries",
};

/** The groups `--kinds` selects. */
export const KIND_GROUPS = ["config-entries", "intentions", "exported-services", "acl", "ca", "peerings"] as const;
export type KindGroup = (typeof KIND_GROUPS)[number];

export interface CollectOptions {
    connection: ConnectionInput;
    /** Only these groups (all when undefined). */
    kinds?: ReadonlySet<KindGroup>;
    /** Only config entries and intentions of these services (and the cluster-wide ones). */
    services?: ReadonlySet<string>;
    /** Intentions as one Intention per (source, destination) pair instead of ServiceIntentions. */
    intentionPairs?: boolean;
    progress: (line: string) => void;
}

const record = z.record(z.string(), z.unknown());
/** Fields every realigned input may carry that the program sets itself (or that are computed). */
const PROGRAM_OWNED = ["connection", "cluster", "adopt"];

function inputsOf(result: dynamic.ReadResult, what: string): Record<string, unknown> {
    if (!result.id) throw new Error(`${what} disappeared while it was being read`);
    const inputs = record.parse(result.inputs ?? result.props);
    return Object.fromEntries(Object.entries(inputs).filter(([k, v]) => !PROGRAM_OWNED.includes(k) && v !== undefined));
}

/** The permission a 403 on `path` is about (for the message: the token needs it to import). */
function permissionFor(path: string): string {
    if (path.startsWith("/v1/acl/")) return 'acl = "read"';
    if (path.startsWith("/v1/connect/ca")) return 'operator = "read"';
    if (path.startsWith("/v1/peering")) return 'peering = "read"';
    if (/^\/v1\/config\/(mesh|proxy-defaults|exported-services|jwt-provider)/.test(path)) return 'operator = "read" (or mesh = "read")';
    return 'service_prefix "" { policy = "read" }';
}

/** An error naming the endpoint and, for a 403, the permission to add; never a token. */
export function importError(err: unknown): Error {
    const api = err instanceof ConsulApiError ? err : err instanceof Error && err.cause instanceof ConsulApiError ? err.cause : undefined;
    if (api && api.statusCode === 403) {
        return new Error(
            `${api.method} ${api.path} at ${api.address} was refused (403 ${api.consulMessage}): ` +
                `the import token needs ${permissionFor(api.path)} to read this`,
            { cause: err },
        );
    }
    return err instanceof Error ? err : new Error(String(err));
}

export async function collect(opts: CollectOptions): Promise<ImportResult> {
    const client = new ConsulClient(resolveConnection(opts.connection, () => undefined, process.env));
    const declarations: Declaration[] = [];
    const skipped: Skipped[] = [];
    const requests: RequestCounts = {};
    const count = (kind: string, n = 1) => (requests[kind] = (requests[kind] ?? 0) + n);
    const wanted = (g: KindGroup) => !opts.kinds || opts.kinds.has(g);
    const serviceWanted = (name: string) => !opts.services || opts.services.has(name);
    const connection = opts.connection;
    /** A provider's read, as Pulumi calls it, with the import's connection. */
    const read = async (kind: ProviderKind, id: string, props: Record<string, unknown>, what: string) => {
        const provider: dynamic.ResourceProvider = providers[kind];
        count(kind);
        return inputsOf(await provider.read!(id, { ...props, connection }), what);
    };
    const get = async <S extends z.ZodType>(kind: string, path: string, schema: S): Promise<z.output<S>> => {
        count(kind);
        return (await client.get(path, schema)).body;
    };

    try {
        if (wanted("ca")) await collectCa(read, declarations);
        if (wanted("acl")) await collectAcl(get, read, declarations, skipped, opts.progress);
        for (const { kind, type } of ENTRY_KINDS) {
            const group: KindGroup =
                kind === "service-intentions" ? "intentions" : kind === "exported-services" ? "exported-services" : "config-entries";
            if (!wanted(group)) continue;
            count(kind);
            const entries = await listConfigEntries(client, kind);
            opts.progress(`${kind}: ${entries.length} found`);
            const chosen = entries
                .sort((a, b) => a.Name.localeCompare(b.Name))
                .filter((e) => CLUSTER_WIDE.has(type) || serviceWanted(e.Name));
            for (const found of await inOrder(chosen, (entry) => entryDeclarations(kind, type, entry, read, opts))) {
                if (Array.isArray(found)) declarations.push(...found);
                else skipped.push(found.skipped);
            }
        }
        if (wanted("config-entries")) {
            for (const [kind, why] of Object.entries(UNDECLARED_KINDS)) {
                count(kind);
                for (const entry of await listConfigEntries(client, kind)) skipped.push({ what: `${kind} "${entry.Name}"`, why });
            }
        }
        if (wanted("peerings")) await collectPeerings(get, read, declarations, skipped, opts.progress);
    } catch (err) {
        throw importError(err);
    }
    // Each declaration as the resource's own check sees it: what it refuses (a field it does not
    // model inside one it does, a value outside its rules) is left out, so the program always runs.
    const accepted: Declaration[] = [];
    for (const d of declarations) {
        const provider: dynamic.ResourceProvider = providers[d.type];
        const news = { ...record.parse(plain(d.inputs)), ...(d.adoptable ? { adopt: true } : {}), connection };
        const { failures } = await provider.check!({}, news);
        if (failures && failures.length > 0) {
            const why = failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
            skipped.push({ what: d.label, why: `${d.type} refuses what Consul holds (${why}): declare it yourself` });
        } else accepted.push(d);
    }
    opts.progress(`${declarations.length} declarations checked with their resources' own check, ${accepted.length} accepted`);
    return { declarations: accepted, skipped, requests };
}

type Read = (kind: ProviderKind, id: string, props: Record<string, unknown>, what: string) => Promise<Record<string, unknown>>;
type Get = <S extends z.ZodType>(kind: string, path: string, schema: S) => Promise<z.output<S>>;

/** The whole-entry providers: their read mapping applied to a listed entry. */
function wholeEntryProvider(type: ResourceType): WholeEntryProvider<EntryInputs> | undefined {
    switch (type) {
        case "ServiceDefaults":
            return providers.ServiceDefaults;
        case "ProxyDefaults":
            return providers.ProxyDefaults;
        case "Mesh":
            return providers.Mesh;
        case "JwtProvider":
            return providers.JwtProvider;
        case "ServiceResolver":
            return providers.ServiceResolver;
        case "ConfigEntry":
            return providers.ConfigEntry;
        default:
            return undefined;
    }
}

async function entryDeclarations(
    kind: string,
    type: ResourceType,
    entry: ConfigEntry,
    read: Read,
    opts: CollectOptions,
): Promise<Declaration[] | { skipped: Skipped }> {
    const label = `${kind} "${entry.Name}"`;
    const whole = wholeEntryProvider(type);
    if (whole) {
        // ConfigEntry's read keeps the entry as last written; the listed entry is that.
        const props: EntryInputs = type === "ConfigEntry" ? { kind, name: entry.Name, entry: heldFields(entry) } : {};
        const read = whole.readFrom(entry, props);
        const inputs = Object.fromEntries(Object.entries(read.inputs).filter(([k]) => !PROGRAM_OWNED.includes(k)));
        const secrets: Array<{ key: string; what: string }> = [];
        const declared = fromSecretConfig(inputs, entry.Name, label, secrets);
        return [
            {
                type,
                id: `${kind}/${entry.Name}`,
                label,
                baseName: kind === entry.Name ? kind : `${kind}-${entry.Name}`,
                inputs: record.parse(declared),
                adoptable: true,
                ...(secrets.length > 0 ? { secrets } : {}),
            },
        ];
    }
    if (type === "ExportedServices") {
        // Which pairs to read back: the listing's (ExportedServices models (service, peer) pairs).
        const services = z
            .array(z.object({ Name: z.string(), Consumers: z.array(z.object({ Peer: z.string().optional() }).loose()).nullish() }).loose())
            .nullish()
            .parse(entry.Services);
        const pairs = (services ?? []).map((s) => ({
            name: s.Name,
            consumers: (s.Consumers ?? []).flatMap((c) => (c.Peer ? [{ peer: c.Peer }] : [])),
        }));
        const inputs = await read(
            "ExportedServices",
            entry.Name,
            { name: entry.Name, services: pairs.filter((p) => p.consumers.length > 0) },
            label,
        );
        return [{ type, id: `${kind}/${entry.Name}`, label, baseName: `exported-${entry.Name}`, inputs, adoptable: true }];
    }
    // service-intentions
    const inputs = await read("ServiceIntentions", entry.Name, { destination: entry.Name, sources: [] }, label);
    jwtReferences(inputs.jwt);
    const sources = z.array(record).parse(inputs.sources ?? []);
    for (const s of sources) jwtReferences(s.permissions);
    if (!opts.intentionPairs) {
        return [{ type, id: `${kind}/${entry.Name}`, label, baseName: `intentions-${entry.Name}`, inputs, adoptable: true }];
    }
    if (inputs.jwt !== undefined || inputs.meta !== undefined) {
        opts.progress(`${label}: has a JWT requirement or meta, which Intention does not model: declared as ServiceIntentions`);
        return [{ type, id: `${kind}/${entry.Name}`, label, baseName: `intentions-${entry.Name}`, inputs, adoptable: true }];
    }
    const out: Declaration[] = [];
    for (const s of sources) {
        const source = String(s.name);
        const sourcePeer = typeof s.peer === "string" ? s.peer : undefined;
        const id = `${sourcePeer ? `peer:${sourcePeer}/` : ""}${source}=>${entry.Name}`;
        const pair = await read(
            "Intention",
            id,
            { source, destination: entry.Name, ...(sourcePeer ? { sourcePeer } : {}) },
            `intention ${id}`,
        );
        out.push({
            type: "Intention",
            id,
            label: `intention ${id}`,
            baseName: `${sourcePeer ? `${sourcePeer}-` : ""}${source === "*" ? "any" : source}-to-${entry.Name}`,
            inputs: pair,
            adoptable: true,
        });
    }
    return out;
}

/** Stand-ins that pass each credential field's own check (the program reads the real value from secret config). */
const CREDENTIAL_STAND_INS: Record<string, string> = { jwks: "e30=" };

/**
 * `value` with each credential the read masked (Consul holds it; it is never copied into the program)
 * replaced by a read of secret stack config, `<field>-<entry name>`, listed in `secrets` for the README.
 */
function fromSecretConfig(value: unknown, entryName: string, label: string, secrets: Array<{ key: string; what: string }>): unknown {
    if (Array.isArray(value)) return value.map((v) => fromSecretConfig(v, entryName, label, secrets));
    if (value === null || typeof value !== "object" || value instanceof Code || value instanceof Reference) return value;
    return Object.fromEntries(
        Object.entries(value).map(([field, v]) => {
            if (v !== UNDECLARED_CREDENTIAL) return [field, fromSecretConfig(v, entryName, label, secrets)];
            const key = `${field}-${entryName}`;
            secrets.push({ key, what: `${label}'s ${field}` });
            return [field, new Code(`config.requireSecret(${JSON.stringify(key)})`, CREDENTIAL_STAND_INS[field] ?? "stand-in")];
        }),
    );
}

/** A JWT requirement's provider names become references to the imported JwtProvider (in place). */
function jwtReferences(value: unknown): void {
    if (Array.isArray(value)) return value.forEach(jwtReferences);
    if (value === null || typeof value !== "object") return;
    for (const [key, v] of Object.entries(value)) {
        if (key === "providers" && Array.isArray(v)) {
            for (const p of v) {
                const parsed = record.safeParse(p);
                const name = parsed.success ? parsed.data.name : undefined;
                if (typeof name === "string" && p !== null && typeof p === "object") {
                    Object.assign(p, { name: new Reference("JwtProvider", `jwt-provider/${name}`, "name", name) });
                }
            }
        } else jwtReferences(v);
    }
}

async function collectCa(read: Read, out: Declaration[]): Promise<void> {
    const configKeys = [
        "leafCertTtl",
        "intermediateCertTtl",
        "rootCertTtl",
        "privateKeyType",
        "privateKeyBits",
        "csrMaxPerSecond",
        "csrMaxConcurrent",
    ];
    const inputs = await read("CaConfiguration", "connect-ca", { configKeys }, "the CA configuration");
    const config = record.optional().parse(inputs.config);
    const held = Object.fromEntries(Object.entries(config ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ""));
    // Only what decides the root is declared: TTLs and limits. Another provider's credentials are never read back into the program.
    const declared: Record<string, unknown> = {};
    if (typeof inputs.provider === "string" && inputs.provider !== "consul") {
        out.push({
            type: "CaConfiguration",
            id: "connect-ca",
            label: "the CA configuration",
            baseName: "ca",
            inputs: {
                provider: inputs.provider,
                providerConfig: new Code('config.requireSecretObject<Record<string, string>>("caProviderConfig")', {}),
            },
            adoptable: false,
            secrets: [
                {
                    key: "caProviderConfig",
                    what: `the ${inputs.provider} CA provider's configuration (a JSON object, with its credentials)`,
                },
            ],
            comment: "The CA provider's configuration holds credentials: it is read from secret stack config.",
        });
        return;
    }
    declared.provider = "consul";
    declared.config = held;
    out.push({
        type: "CaConfiguration",
        id: "connect-ca",
        label: "the CA configuration",
        baseName: "ca",
        inputs: declared,
        adoptable: false,
    });
}

async function collectAcl(get: Get, read: Read, out: Declaration[], skipped: Skipped[], progress: (line: string) => void): Promise<void> {
    const listed = z.array(z.object({ ID: z.string(), Name: z.string() }).loose());
    let policyList: z.output<typeof listed>;
    try {
        policyList = await get("acl-policy", "/v1/acl/policies", listed);
    } catch (err) {
        // 401 "ACL support disabled": a cluster without ACLs has no ACL objects to adopt.
        if (err instanceof ConsulApiError && err.statusCode === 401) {
            progress("ACLs are disabled on this cluster: no ACL objects");
            return;
        }
        throw err;
    }
    const policies = policyList.sort((a, b) => a.Name.localeCompare(b.Name));
    progress(`ACL policies: ${policies.length} found`);
    const policyNames = new Set<string>();
    for (const p of policies.filter((p) => isBuiltin(p.ID, p.Name)))
        skipped.push({ what: `ACL policy "${p.Name}"`, why: "built into Consul" });
    const ownPolicies = policies.filter((p) => !isBuiltin(p.ID, p.Name));
    const policyInputs = await inOrder(ownPolicies, (p) => read("AclPolicy", p.ID, {}, `ACL policy "${p.Name}"`));
    for (const [i, p] of ownPolicies.entries()) {
        const inputs = policyInputs[i];
        policyNames.add(p.Name);
        out.push({ type: "AclPolicy", id: p.ID, label: `ACL policy "${p.Name}"`, baseName: `policy-${p.Name}`, inputs, adoptable: true });
    }
    const policyRef = (name: unknown) =>
        typeof name === "string" && policyNames.has(name) ? new Reference("AclPolicy", idOf(policies, name), "name", name) : name;

    const roles = (await get("acl-role", "/v1/acl/roles", listed)).sort((a, b) => a.Name.localeCompare(b.Name));
    progress(`ACL roles: ${roles.length} found`);
    const roleNames = new Map<string, string>();
    const roleInputs = await inOrder(roles, (r) => read("AclRole", r.ID, {}, `ACL role "${r.Name}"`));
    for (const [i, r] of roles.entries()) {
        const inputs = roleInputs[i];
        if (Array.isArray(inputs.policies)) inputs.policies = inputs.policies.map(policyRef);
        roleNames.set(r.Name, r.ID);
        out.push({ type: "AclRole", id: r.ID, label: `ACL role "${r.Name}"`, baseName: `role-${r.Name}`, inputs, adoptable: true });
    }

    const methods = (await get("acl-auth-method", "/v1/acl/auth-methods", z.array(z.object({ Name: z.string() }).loose()))).sort((a, b) =>
        a.Name.localeCompare(b.Name),
    );
    progress(`ACL auth methods: ${methods.length} found`);
    for (const m of methods) {
        const inputs = await read("AclAuthMethod", m.Name, { name: m.Name }, `auth method "${m.Name}"`);
        const decl: Declaration = {
            type: "AclAuthMethod",
            id: m.Name,
            label: `auth method "${m.Name}"`,
            baseName: `auth-${m.Name}`,
            inputs,
            adoptable: true,
        };
        const k8s = record.optional().parse(inputs.kubernetes);
        if (k8s && "serviceAccountJwt" in k8s) {
            const key = `authMethodJwt-${m.Name}`;
            inputs.kubernetes = { ...k8s, serviceAccountJwt: new Code(`config.requireSecret(${JSON.stringify(key)})`, "stand-in") };
            decl.secrets = [{ key, what: `auth method "${m.Name}"'s Kubernetes service-account JWT` }];
        }
        out.push(decl);
    }

    // A rule has no name: AclBindingRule adopts the method's one rule granting the same logins
    // (selector, bind type and name), so rules that duplicate each other cannot be adopted.
    const rules = (
        await get(
            "acl-binding-rule",
            "/v1/acl/binding-rules",
            z.array(
                z
                    .object({
                        ID: z.string(),
                        AuthMethod: z.string(),
                        Selector: z.string().optional(),
                        BindType: z.string(),
                        BindName: z.string(),
                    })
                    .loose(),
            ),
        )
    ).sort((a, b) => a.ID.localeCompare(b.ID));
    progress(`ACL binding rules: ${rules.length} found`);
    const grant = (r: (typeof rules)[number]) => JSON.stringify([r.AuthMethod, r.Selector ?? "", r.BindType, r.BindName]);
    const grants = new Map<string, number>();
    for (const r of rules) grants.set(grant(r), (grants.get(grant(r)) ?? 0) + 1);
    const methodNames = new Set(methods.map((m) => m.Name));
    for (const r of rules) {
        const what = `binding rule ${r.ID} of auth method "${r.AuthMethod}"`;
        const twins = grants.get(grant(r)) ?? 0;
        if (twins > 1) {
            skipped.push({
                what,
                why: `${twins} rules of the method grant ${r.BindType} "${r.BindName}" to the same logins: delete all but one, then import again`,
            });
            continue;
        }
        const inputs = await read("AclBindingRule", r.ID, {}, what);
        if (methodNames.has(r.AuthMethod)) inputs.authMethod = new Reference("AclAuthMethod", r.AuthMethod, "name", r.AuthMethod);
        out.push({
            type: "AclBindingRule",
            id: r.ID,
            label: what,
            // `${value.service}` reads as "value.service" in the names.
            baseName: `binding-${r.AuthMethod}-${r.BindType}-${r.BindName.replace(/\$\{([^}]*)\}/g, "$1")}`,
            inputs,
            adoptable: true,
        });
    }

    const tokens = z
        .array(z.object({ AccessorID: z.string(), Description: z.string().optional(), AuthMethod: z.string().optional() }).loose())
        .parse(await get("acl-token", "/v1/acl/tokens", z.unknown()))
        .sort((a, b) => a.AccessorID.localeCompare(b.AccessorID));
    progress(`ACL tokens: ${tokens.length} found`);
    const ownTokens = tokens.filter((t) => {
        if (isBuiltin(t.AccessorID)) {
            skipped.push({ what: `ACL token ${t.AccessorID} (${t.Description ?? "anonymous"})`, why: "built into Consul" });
            return false;
        }
        if (t.AuthMethod) {
            skipped.push({
                what: `ACL token ${t.AccessorID}`,
                why: `made by a login through auth method "${t.AuthMethod}": it belongs to that workload`,
            });
            return false;
        }
        return true;
    });
    const tokenInputs = await inOrder(ownTokens, (t) => read("AclToken", t.AccessorID, {}, `ACL token ${t.AccessorID}`));
    for (const [i, t] of ownTokens.entries()) {
        const inputs = tokenInputs[i];
        if (Array.isArray(inputs.policies)) inputs.policies = inputs.policies.map(policyRef);
        if (Array.isArray(inputs.roles)) {
            inputs.roles = inputs.roles.map((n: unknown) => {
                const id = typeof n === "string" ? roleNames.get(n) : undefined;
                return id && typeof n === "string" ? new Reference("AclRole", id, "name", n) : n;
            });
        }
        const description = typeof inputs.description === "string" && inputs.description !== "" ? inputs.description : undefined;
        out.push({
            type: "AclToken",
            id: t.AccessorID,
            label: `ACL token ${t.AccessorID}`,
            baseName: `token-${description ?? t.AccessorID.slice(0, 8)}`,
            inputs: { accessorId: t.AccessorID, ...inputs },
            adoptable: true,
            comment: description ? `Accessor ${t.AccessorID}. The secret stays in Consul.` : "The secret stays in Consul.",
        });
    }
}

/**
 * The dialing side of each peering as a Peering that adopts it (no re-establishment). Its
 * peeringToken input is required: the program reads it from secret stack config, and any token the
 * accepting cluster generates for this peering serves (generating one keeps the live peering).
 * The accepting side is not declared: the token it gave out cannot be read back.
 */
async function collectPeerings(
    get: Get,
    read: Read,
    out: Declaration[],
    skipped: Skipped[],
    progress: (line: string) => void,
): Promise<void> {
    const peerings = (
        await get(
            "peering",
            "/v1/peerings",
            z.array(
                z
                    .object({
                        Name: z.string(),
                        State: z.string().optional(),
                        PeerID: z.string().optional(),
                        PeerServerAddresses: z.array(z.string()).nullish(),
                        DeletedAt: z.string().nullish(),
                    })
                    .loose(),
            ),
        )
    ).sort((a, b) => a.Name.localeCompare(b.Name));
    progress(`peerings: ${peerings.length} found`);
    for (const p of peerings) {
        const label = `peering "${p.Name}"`;
        if (p.DeletedAt || p.State === "DELETING" || p.State === "TERMINATED") {
            skipped.push({ what: label, why: `it is ${p.State === "TERMINATED" ? "terminated by its peer" : "being deleted"}` });
            continue;
        }
        if (!p.PeerServerAddresses?.length) {
            skipped.push({
                what: `${label} (accepting side)`,
                why: "the token it gave out cannot be read back, and a PeeringToken would generate a new one: declare it yourself if the program should hand out tokens",
            });
            continue;
        }
        const inputs = await read("Peering", p.Name, { peerName: p.Name }, label);
        const key = `peeringToken-${p.Name}`;
        // A token-shaped stand-in (this peering's own addresses and peer ID) for the resource's check.
        const standIn = Buffer.from(JSON.stringify({ ServerAddresses: p.PeerServerAddresses, PeerID: p.PeerID ?? "" })).toString("base64");
        out.push({
            type: "Peering",
            id: p.Name,
            label: `${label} (dialing side)`,
            baseName: `peering-${p.Name}`,
            inputs: { ...inputs, peeringToken: new Code(`config.requireSecret(${JSON.stringify(key)})`, standIn) },
            adoptable: true,
            secrets: [
                {
                    key,
                    what: `a peering token generated on the accepting cluster for this peering (adoption does not re-establish; generating one keeps the live peering)`,
                },
            ],
            comment: "Adopted as it is: the token is only used if the peering has to be established again.",
        });
    }
}

/** `fn` over `items`, at most `width` at a time (reads of one kind overlap), results in the items' order. */
async function inOrder<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, width = 8): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(width, items.length) }, async () => {
            while (next < items.length) {
                const i = next++;
                results[i] = await fn(items[i]);
            }
        }),
    );
    return results;
}

function idOf(list: ReadonlyArray<{ ID: string; Name: string }>, name: string): string {
    return list.find((x) => x.Name === name)?.ID ?? name;
}
