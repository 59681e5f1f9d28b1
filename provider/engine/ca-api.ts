// The Connect CA as Consul holds it: configuration and roots, when a configuration change rotates the
// root (and waiting for it), and putting a configuration back when something fails after a write.
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { foldKey, isCaCredentialKey, secretForms, stringLeaves } from "../model/credentials";
import { canonical } from "../model/validation";

export type ConsulConfigMap = Record<string, unknown>;

/** Our camelCase keys of the consul provider's config, and Consul's names for them. */
export const CONSUL_KEYS = {
    leafCertTtl: "LeafCertTTL",
    intermediateCertTtl: "IntermediateCertTTL",
    rootCertTtl: "RootCertTTL",
    privateKeyType: "PrivateKeyType",
    privateKeyBits: "PrivateKeyBits",
    privateKey: "PrivateKey",
    rootCert: "RootCert",
    csrMaxPerSecond: "CSRMaxPerSecond",
    csrMaxConcurrent: "CSRMaxConcurrent",
    rotationPeriod: "RotationPeriod",
} as const;
export type ConfigKey = keyof typeof CONSUL_KEYS;

/** Whether a key is one of our camelCase consul-provider keys. */
export function isConfigKey(key: string): key is ConfigKey {
    return Object.hasOwn(CONSUL_KEYS, key);
}

/** Consul's built-in defaults (agent/structs/connect_ca.go), used for rules on keys left unset. */
export const DEFAULTS = {
    LeafCertTTL: "72h",
    IntermediateCertTTL: "8760h",
    RootCertTTL: "87600h",
    PrivateKeyType: "ec",
    PrivateKeyBits: 256,
};
/** How long create, update and a resetting delete wait for a rotation to show a new active root. */
const SETTLE_TIMEOUT_MS = 30_000;

/** The CA configuration as Consul answers it. */
export function consulCaConfigurationSchema() {
    return z
        .object({
            Provider: z.string(),
            Config: z.record(z.string(), z.unknown()).nullable(),
            ForceWithoutCrossSigning: z.boolean().optional(),
        })
        .loose();
}
export type ConsulCaConfiguration = z.infer<ReturnType<typeof consulCaConfigurationSchema>>;

/** The roots as Consul answers them. */
export function consulRootsSchema() {
    return z
        .object({
            ActiveRootID: z.string(),
            TrustDomain: z.string(),
            Roots: z
                .array(z.object({ ID: z.string(), Active: z.boolean(), NotAfter: z.string(), RootCert: z.string() }).loose())
                .nullable(),
        })
        .loose();
}
export type ConsulRoots = z.infer<ReturnType<typeof consulRootsSchema>>;

export const pem = (v: unknown) => (typeof v === "string" ? v.trim() : v);

/** Settings whose change makes Consul generate (or load) a new root, with defaults filled in. */
export function rootSettings(provider: string | undefined, config: Record<string, unknown> | undefined): Record<string, unknown> {
    const c = config ?? {};
    return {
        provider: provider ?? "consul",
        privateKeyType: c.privateKeyType ?? DEFAULTS.PrivateKeyType,
        privateKeyBits: c.privateKeyBits ?? DEFAULTS.PrivateKeyBits,
        privateKey: pem(c.privateKey) ?? "",
        rootCert: pem(c.rootCert) ?? "",
    };
}

/**
 * Whether writing `config` for `provider` over what Consul holds makes Consul rotate the root. The
 * consul provider keys its root by (PrivateKey, RootCert, PrivateKeyType, PrivateKeyBits) with
 * defaults filled in (agent/connect/ca/provider_consul.go, Configure), so equal settings keep the
 * root; Consul also skips a write whose Provider and Config equal the stored ones. A change of
 * provider always brings a new root. Config keys match case-insensitively, as mapstructure does.
 */
export function rotationDue(held: ConsulCaConfiguration, provider: string, config: ConsulConfigMap): boolean {
    if (held.Provider !== provider) return true;
    if (provider !== "consul") return canonical(held.Config ?? {}) !== canonical(config);
    const settings = (c: ConsulConfigMap | null) => {
        const ours = fromConsulKeys(c);
        const bits = ours.privateKeyBits;
        return rootSettings(provider, { ...ours, privateKeyBits: bits === undefined ? undefined : Number(bits) });
    };
    return canonical(settings(held.Config)) !== canonical(settings(config));
}

