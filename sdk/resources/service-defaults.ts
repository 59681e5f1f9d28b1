import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";
import type { MeshGatewayArgs, TransparentProxyArgs } from "./proxy-defaults";

/** A service protocol. */
export type ServiceProtocol = "tcp" | "http" | "http2" | "grpc";

/** Limits on connections to an upstream. */
export interface UpstreamLimitsArgs {
    /** Most concurrent connections to each instance. Unset: Envoy's default, 1024. Consul: `MaxConnections`. */
    maxConnections?: number;
    /** Most requests waiting for a connection. Unset: Envoy's default, 1024. Consul: `MaxPendingRequests`. */
    maxPendingRequests?: number;
    /** Most concurrent requests to each instance. Unset: Envoy's default, 1024. Consul: `MaxConcurrentRequests`. */
    maxConcurrentRequests?: number;
}

/** Outlier detection on an upstream's instances. */
export interface UpstreamPassiveHealthCheckArgs {
    /** How often ejections are evaluated (Go duration). Unset: Envoy's default, "10s". Consul: `Interval`. */
    interval?: string;
    /** Consecutive failures that eject an instance. Unset: Envoy's default, 5. Consul: `MaxFailures`. */
    maxFailures?: number;
    /** Percent chance an ejection is enforced on consecutive 5xx (0-100). Unset: Envoy's default, 100. Consul: `EnforcingConsecutive5xx`. */
    enforcingConsecutive5xx?: number;
}

/** Settings of the service's upstreams (all of them, or one in `overrides`). */
export interface UpstreamSettingsArgs {
    /** The upstream's protocol, as seen by this service. Consul: `Protocol`. */
    protocol?: ServiceProtocol;
    /** Connect timeout in milliseconds. Consul: `ConnectTimeoutMs`. @default 5000 */
    connectTimeoutMs?: number;
    /** Connection limits. Consul: `Limits`. */
    limits?: UpstreamLimitsArgs;
    /** Outlier detection. Consul: `PassiveHealthCheck`. */
    passiveHealthCheck?: UpstreamPassiveHealthCheckArgs;
    /** Mesh gateway mode towards the upstream. Consul: `MeshGateway`. */
    meshGateway?: MeshGatewayArgs;
    /** `exact_balance` to balance connections across Envoy worker threads. Consul: `BalanceOutboundConnections`. */
    balanceOutboundConnections?: "exact_balance";
    /**
     * A complete Envoy cluster, as JSON text (for example `JSON.stringify({...})`), replacing the one
     * Consul generates for the upstream; Consul injects the mesh TLS context. A deprecated escape
     * hatch, ignored while a discovery chain is active; Consul 1.16.3 stores it as written without
     * parsing it, so any text is accepted. Default: unset. Consul: `EnvoyClusterJSON`.
     */
    envoyClusterJson?: string;
    /**
     * A complete Envoy listener, as JSON text, replacing the one Consul generates for the upstream. A
     * deprecated escape hatch, ignored while a discovery chain is active; Consul 1.16.3 stores it as
     * written without parsing it. Default: unset. Consul: `EnvoyListenerJSON`.
     */
    envoyListenerJson?: string;
}

/** Settings of one upstream, by name (and peer). */
export interface UpstreamOverrideArgs extends UpstreamSettingsArgs {
    /** The upstream service. Consul: `Name`. */
    name: string;
    /** The peer it is imported from. Consul: `Peer`. */
    peer?: string;
}

/** Upstream settings: defaults for every upstream, and overrides per upstream. */
export interface UpstreamConfigArgs {
    /** Per-upstream settings. Consul: `Overrides`. */
    overrides?: UpstreamOverrideArgs[];
    /** Settings of every other upstream. Consul: `Defaults`. */
    defaults?: UpstreamSettingsArgs;
}

/** A destination outside the mesh, reached through a terminating gateway (transparent proxy). */
export interface ServiceDestinationArgs {
    /** Hostnames or IP addresses. Consul: `Addresses`. */
    addresses: string[];
    /** The port. Consul: `Port`. */
    port: number;
}

/** Arguments of a {@link ServiceDefaults}. */
export interface ServiceDefaultsArgs {
    /** Service name. Changing it replaces the resource. Consul: `Name`. */
    name: pulumi.Input<string>;
    /**
     * The service's protocol; `http`, `http2` or `grpc` make L7 intention permissions possible.
     * Unset, Consul stores none and the service inherits `proxy-defaults`' protocol (tcp by default). Consul: `Protocol`.
     */
    protocol?: pulumi.Input<ServiceProtocol>;
    /** The proxy mode, `direct` or `transparent`; unset, the `proxy-defaults` mode applies. Consul: `Mode`. */
    mode?: pulumi.Input<"direct" | "transparent">;
    /** Transparent proxy settings. Consul: `TransparentProxy`. */
    transparentProxy?: pulumi.Input<TransparentProxyArgs>;
    /** Mesh gateway mode. Consul: `MeshGateway`. */
    meshGateway?: pulumi.Input<MeshGatewayArgs>;
    /**
     * The TLS server name (SNI) that services use to reach this one when it lives outside the mesh
     * (behind a terminating gateway, or another system federated with it); Consul then marks the
     * service's targets as external. Consul 1.16.3 accepts any text. Default: unset (Consul's own
     * SNI). Consul: `ExternalSNI`.
     */
    externalSni?: pulumi.Input<string>;
    /** Upstream settings (defaults and per-upstream overrides). Consul: `UpstreamConfig`. */
    upstreamConfig?: pulumi.Input<UpstreamConfigArgs>;
    /** A destination outside the mesh (for a terminating gateway). Consul: `Destination`. */
    destination?: pulumi.Input<ServiceDestinationArgs>;
    /** Most concurrent inbound connections to each instance; 0 or unset: no limit. Consul: `MaxInboundConnections`. */
    maxInboundConnections?: pulumi.Input<number>;
    /** Timeout of the proxy's connections to the local instance, in milliseconds. Consul: `LocalConnectTimeoutMs`. @default 5000 */
    localConnectTimeoutMs?: pulumi.Input<number>;
    /** Timeout of HTTP requests to the local instance, in milliseconds. Consul: `LocalRequestTimeoutMs`. @default 15000 */
    localRequestTimeoutMs?: pulumi.Input<number>;
    /** Entry metadata (at most 64 pairs, keys up to 128, values up to 512 characters; the key `managed-by` is reserved). Consul: `Meta`. */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage an entry that already exists instead of failing (fields not modelled here are kept). @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A service's defaults (Consul's `service-defaults` config entry): protocol (the prerequisite of L7
 * intentions), proxy mode, transparent proxy, mesh gateway, upstream settings, destination, limits
 * and local timeouts. Fields modelled here and left out are removed; others of an adopted entry are
 * kept. The entry carries the ownership mark `managed-by: consul-mesh` in its Meta. A create that
 * finds the entry exactly as declared takes it; a different one needs `adopt`. Delete removes it.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults
 */
export class ServiceDefaults extends pulumi.dynamic.Resource {
    /** Service name. */
    declare public readonly name: pulumi.Output<string>;
    /** The protocol Consul holds for the service (unset: inherited from proxy-defaults). */
    declare public readonly protocol: pulumi.Output<ServiceProtocol | undefined>;
    /** Entry metadata as Consul holds it. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;

    constructor(name: string, args: ServiceDefaultsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ServiceDefaults"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ServiceDefaults",
        );
    }
}
