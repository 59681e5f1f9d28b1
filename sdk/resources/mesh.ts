import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** A TLS version as Consul names it. */
export type TlsVersion = "TLS_AUTO" | "TLSv1_0" | "TLSv1_1" | "TLSv1_2" | "TLSv1_3";

/** TLS settings of one direction of mesh traffic. */
export interface MeshTlsDirectionArgs {
    /** The lowest TLS version. Consul: `TLSMinVersion`. */
    tlsMinVersion?: TlsVersion;
    /** The highest TLS version (not below `tlsMinVersion`). Consul: `TLSMaxVersion`. */
    tlsMaxVersion?: TlsVersion;
    /** Allowed cipher suites (TLS 1.2 and older; not with `tlsMinVersion: "TLSv1_3"`). Consul: `CipherSuites`. */
    cipherSuites?: string[];
}

/** Mesh-wide TLS settings. */
export interface MeshTlsArgs {
    /** For connections into sidecars and gateways. Consul: `Incoming`. */
    incoming?: MeshTlsDirectionArgs;
    /** For connections out of sidecars and gateways. Consul: `Outgoing`. */
    outgoing?: MeshTlsDirectionArgs;
}

/** Mesh-wide transparent proxy settings. */
export interface MeshTransparentProxyArgs {
    /** Allow transparent proxies to reach only services in the mesh. Consul: `MeshDestinationsOnly`. @default false */
    meshDestinationsOnly?: boolean;
}

/** Mesh-wide HTTP settings. */
export interface MeshHttpArgs {
    /** Remove the `X-Forwarded-Client-Cert` header from incoming requests. Consul: `SanitizeXForwardedClientCert`. @default false */
    sanitizeXForwardedClientCert?: boolean;
}

/** Mesh-wide peering settings. */
export interface MeshPeeringArgs {
    /** Send peering control-plane traffic through mesh gateways. Consul: `PeerThroughMeshGateways`. @default false */
    peerThroughMeshGateways?: boolean;
}

/** Arguments of a {@link Mesh}. */
export interface MeshArgs {
    /** Transparent proxy settings. Consul: `TransparentProxy`. */
    transparentProxy?: pulumi.Input<MeshTransparentProxyArgs>;
    /** TLS settings. Consul: `TLS`. */
    tls?: pulumi.Input<MeshTlsArgs>;
    /** HTTP settings. Consul: `HTTP`. */
    http?: pulumi.Input<MeshHttpArgs>;
    /** Peering settings. Consul: `Peering`. */
    peering?: pulumi.Input<MeshPeeringArgs>;
    /** Entry metadata (at most 64 pairs; the key `managed-by` is reserved). Consul: `Meta`. */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage the mesh entry if it already exists and differs, instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Mesh-wide settings (Consul's `mesh` config entry: one per cluster). Fields left out are removed;
 * the entry carries the ownership mark `managed-by: consul-mesh`; delete removes it.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/mesh
 */
export class Mesh extends pulumi.dynamic.Resource {
    /** The TLS settings Consul holds. */
    declare public readonly tls: pulumi.Output<MeshTlsArgs | undefined>;
    /** Entry metadata, without the ownership mark. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;

    constructor(name: string, args: MeshArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("Mesh"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "Mesh",
        );
    }
}