export async function readCa(client: ConsulClient): Promise<{ config: ConsulCaConfiguration; roots: ConsulRoots }> {
    const config = (await client.get("/v1/connect/ca/configuration", consulCaConfigurationSchema())).body;
    const roots = (await client.get("/v1/connect/ca/roots", consulRootsSchema())).body;
    return { config, roots };
}

/**
 * Something failed after the PUT (waiting for the root, reading back). Without a rotation the
 * previous configuration is put back, if Consul still holds exactly what we wrote (the CA endpoint
 * has no compare-and-set: a concurrent writer's change is left alone). A rotation cannot be undone
 * (putting the old settings back makes yet another root), so the error then carries the id and
 * Pulumi records the resource as it is.
 */
export async function undoWrite(
    client: ConsulClient,
    previous: ConsulCaConfiguration,
    written: { Provider: string; Config: ConsulConfigMap; ForceWithoutCrossSigning: boolean },
    rotated: boolean,
    err: unknown,
    inputs: Record<string, unknown>,
    secrets: string[],
    id: string,
): Promise<never> {
    const reason = err instanceof Error ? err.message : String(err);
    let outcome: string;
    if (rotated) {
        outcome = "The new configuration (and its root) stays in Consul: a rotation cannot be undone without another one.";
    } else {
        try {
            const now = (await client.get("/v1/connect/ca/configuration", consulCaConfigurationSchema())).body;
            if (now.Provider !== written.Provider || canonical(now.Config ?? {}) !== canonical(written.Config)) throw err;
            const back = {
                Provider: previous.Provider,
                Config: previous.Config ?? {},
                ForceWithoutCrossSigning: previous.ForceWithoutCrossSigning ?? false,
            };
            await client.put("/v1/connect/ca/configuration", back, z.unknown(), {
                secrets: [...secrets, ...secretForms(Object.values(previous.Config ?? {}))],
            });
            throw err;
        } catch (undoErr) {
            if (undoErr === err) throw err;
            outcome = "Putting the previous configuration back failed too, so the new one may still be in Consul.";
        }
    }
    const message = `${reason}\n${outcome} The resource is recorded in the stack; run pulumi refresh, then up.`;
    throw Object.assign(new Error(message), { id, properties: { ...inputs }, reasons: [message] });
}

/**
 * CA provider settings that hold a credential (the built-in provider's private key, Vault's token and
 * auth-method parameters, any key naming a secret, password or token) whatever the provider, in any
 * spelling Consul accepts (`PrivateKey`, `private_key`).
 */
export const isCredentialKey = isCaCredentialKey;

/** Every string inside the credential keys of a provider config (an AuthMethod's params included). */
export function credentialStrings(config: ConsulConfigMap | null): string[] {
    return Object.entries(config ?? {}).flatMap(([k, v]) => (isCaCredentialKey(k) ? stringLeaves(v) : []));
}

export { secretForms };

export function fromConsulKeys(config: ConsulConfigMap | null): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config ?? {})) {
        const ours = Object.entries(CONSUL_KEYS).find(([, theirs]) => foldKey(theirs) === foldKey(key))?.[0];
        // An exact spelling wins over another case of the same key.
        if (ours !== undefined && value !== undefined && (out[ours] === undefined || (isConfigKey(ours) && key === CONSUL_KEYS[ours])))
            out[ours] = value;
    }
    return out;
}

/** Rotation is applied by the leader; wait (bounded) until the roots endpoint shows the new active root. */
export async function waitForNewRoot(client: ConsulClient, previous: string): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
        const roots = (await client.get("/v1/connect/ca/roots", consulRootsSchema())).body;
        if (roots.ActiveRootID !== previous && (roots.Roots ?? []).some((r) => r.ID === roots.ActiveRootID && r.Active)) return;
        if (Date.now() > deadline) {
            throw new Error(
                `the CA configuration was written to ${client.address} but no new active root appeared in /v1/connect/ca/roots within ${SETTLE_TIMEOUT_MS / 1000}s; run pulumi up again once the CA has settled`,
            );
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}
