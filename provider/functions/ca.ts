// The Connect CA, read side: roots (the trust bundle), the CA configuration (credentials kept
// apart so that callers can wrap them as secrets), and a service's leaf certificate.
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { isCredentialKey } from "../engine/ca-api";
import { getParsed, list, optionalText, segment } from "./answer";

export { isCredentialKey };

const rootSchema = z.object({
    ID: z.string(),
    Name: z.string(),
    SerialNumber: z.number().nullish(),
    SigningKeyID: z.string(),
    ExternalTrustDomain: optionalText,
    NotBefore: z.string(),
    NotAfter: z.string(),
    RootCert: z.string(),
    IntermediateCerts: list(z.string()),
    Active: z.boolean(),
    PrivateKeyType: optionalText,
    PrivateKeyBits: z.number().nullish(),
});

const rootsSchema = z.object({
    ActiveRootID: z.string(),
    TrustDomain: z.string(),
    Roots: list(rootSchema),
});

/** One root certificate of the Connect CA. */
export interface CaRootInfo {
    /** The root's id. Consul: `ID`. */
    id: string;
    /** The root's name. Consul: `Name`. */
    name: string;
    /** Serial number of the root certificate. Consul: `SerialNumber`. */
    serialNumber?: number;
    /** Id of the key that signs with this root. Consul: `SigningKeyID`. */
    signingKeyId: string;
    /** The trust domain of an external CA, when it is one. Consul: `ExternalTrustDomain`. */
    externalTrustDomain?: string;
    /** Start of validity, RFC 3339. Consul: `NotBefore`. */
    notBefore: string;
    /** End of validity, RFC 3339. Consul: `NotAfter`. */
    notAfter: string;
    /** PEM of the root certificate. Consul: `RootCert`. */
    rootCertPem: string;
    /** PEMs of the intermediates that chain to this root. Consul: `IntermediateCerts`. */
    intermediateCertPems: string[];
    /** Whether this is the root that signs new leaf certificates. Consul: `Active`. */
    active: boolean;
    /** `ec` or `rsa`. Consul: `PrivateKeyType`. */
    privateKeyType?: string;
    /** Key size in bits. Consul: `PrivateKeyBits`. */
    privateKeyBits?: number;
}

/** The Connect CA's roots (`GET /v1/connect/ca/roots`). */
export interface CaRootsInfo {
    /** SPIFFE trust domain, `<cluster-id>.consul`. */
    trustDomain: string;
    /** Id of the root that signs new leaf certificates. Consul: `ActiveRootID`. */
    activeRootId: string;
    /** PEM of the active root. */
    activeRootCertPem: string;
    /** Every root's PEM, joined: the bundle a gateway or an external system trusts. */
    trustBundlePem: string;
    /** Every root, the active one and those still trusted after a rotation. Consul: `Roots`. */
    roots: CaRootInfo[];
}

export async function readCaRoots(client: ConsulClient): Promise<CaRootsInfo> {
    const answer = await getParsed(client, "/v1/connect/ca/roots", rootsSchema);
    const roots = answer.Roots.map((r): CaRootInfo => ({
        id: r.ID,
        name: r.Name,
        ...(r.SerialNumber !== null && r.SerialNumber !== undefined ? { serialNumber: r.SerialNumber } : {}),
        signingKeyId: r.SigningKeyID,
        ...(r.ExternalTrustDomain ? { externalTrustDomain: r.ExternalTrustDomain } : {}),
        notBefore: r.NotBefore,
        notAfter: r.NotAfter,
        rootCertPem: r.RootCert,
        intermediateCertPems: r.IntermediateCerts,
        active: r.Active,
        ...(r.PrivateKeyType ? { privateKeyType: r.PrivateKeyType } : {}),
        ...(r.PrivateKeyBits ? { privateKeyBits: r.PrivateKeyBits } : {}),
    }));
    const active = roots.find((r) => r.id === answer.ActiveRootID);
    if (!active) throw new Error(`Consul at ${client.address} names active root ${answer.ActiveRootID}, which is not among its roots`);
    return {
        trustDomain: answer.TrustDomain,
        activeRootId: answer.ActiveRootID,
        activeRootCertPem: active.rootCertPem,
        trustBundlePem: roots.map((r) => r.rootCertPem.trim()).join("\n") + "\n",
        roots,
    };
}

const caConfigurationSchema = z.object({
    Provider: z.string(),
    Config: z.record(z.string(), z.json()).nullish(),
    ForceWithoutCrossSigning: z.boolean().nullish(),
});

/** A CA provider setting as Consul returns it (any JSON value). */
export type CaSetting = z.infer<ReturnType<typeof z.json>>;

/** The Connect CA's configuration (`GET /v1/connect/ca/configuration`). */
export interface CaConfigurationInfo {
    /** `consul`, `vault` or `aws-pca`. Consul: `Provider`. */
    provider: string;
    /** The provider's settings without credentials. */
    config: Record<string, CaSetting>;
    /** The settings that hold credentials (callers keep them secret). */
    credentials: Record<string, CaSetting>;
    /** The names of the keys in `credentials`. */
    credentialKeys: string[];
    /** Whether a rotation may skip cross-signing. Consul: `ForceWithoutCrossSigning`. */
    forceWithoutCrossSigning: boolean;
}

export async function readCaConfiguration(client: ConsulClient): Promise<CaConfigurationInfo> {
    const answer = await getParsed(client, "/v1/connect/ca/configuration", caConfigurationSchema);
    const config: Record<string, CaSetting> = {};
    const credentials: Record<string, CaSetting> = {};
    for (const [key, value] of Object.entries(answer.Config ?? {})) {
        if (isCredentialKey(key)) credentials[key] = value;
        else config[key] = value;
    }
    return {
        provider: answer.Provider,
        config,
        credentials,
        credentialKeys: Object.keys(credentials).sort(),
        forceWithoutCrossSigning: answer.ForceWithoutCrossSigning ?? false,
    };
}

const leafSchema = z.object({
    SerialNumber: z.string(),
    CertPEM: z.string(),
    PrivateKeyPEM: z.string(),
    Service: z.string(),
    ServiceURI: z.string(),
    ValidAfter: z.string(),
    ValidBefore: z.string(),
});

/** A service's leaf certificate as the agent issues it (`GET /v1/agent/connect/ca/leaf/:service`). */
export interface LeafCertificateInfo {
    /** Serial number, colon-separated hex. Consul: `SerialNumber`. */
    serialNumber: string;
    /** PEM of the certificate. Consul: `CertPEM`. */
    certPem: string;
    /** The private key (callers keep it secret). */
    privateKeyPem: string;
    /** The service the certificate is for. Consul: `Service`. */
    service: string;
    /** SPIFFE id of the service, `spiffe://<trust-domain>/ns/<ns>/dc/<dc>/svc/<service>`. */
    serviceUri: string;
    /** Start of validity, RFC 3339. Consul: `ValidAfter`. */
    validAfter: string;
    /** End of validity, RFC 3339. Consul: `ValidBefore`. */
    validBefore: string;
}

export async function readLeafCertificate(client: ConsulClient, service: string): Promise<LeafCertificateInfo> {
    const leaf = await getParsed(client, `/v1/agent/connect/ca/leaf/${segment(service, "service")}`, leafSchema);
    return {
        serialNumber: leaf.SerialNumber,
        certPem: leaf.CertPEM,
        privateKeyPem: leaf.PrivateKeyPEM,
        service: leaf.Service,
        serviceUri: leaf.ServiceURI,
        validAfter: leaf.ValidAfter,
        validBefore: leaf.ValidBefore,
    };
}
