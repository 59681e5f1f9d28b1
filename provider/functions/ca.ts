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
    id: string;
    name: string;
    serialNumber?: number;
    signingKeyId: string;
    externalTrustDomain?: string;
    notBefore: string;
    notAfter: string;
    rootCertPem: string;
    intermediateCertPems: string[];
    active: boolean;
    privateKeyType?: string;
    privateKeyBits?: number;
}

export interface CaRootsInfo {
    /** SPIFFE trust domain, `<cluster-id>.consul`. */
    trustDomain: string;
    activeRootId: string;
    /** PEM of the active root. */
    activeRootCertPem: string;
    /** Every root's PEM, joined: the bundle a gateway or an external system trusts. */
    trustBundlePem: string;
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

export interface CaConfigurationInfo {
    provider: string;
    /** The provider's settings without credentials. */
    config: Record<string, CaSetting>;
    /** The settings that hold credentials (callers keep them secret). */
    credentials: Record<string, CaSetting>;
    /** The names of the keys in `credentials`. */
    credentialKeys: string[];
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

export interface LeafCertificateInfo {
    serialNumber: string;
    certPem: string;
    /** The private key (callers keep it secret). */
    privateKeyPem: string;
    service: string;
    /** SPIFFE id of the service, `spiffe://<trust-domain>/ns/<ns>/dc/<dc>/svc/<service>`. */
    serviceUri: string;
    validAfter: string;
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
