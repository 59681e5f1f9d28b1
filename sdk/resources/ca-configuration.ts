import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/**
 * Settings of Consul's built-in `consul` CA provider. Durations are Go duration strings (`"72h"`,
 * `"90m"`, `"1h30m"`) and are compared by value, so `"72h"` and `"72h0m0s"` are the same.
 * Only the keys you set are managed: the others keep whatever Consul holds (its defaults are
 * 72h / 8760h / 87600h, `ec` / 256). Removing a key from the program stops managing it; it does not reset it.
 * @see https://developer.hashicorp.com/consul/docs/connect/ca/consul
 */
export interface ConsulCaConfigArgs {
    /**
     * Lifetime of leaf certificates: from 1h to 8760h. Consul's default: `"72h"`. Does not rotate the root.
     * Consul: `Config.LeafCertTTL`.
     */
    leafCertTtl?: pulumi.Input<string>;
    /**
     * Lifetime of intermediate certificates: at least 3h and at least 3 x `leafCertTtl`. Consul's default: `"8760h"`. Does not rotate the root.
     * Consul: `Config.IntermediateCertTTL`.
     */
    intermediateCertTtl?: pulumi.Input<string>;
    /**
     * Lifetime of a newly generated root: not shorter than `intermediateCertTtl`. Consul's default: `"87600h"`. Does not rotate the current root.
     * Consul: `Config.RootCertTTL`.
     */
    rootCertTtl?: pulumi.Input<string>;
    /** `"ec"` or `"rsa"`. Consul's default: `"ec"`. **Changing it rotates the root CA.** Consul: `Config.PrivateKeyType`. */
    privateKeyType?: pulumi.Input<"ec" | "rsa">;
    /**
     * 256, 384 or 521 for `ec`; 2048 or 4096 for `rsa` (required with `rsa`). Consul also takes `ec`
     * 224, which consul-mesh refuses (TLS 1.3 has no signature scheme for P-224). Consul's default: 256.
     * **Changing it rotates the root CA.** Consul: `Config.PrivateKeyBits`.
     */
    privateKeyBits?: pulumi.Input<number>;
    /**
     * PEM private key of your own root CA (otherwise Consul generates one). Stored as a Pulumi secret;
     * never shown in previews or errors. Any EC or RSA key Consul takes is accepted unless it is weaker
     * than `privateKeyType`/`privateKeyBits` declare (when you declare neither, the key's own type and
     * length are taken) or than `rsa` 2048 / `ec` P-256; otherwise the preview fails naming `config.privateKey`.
     * **Changing it rotates the root CA.** Consul: `Config.PrivateKey`.
     */
    privateKey?: pulumi.Input<string>;
    /**
     * PEM CA certificate matching `privateKey` (only together with it). **Changing it rotates the root CA.**
     * Consul: `Config.RootCert`.
     */
    rootCert?: pulumi.Input<string>;
    /**
     * Rate limit for certificate signing requests per second on each server (0 disables it). Consul's default: 50.
     * Consul: `Config.CSRMaxPerSecond`.
     */
    csrMaxPerSecond?: pulumi.Input<number>;
    /** Number of CSRs signed at once on each server (used when `csrMaxPerSecond` is 0). Consul: `Config.CSRMaxConcurrent`. */
    csrMaxConcurrent?: pulumi.Input<number>;
    /**
     * The root rotation period, a Go duration such as `"2160h"` (as older docs and Terraform configs
     * write it). Consul 1.16.3 stores it as written and uses it for nothing (unused since 1.11; it
     * rotates nothing), so any text is accepted; compared by value when it is a duration.
     * Consul's default: unset. Does not rotate the root. Consul: `Config.RotationPeriod`.
     */
    rotationPeriod?: pulumi.Input<string>;
}

