// CaConfiguration: the cluster's one Connect CA configuration (GET/PUT /v1/connect/ca/configuration).
// Consul always has one, so create adopts it; there is no DELETE, so delete forgets it (or, opt-in,
// restores Consul's defaults). Keys the program does not set keep the value Consul holds.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import {
    CONSUL_KEYS,
    credentialStrings,
    DEFAULTS,
    pem,
    readCa,
    rootSettings,
    rotationDue,
    secretForms,
    undoWrite,
    waitForNewRoot,
    isConfigKey,
    fromConsulKeys,
    type ConsulCaConfiguration,
    type ConsulConfigMap,
    type ConsulRoots,
} from "../engine/ca-api";
import { keyFailures, P224_WHY, WHAT_CONSUL_ACCEPTS } from "../model/ca-keys";
import { foldKey, maskCredentials } from "../model/credentials";
import { connectionDiff, connectionSchema } from "../consul/connection";
import { formatDuration, isDuration, sameDuration, toNanos } from "../model/durations";
import { canonical, type CheckFailure, containsUnknown, memoized, validate } from "../model/validation";

export const CA_CONFIGURATION_ID = "connect-ca";
const PROVIDERS = ["consul", "vault", "aws-pca"] as const;
const DURATION_KEYS = new Set(["LeafCertTTL", "IntermediateCertTTL", "RootCertTTL"]);

