import * as pulumi from "@pulumi/pulumi";
import {
    readCaConfiguration,
    readCaRoots,
    readLeafCertificate,
    type CaConfigurationInfo,
    type CaRootInfo,
    type CaRootsInfo,
    type CaSetting,
    type LeafCertificateInfo,
} from "../../provider/functions/ca";
import { leafArgs, noArgs } from "../../provider/functions/catalog";
import type { ConnectionArgs } from "../connection";
import { outputOf, runFunction } from "./common";

export type { CaRootInfo, CaRootsInfo, CaConfigurationInfo, CaSetting, LeafCertificateInfo };

/** Arguments of {@link getCaRootsOutput}. */
export interface GetCaRootsOutputArgs {
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link getCaRoots}. */
export type GetCaRootsArgs = pulumi.Unwrap<GetCaRootsOutputArgs>;

/**
 * The Connect CA's roots (`GET /v1/connect/ca/roots`): the trust domain, the active root and every
 * root Consul keeps, with their PEM; `trustBundlePem` is what a gateway or an external system trusts.
 * @example
 * const roots = mesh.getCaRootsOutput({ connection: { address: "http://127.0.0.1:8500" } });
 * export const trustBundle = roots.trustBundlePem;
 */
export function getCaRoots(args: GetCaRootsArgs = {}): Promise<CaRootsInfo> {
    return runFunction("getCaRoots", noArgs, args, (client) => readCaRoots(client));
}
/** {@link getCaRoots} with Inputs, as an Output. */
export function getCaRootsOutput(args: GetCaRootsOutputArgs = {}): pulumi.Output<CaRootsInfo> {
    return outputOf(args, getCaRoots);
}

/** Arguments of {@link getCaConfigurationOutput}. */
export interface GetCaConfigurationOutputArgs {
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `operator:write` (Consul 1.16 guards this read so, as it holds the CA credentials). */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link getCaConfiguration}. */
export type GetCaConfigurationArgs = pulumi.Unwrap<GetCaConfigurationOutputArgs>;

/** The CA configuration with its credentials as a Pulumi secret. */
export interface GetCaConfigurationResult extends Omit<CaConfigurationInfo, "credentials"> {
    /** The settings that hold credentials (private key, Vault token, auth-method parameters...): a secret. */
    credentials: pulumi.Output<Record<string, CaSetting>>;
}

/**
 * The Connect CA's configuration (`GET /v1/connect/ca/configuration`), read-only: the provider and
 * its settings. Settings that hold credentials are never returned in plaintext: they are in
 * `credentials`, a Pulumi secret, and `credentialKeys` names them.
 * @example
 * const ca = await mesh.getCaConfiguration();
 * console.log(ca.provider, ca.config.LeafCertTTL);
 */
export async function getCaConfiguration(args: GetCaConfigurationArgs = {}): Promise<GetCaConfigurationResult> {
    const info = await runFunction("getCaConfiguration", noArgs, args, (client) => readCaConfiguration(client));
    return { ...info, credentials: pulumi.secret(info.credentials) };
}
/** {@link getCaConfiguration} with Inputs, as an Output (secret as a whole: it holds the credentials). */
export function getCaConfigurationOutput(args: GetCaConfigurationOutputArgs = {}): pulumi.Output<CaConfigurationInfo> {
    return pulumi.secret(
        outputOf(args, (plain) => runFunction("getCaConfigurationOutput", noArgs, plain, (client) => readCaConfiguration(client))),
    );
}

/** Arguments of {@link getLeafCertificateOutput}. */
export interface GetLeafCertificateOutputArgs {
    /** The service the certificate is for. */
    service: pulumi.Input<string>;
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `service:write` on the service. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link getLeafCertificate}. */
export type GetLeafCertificateArgs = pulumi.Unwrap<GetLeafCertificateOutputArgs>;

/** A leaf certificate with its private key as a Pulumi secret. */
export interface GetLeafCertificateResult extends Omit<LeafCertificateInfo, "privateKeyPem"> {
    /** PEM of the private key: a secret. */
    privateKeyPem: pulumi.Output<string>;
}

/**
 * A leaf certificate for a service (`GET /v1/agent/connect/ca/leaf/:service`), signed by the
 * active root, from the agent's cache (the same certificate until it nears expiry). The private key
 * is a Pulumi secret in both forms.
 * @example
 * const leaf = mesh.getLeafCertificateOutput({ service: "web" });
 * export const webSpiffeId = leaf.serviceUri;
 */
export async function getLeafCertificate(args: GetLeafCertificateArgs): Promise<GetLeafCertificateResult> {
    const leaf = await runFunction("getLeafCertificate", leafArgs, args, (client, q) => readLeafCertificate(client, q.service));
    return { ...leaf, privateKeyPem: pulumi.secret(leaf.privateKeyPem) };
}
/** {@link getLeafCertificate} with Inputs, as an Output (secret as a whole: it holds the private key). */
export function getLeafCertificateOutput(args: GetLeafCertificateOutputArgs): pulumi.Output<LeafCertificateInfo> {
    return pulumi.secret(
        outputOf(args, (plain) =>
            runFunction("getLeafCertificateOutput", leafArgs, plain, (client, q) => readLeafCertificate(client, q.service)),
        ),
    );
}