/** Arguments of a {@link CaConfiguration}. */
export interface CaConfigurationArgs {
    /**
     * The CA provider: `"consul"` (built-in), `"vault"` or `"aws-pca"`. **Changing it rotates the root CA.** Consul: `Provider`.
     * @default "consul"
     */
    provider?: pulumi.Input<"consul" | "vault" | "aws-pca">;
    /** Settings of the `consul` provider (only with `provider: "consul"`). Consul: `Config`. */
    config?: pulumi.Input<ConsulCaConfigArgs>;
    /**
     * Settings of the `vault` or `aws-pca` provider, with Consul's own key names (`Address`, `Token`,
     * `RootPKIPath`, `IntermediatePKIPath`, `LeafCertTTL`, ...). Only the keys you set are compared.
     * Kept secret as a whole (it holds credentials, and Consul returns them in clear text). Consul: `Config`.
     * @see https://developer.hashicorp.com/consul/docs/connect/ca/vault
     * @see https://developer.hashicorp.com/consul/docs/connect/ca/aws
     */
    providerConfig?: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
    /**
     * Rotate even if the current provider cannot cross-sign the new root (e.g. leaving `aws-pca`).
     * May disrupt connections until every proxy has the new root. Consul: `ForceWithoutCrossSigning`.
     * @default false
     */
    forceWithoutCrossSigning?: pulumi.Input<boolean>;
    /**
     * On delete (or `pulumi destroy`), put Consul's default configuration back (consul provider,
     * 72h / 8760h / 87600h, no key of your own). **This rotates the root CA** (Consul generates a new
     * key, and destroy waits up to 30 s for it) when the configuration held a root of its own: another
     * provider, `privateKeyType`, `privateKeyBits`, `privateKey` or `rootCert`. When only TTLs or CSR
     * limits differed, the reset keeps the root and destroy returns at once. By default delete only
     * forgets the resource: Consul has no way to delete its CA configuration.
     * @default false
     */
    resetOnDelete?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. Needs `operator:write`. Changing `address`/`datacenter` replaces it. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/** One root CA certificate Consul knows. */
export interface CaRoot {
    /** Consul's root id (the root cert's key id). Consul: `ID`. */
    id: string;
    /** Whether Consul signs with it now; the old root stays inactive after a rotation. Consul: `Active`. */
    active: boolean;
    /** RFC 3339 expiry. Consul: `NotAfter`. */
    notAfter: string;
}

/**
 * The cluster's Connect CA configuration (there is exactly one; the id is `connect-ca`).
 *
 * Creating it adopts the configuration every cluster already has; deleting it forgets it unless
 * `resetOnDelete` is set. Changes are updates in place. A change of `provider`, `privateKeyType`,
 * `privateKeyBits`, `privateKey` or `rootCert` rotates the root CA: the preview says so in the
 * `rootRotation` property, and `pulumi up` waits (up to 30 s) until the new root is active.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/ca
 */
export class CaConfiguration extends pulumi.dynamic.Resource {
    /** The CA provider Consul uses. */
    declare public readonly provider: pulumi.Output<"consul" | "vault" | "aws-pca">;
    /** The consul provider's config as Consul holds it (every key, set by you or not; `privateKey` only if you set it, as a secret). */
    declare public readonly config: pulumi.Output<ConsulCaConfigArgs | undefined>;
    /**
     * The vault/aws-pca provider's config as Consul holds it, credentials included (secret). A
     * refresh that finds another provider than declared keeps Consul's config here only, never in
     * the inputs.
     */
    declare public readonly providerConfig: pulumi.Output<Record<string, unknown> | undefined>;
    /** Whether a rotation may skip cross-signing. */
    declare public readonly forceWithoutCrossSigning: pulumi.Output<boolean>;
    /** Whether destroy restores Consul's default CA configuration (rotating the root if it held one of its own). */
    declare public readonly resetOnDelete: pulumi.Output<boolean | undefined>;
    /** The `config` keys set in the program: the only ones compared for drift. */
    declare public readonly configKeys: pulumi.Output<string[]>;
    /** `"none"`, or what in the last change rotated (or, in a preview, will rotate) the root CA. */
    declare public readonly rootRotation: pulumi.Output<string>;
    /** Id of the root Consul signs with now (changes on rotation). */
    declare public readonly activeRootId: pulumi.Output<string>;
    /** SPIFFE trust domain, `<cluster-id>.consul`. */
    declare public readonly trustDomain: pulumi.Output<string>;
    /** PEM of the active root certificate. */
    declare public readonly rootCertPem: pulumi.Output<string>;
    /** Every root Consul knows (the active one and those kept after rotations). */
    declare public readonly roots: pulumi.Output<CaRoot[]>;

    constructor(name: string, args: CaConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
        const { config, secretConfig } = protectPrivateKey(args.config);
        const secretOutputs = ["connection", "providerConfig", ...(secretConfig ? ["config"] : [])];
        super(
            providerShim("CaConfiguration"),
            name,
            {
                // Outputs are registered as undefined first, so that an output name passed as an input reaches check.
                configKeys: undefined,
                rootRotation: undefined,
                activeRootId: undefined,
                trustDomain: undefined,
                rootCertPem: undefined,
                roots: undefined,
                ...args,
                config,
                providerConfig: args.providerConfig === undefined ? undefined : pulumi.secret(args.providerConfig),
                ...connectionInputs(args.connection),
            },
            { ...opts, additionalSecretOutputs: [...secretOutputs, ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "CaConfiguration",
        );
    }
}

/**
 * Makes the private key secret inside `config` (TTLs stay readable in previews). A config given as
 * an Output or Promise cannot be looked into here, so it becomes secret as a whole.
 */
function protectPrivateKey(config: CaConfigurationArgs["config"]): { config: pulumi.Input<unknown>; secretConfig: boolean } {
    if (config === undefined) return { config, secretConfig: false };
    if (pulumi.Output.isInstance(config) || config instanceof Promise) {
        const whole = pulumi.output(config);
        return {
            config: whole.apply((c): pulumi.Output<unknown> => (c?.privateKey === undefined ? pulumi.output(c) : pulumi.secret(c))),
            secretConfig: true,
        };
    }
    if (config.privateKey === undefined) return { config, secretConfig: false };
    return { config: { ...config, privateKey: pulumi.secret(config.privateKey) }, secretConfig: true };
}