export function caConfigurationSchema() {
    const duration = z.string().refine(isDuration, 'must be a Go duration such as "72h", "90m" or "1h30m"');
    return z
        .object({
            provider: z.enum(PROVIDERS, { message: `must be one of ${PROVIDERS.join(", ")}` }).optional(),
            config: z
                .object({
                    leafCertTtl: duration.optional(),
                    intermediateCertTtl: duration.optional(),
                    rootCertTtl: duration.optional(),
                    privateKeyType: z.enum(["ec", "rsa"], { message: 'must be "ec" or "rsa"' }).optional(),
                    privateKeyBits: z.number().int().optional(),
                    privateKey: z.string().min(1).optional(),
                    rootCert: z.string().min(1).optional(),
                    csrMaxPerSecond: z.number().min(0).optional(),
                    csrMaxConcurrent: z.number().int().min(0).optional(),
                    // Consul 1.16.3 stores it as written and reads nothing of it (unused since 1.11):
                    // any text is accepted, as Consul does.
                    rotationPeriod: z.string().optional(),
                })
                .strict()
                .optional(),
            providerConfig: z.record(z.string(), z.unknown()).optional(),
            forceWithoutCrossSigning: z.boolean().optional(),
            resetOnDelete: z.boolean().optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type CaConfigurationInputs = z.infer<ReturnType<typeof caConfigurationSchema>>;
export type ConsulCaConfig = NonNullable<CaConfigurationInputs["config"]>;

export interface CaRoot {
    id: string;
    active: boolean;
    notAfter: string;
}

export interface CaConfigurationOutputs extends CaConfigurationInputs {
    provider: (typeof PROVIDERS)[number];
    /** The config keys set in the program (the only ones compared for drift). */
    configKeys: string[];
    /** "none", or what about this change rotates the root CA (computed by check, shown in previews). */
    rootRotation: string;
    activeRootId: string;
    trustDomain: string;
    rootCertPem: string;
    roots: CaRoot[];
    forceWithoutCrossSigning: boolean;
    /** Where the configuration lives (normalised address and datacenter), computed by check. */
    cluster?: string;
}

/** The parts of the inputs that say what config to write (typed loosely: diff sees raw inputs). */
export interface ConfigSettings {
    provider?: string;
    config?: Record<string, unknown>;
    providerConfig?: Record<string, unknown>;
}

/** The user's config under Consul's key names. */
export function toConsulConfig(inputs: ConfigSettings): ConsulConfigMap {
    if ((inputs.provider ?? "consul") !== "consul") return { ...(inputs.providerConfig ?? {}) };
    const out: ConsulConfigMap = {};
    for (const [key, value] of Object.entries(inputs.config ?? {})) {
        if (value !== undefined && isConfigKey(key)) out[CONSUL_KEYS[key]] = value;
    }
    return out;
}

/** Consul's rules for the common and consul-provider config, applied on the values with defaults. */
export function configFailures(inputs: CaConfigurationInputs): CheckFailure[] {
    const provider = inputs.provider ?? "consul";
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    if (provider === "consul" && inputs.providerConfig !== undefined) {
        fail("providerConfig", 'is for the vault and aws-pca providers; use config for the "consul" provider');
    }
    if (provider !== "consul" && inputs.config !== undefined) {
        fail("config", `is for the "consul" provider; use providerConfig (Consul's key names) for "${provider}"`);
    }
    const given = toConsulConfig(inputs);
    const name = (consulKey: string) => {
        if (provider !== "consul") return `providerConfig.${consulKey}`;
        return `config.${Object.entries(CONSUL_KEYS).find(([, v]) => v === consulKey)?.[0] ?? consulKey}`;
    };
    for (const key of DURATION_KEYS) {
        const v = given[key];
        if (v !== undefined && (typeof v !== "string" || !isDuration(v))) fail(name(key), 'must be a Go duration string such as "72h"');
    }
    if (failures.length > 0) return failures;
    // Durations were checked above: each parses.
    const ttl = (key: keyof typeof DEFAULTS) => toNanos(given[key] ?? DEFAULTS[key]) ?? 0n;
    const leaf = ttl("LeafCertTTL");
    const intermediate = ttl("IntermediateCertTTL");
    const root = ttl("RootCertTTL");
    const HOUR = 3_600_000_000_000n;
    // Name the key the user set (Consul's default fills the other side of a rule).
    const pick = (preferred: string, other: string) => (given[preferred] !== undefined || given[other] === undefined ? preferred : other);
    if (leaf < HOUR) fail(name("LeafCertTTL"), `must be at least 1h (got ${formatDuration(leaf)})`);
    else if (leaf > 8760n * HOUR) fail(name("LeafCertTTL"), `must be at most 8760h (got ${formatDuration(leaf)})`);
    if (intermediate < 3n * HOUR) {
        fail(name("IntermediateCertTTL"), `must be at least 3h (got ${formatDuration(intermediate)})`);
    } else if (intermediate < 3n * leaf) {
        fail(
            name(pick("IntermediateCertTTL", "LeafCertTTL")),
            `intermediateCertTtl (${formatDuration(intermediate)}) must be at least 3 x leafCertTtl (>= ${formatDuration(3n * leaf)})`,
        );
    }
    if (root < intermediate) {
        fail(
            name(pick("RootCertTTL", "IntermediateCertTTL")),
            `rootCertTtl (${formatDuration(root)}) must not be shorter than intermediateCertTtl (${formatDuration(intermediate)})`,
        );
    }
    const type = given.PrivateKeyType ?? DEFAULTS.PrivateKeyType;
    // A value that is not a number is no valid length (NaN is in no list).
    const bits = given.PrivateKeyBits === undefined ? undefined : typeof given.PrivateKeyBits === "number" ? given.PrivateKeyBits : NaN;
    if (type === "ec" && bits === 224) {
        fail(
            name("PrivateKeyBits"),
            `224 makes Consul generate a P-224 root, which consul-mesh refuses: ${P224_WHY} (${WHAT_CONSUL_ACCEPTS})`,
        );
    } else if (type === "ec" && bits !== undefined && ![256, 384, 521].includes(bits)) {
        fail(name("PrivateKeyBits"), "EC key length must be one of 256, 384, 521 bits (Consul also takes 224, which consul-mesh refuses)");
    }
    if (type === "rsa" && (bits === undefined || ![2048, 4096].includes(bits))) {
        fail(name("PrivateKeyBits"), `RSA key length must be 2048 or 4096 bits${bits === undefined ? " (set privateKeyBits)" : ""}`);
    }
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    if (provider === "consul") {
        // A declared type or length (the other one then takes Consul's default) is the strength the
        // key must reach; declaring neither takes the key's own. An invalid declaration is reported
        // above; the key is then only checked to parse and to reach the minimum.
        const valid = failures.every((f) => f.property !== name("PrivateKeyBits") && f.property !== name("PrivateKeyType"));
        const declaredAny = given.PrivateKeyType !== undefined || given.PrivateKeyBits !== undefined;
        const declared = valid && declaredAny && typeof type === "string" ? { type, bits: bits ?? DEFAULTS.PrivateKeyBits } : undefined;
        failures.push(...keyFailures(text(given.PrivateKey), text(given.RootCert), declared));
    }
    return failures;
}

/** The parts of the old inputs that decide the root (anything else in them is ignored). */
const priorSettings = z.object({ provider: z.string().optional(), config: z.record(z.string(), z.unknown()).optional() }).loose();

/** What rotates the root between two sets of inputs; key material is named, never shown. */
export function rotationReason(olds: Record<string, unknown>, news: CaConfigurationInputs): string {
    const prior = priorSettings.safeParse(olds);
    const before = rootSettings(prior.success ? prior.data.provider : undefined, prior.success ? prior.data.config : undefined);
    const after = rootSettings(news.provider, news.config);
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    if (changed.length === 0) return "none";
    const what = changed.map((k) =>
        k === "privateKey" || k === "rootCert" ? `${k} changes` : `${k} ${String(before[k])} => ${String(after[k])}`,
    );
    // No rootRotation in olds: the first deploy, which adopts whatever Consul has now.
    if (olds.rootRotation === undefined) return `rotates the root CA unless Consul already uses: ${what.join(", ")}`;
    return `rotates the root CA: ${what.join(", ")}`;
}

function sameValue(key: string, a: unknown, b: unknown): boolean {
    // RotationPeriod is a duration too, but Consul takes any text there: by value where both parse.
    if (DURATION_KEYS.has(key) || key === "RotationPeriod") return sameDuration(a, b);
    if (key === "PrivateKey" || key === "RootCert") return pem(a) === pem(b);
    return canonical(a) === canonical(b);
}

/** Names of the given keys whose value differs from what Consul holds. */
export function configChanges(held: ConsulConfigMap | undefined, wanted: ConsulConfigMap): string[] {
    return Object.keys(wanted).filter((k) => wanted[k] !== undefined && !sameValue(k, held?.[k], wanted[k]));
}

/** The config to PUT: what Consul holds (same provider only), with the program's keys on top. */
export function mergeConfig(current: ConsulCaConfiguration, inputs: CaConfigurationInputs): ConsulConfigMap {
    const wanted = toConsulConfig(inputs);
    if (current.Provider !== (inputs.provider ?? "consul")) return wanted;
    // Consul also accepts snake_case keys: one key, whatever its spelling.
    const ours = new Set(Object.keys(wanted).map(foldKey));
    const kept = Object.entries(current.Config ?? {}).filter(([k]) => !ours.has(foldKey(k)));
    return { ...Object.fromEntries(kept), ...wanted };
}

/** Outputs for what Consul holds. The private key is echoed only where the (secret) input set it. */
function outputsFrom(
    ca: { config: ConsulCaConfiguration; roots: ConsulRoots },
    inputs: CaConfigurationInputs,
    extra: { configKeys: string[]; rootRotation: string; cluster?: string },
): CaConfigurationOutputs {
    const held = ca.config.Config ?? {};
    const known = z.enum(PROVIDERS).safeParse(ca.config.Provider);
    if (!known.success)
        throw new Error(
            `the cluster uses the CA provider "${ca.config.Provider}", which consul-mesh does not manage (${PROVIDERS.join(", ")})`,
        );
    const provider = known.data;
    const active = (ca.roots.Roots ?? []).find((r) => r.ID === ca.roots.ActiveRootID);
    const outs: CaConfigurationOutputs = {
        provider,
        forceWithoutCrossSigning: ca.config.ForceWithoutCrossSigning ?? false,
        ...extra,
        activeRootId: ca.roots.ActiveRootID,
        trustDomain: ca.roots.TrustDomain,
        rootCertPem: active?.RootCert ?? "",
        roots: (ca.roots.Roots ?? []).map((r) => ({ id: r.ID, active: r.Active, notAfter: r.NotAfter })),
    };
    if (provider === "consul") {
        // Keys in any spelling Consul accepts (it returns `private_key` as written).
        const ours = fromConsulKeys(held);
        const config: Record<string, unknown> = {};
        for (const key of Object.keys(CONSUL_KEYS)) {
            if (ours[key] === undefined || (key === "privateKey" && inputs.config?.privateKey === undefined)) continue;
            config[key] = ours[key];
        }
        outs.config = config;
    } else {
        outs.providerConfig = held;
    }
    if (inputs.resetOnDelete !== undefined) outs.resetOnDelete = inputs.resetOnDelete;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (extra.cluster !== undefined) outs.cluster = extra.cluster;
    return outs;
}

/** Inputs without the values check computes. */
function withoutComputed(raw: Record<string, unknown>): Record<string, unknown> {
    const { rootRotation: _r, configKeys: _k, cluster: _c, ...rest } = raw;
    return rest;
}

/** The raw inputs diff compares, read leniently: during a preview any of them may still be unknown. */
function diffView(raw: Record<string, unknown>) {
    const record = (v: unknown) => {
        const parsed = z.record(z.string(), z.unknown()).safeParse(v);
        return parsed.success ? parsed.data : undefined;
    };
    return {
        provider: typeof raw.provider === "string" ? raw.provider : "consul",
        config: record(raw.config),
        providerConfig: record(raw.providerConfig),
        configUnknown: containsUnknown(raw.config) || containsUnknown(raw.providerConfig),
        forceWithoutCrossSigning: raw.forceWithoutCrossSigning === true,
        resetOnDelete: raw.resetOnDelete === true,
        connection: connectionSchema().safeParse(raw.connection).data,
        cluster: typeof raw.cluster === "string" ? raw.cluster : undefined,
    };
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(caConfigurationSchema);

export class CaConfigurationProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        const inputs = withoutComputed(news);
        const { value, failures } = validate(schema(), inputs);
        if (failures.length > 0) return Promise.resolve({ inputs: news, failures });
        const cluster = this.clusterOf(inputs.connection);
        if (!value) return Promise.resolve({ inputs: { ...inputs, cluster, rootRotation: "unknown until the inputs are known" } });
        const ruleFailures = configFailures(value);
        if (ruleFailures.length > 0) return Promise.resolve({ inputs: news, failures: ruleFailures });
        // The parsed inputs, and a computed input so that `pulumi preview --diff` shows whether the
        // update rotates the root.
        // `provider: "consul"` is what unset means: left out, as read leaves it out when realigning.
        const { provider, ...rest } = value;
        const parsed = provider === undefined || provider === "consul" ? rest : value;
        return Promise.resolve({ inputs: { ...parsed, cluster, rootRotation: rotationReason(olds, value) } });
    }

    diff(_id: string, olds: CaConfigurationOutputs, rawNews: Record<string, unknown>): Promise<dynamic.DiffResult> {
        const news = diffView(rawNews);
        const { replaces, changes } = connectionDiff(
            olds,
            { connection: news.connection, cluster: news.cluster },
            (k) => this.stackConfig[k],
            process.env,
        );
        const provider = news.provider;
        if (olds.provider !== provider) changes.push("provider");
        const held = provider === "consul" ? toConsulConfig({ config: olds.config }) : olds.providerConfig;
        if (news.configUnknown || configChanges(held, toConsulConfig(news)).length > 0) {
            changes.push(provider === "consul" ? "config" : "providerConfig");
        }
        if ((olds.forceWithoutCrossSigning ?? false) !== news.forceWithoutCrossSigning) changes.push("forceWithoutCrossSigning");
        if ((olds.resetOnDelete ?? false) !== news.resetOnDelete) changes.push("resetOnDelete");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    async create(raw: CaConfigurationInputs): Promise<Created<CaConfigurationOutputs>> {
        return { id: CA_CONFIGURATION_ID, outs: await this.apply(raw) };
    }

    async update(_id: string, _olds: CaConfigurationOutputs, news: CaConfigurationInputs): Promise<Updated<CaConfigurationOutputs>> {
        return { outs: await this.apply(news) };
    }

    async read(id: string, props: CaConfigurationOutputs): Promise<ReadOf<CaConfigurationOutputs, Record<string, unknown>>> {
        const client = this.recordedClient(props);
        const configKeys = props.configKeys ?? [];
        // The program's private key is kept in the output only if it is still what Consul holds.
        const outs = outputsFrom(await readCa(client), props, { configKeys, rootRotation: "none", cluster: props.cluster });
        const config: Record<string, unknown> = {};
        for (const key of configKeys) {
            if (!isConfigKey(key)) continue;
            const held = outs.config?.[key];
            const old = props.config?.[key];
            // Keep the program's spelling of a value Consul holds unchanged ("72h0m0s" vs "72h").
            config[key] = held !== undefined && old !== undefined && sameValue(CONSUL_KEYS[key], old, held) ? old : held;
        }
        const inputs: Record<string, unknown> = { ...withoutComputed(Object.fromEntries(Object.entries(props))), rootRotation: "none" };
        if (props.cluster !== undefined) inputs.cluster = props.cluster;
        for (const k of ["activeRootId", "trustDomain", "rootCertPem", "roots", "provider", "forceWithoutCrossSigning"]) delete inputs[k];
        // Realigned only where they differ from what an unset input means, so refresh adds no noise.
        if (outs.provider !== "consul") inputs.provider = outs.provider;
        if (outs.forceWithoutCrossSigning) inputs.forceWithoutCrossSigning = true;
        // Another provider's config is never copied into the inputs: it holds credentials (a Vault
        // token, auth-method secrets) that Consul returns in clear text, and inputs are only secret
        // where the program made them so. The outputs keep it (as a secret) for the next diff, and
        // the realigned `provider` alone shows the drift.
        delete inputs.providerConfig;
        // A credential Consul holds is realigned into the inputs only where it is the program's own
        // (secret) value: inputs are secret only where the program made them so.
        if (outs.provider === "consul") inputs.config = maskCredentials(config, props.config);
        else delete inputs.config;
        return { id, props: outs, inputs };
    }

    async delete(_id: string, props: CaConfigurationOutputs): Promise<void> {
        if (!props.resetOnDelete) return; // Consul cannot delete its CA configuration: forget it.
        const client = this.recordedClient(props);
        const before = await readCa(client);
        const defaults = {
            LeafCertTTL: DEFAULTS.LeafCertTTL,
            IntermediateCertTTL: DEFAULTS.IntermediateCertTTL,
            RootCertTTL: DEFAULTS.RootCertTTL,
        };
        // Settings that already make Consul's default root (say, only TTLs were managed) rotate nothing:
        // waiting for a new root then would only time out.
        const rotates = rotationDue(before.config, "consul", defaults);
        await client.put("/v1/connect/ca/configuration", { Provider: "consul", Config: defaults }, z.unknown());
        if (rotates) await waitForNewRoot(client, before.roots.ActiveRootID);
    }

    /** create and update: PUT the merged config, wait for a new root if one is due, read back. */
    private async apply(raw: Record<string, unknown>): Promise<CaConfigurationOutputs> {
        // check validated these inputs; Pulumi's reserved keys (__provider) are not ours.
        const ours = Object.entries(withoutComputed(raw)).filter(([k]) => !k.startsWith("__"));
        const inputs = schema().parse(Object.fromEntries(ours));
        const client = this.client(inputs.connection);
        const provider = inputs.provider ?? "consul";
        const before = await readCa(client);
        const config = mergeConfig(before.config, inputs);
        const rotates = rotationDue(before.config, provider, config);
        // Consul may quote what it holds (another provider's credentials) as well as what we send.
        const secrets = secretForms([
            config.PrivateKey,
            ...Object.values(inputs.providerConfig ?? {}),
            ...credentialStrings(before.config.Config),
        ]);
        const body = { Provider: provider, Config: config, ForceWithoutCrossSigning: inputs.forceWithoutCrossSigning ?? false };
        await client.put("/v1/connect/ca/configuration", body, z.unknown(), { secrets }); // idempotent: equal config is a no-op
        try {
            await this.afterWrite?.();
            if (rotates) await waitForNewRoot(client, before.roots.ActiveRootID);
            const configKeys = Object.entries(inputs.config ?? {})
                .filter(([, v]) => v !== undefined)
                .map(([k]) => k);
            const cluster = typeof raw.cluster === "string" ? raw.cluster : undefined;
            return outputsFrom(await readCa(client), inputs, {
                configKeys,
                rootRotation: typeof raw.rootRotation === "string" ? raw.rootRotation : "none",
                cluster,
            });
        } catch (err) {
            return await undoWrite(client, before.config, body, rotates, err, raw, secrets, CA_CONFIGURATION_ID);
        }
    }

    /** Test hook: runs right after the write of a create or update, so that tests can fail it there. */
    afterWrite?: () => Promise<void>;
}

/** The one provider instance every CaConfiguration shares. */
export const caConfigurationProvider = new CaConfigurationProvider();
