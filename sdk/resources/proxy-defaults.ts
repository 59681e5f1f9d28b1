import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** How traffic to or through mesh gateways is routed. */
export interface MeshGatewayArgs {
    /** `none`, `local` (through the local datacenter's gateway) or `remote` (through the remote one). Consul: `Mode`. */
    mode: "none" | "local" | "remote";
}

/** Transparent proxy settings. */
export interface TransparentProxyArgs {
    /** The port the proxy listens on for outbound traffic. Consul: `OutboundListenerPort`. @default 15001 */
    outboundListenerPort?: number;
    /** Let clients dial this service's instances directly (skipping the proxy). Consul: `DialedDirectly`. @default false */
    dialedDirectly?: boolean;
}

/** One HTTP path exposed without mTLS (for example a metrics endpoint). */
export interface ExposePathArgs {
    /** The path, starting with "/". Consul: `Path`. */
    path: string;
    /** The port the service listens on locally. Consul: `LocalPathPort`. */
    localPathPort?: number;
    /** The port the proxy listens on for this path. Consul: `ListenerPort`. */
    listenerPort?: number;
    /** `http` or `http2`. Consul: `Protocol`. @default "http" */
    protocol?: "http" | "http2";
}

/** Paths exposed without mTLS. */
export interface ExposeArgs {
    /** Expose every HTTP and gRPC check registered for the service. Consul: `Checks`. @default false */
    checks?: boolean;
    /** Paths to expose. Consul: `Paths`. */
    paths?: ExposePathArgs[];
}

/** Envoy access logs of every proxy. */
export interface AccessLogsArgs {
    /** Turn access logs on. Consul: `Enabled`. @default false */
    enabled?: boolean;
    /** Leave out logs of connections rejected by the listener. Consul: `DisableListenerLogs`. @default false */
    disableListenerLogs?: boolean;
    /** `stdout`, `stderr` or `file` (which needs `path`). Consul: `Type`. @default "stdout" */
    type?: "stdout" | "stderr" | "file";
    /** The log file, for type `file`. Consul: `Path`. */
    path?: string;
    /** A JSON object template (Envoy's format strings); not with `textFormat`. Consul: `JSONFormat`. */
    jsonFormat?: string;
    /** A text template; not with `jsonFormat`. Consul: `TextFormat`. */
    textFormat?: string;
}

/** Arguments of a {@link ProxyDefaults}. */
export interface ProxyDefaultsArgs {
    /** The default proxy mode, `direct` or `transparent`. Consul: `Mode`. */
    mode?: pulumi.Input<"direct" | "transparent">;
    /**
     * Opaque proxy configuration, as Consul's `Config` map (keys as Consul spells them), e.g.
     * `{ protocol: "http", local_connect_timeout_ms: 1000 }`. `protocol` must be tcp, http, http2 or grpc. Consul: `Config`.
     */
    config?: pulumi.Input<Record<string, unknown>>;
    /** The default mesh gateway mode. Consul: `MeshGateway`. */
    meshGateway?: pulumi.Input<MeshGatewayArgs>;
    /** Transparent proxy settings. Consul: `TransparentProxy`. */
    transparentProxy?: pulumi.Input<TransparentProxyArgs>;
    /** Paths exposed without mTLS. Consul: `Expose`. */
    expose?: pulumi.Input<ExposeArgs>;
    /** Access logs of every proxy. Consul: `AccessLogs`. */
    accessLogs?: pulumi.Input<AccessLogsArgs>;
    /** Entry metadata (at most 64 pairs; the key `managed-by` is reserved). Consul: `Meta`. */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage the `global` entry if it already exists and differs, instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * The defaults of every sidecar proxy (Consul's `proxy-defaults` config entry, always named
 * `global`: one per cluster). Fields left out are removed from the entry; the entry carries the
 * ownership mark `managed-by: consul-mesh`; delete removes it.
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/proxy-defaults
 */
export class ProxyDefaults extends pulumi.dynamic.Resource {
    /** The proxy mode Consul holds. */
    declare public readonly mode: pulumi.Output<"direct" | "transparent" | undefined>;
    /** The `Config` map Consul holds. */
    declare public readonly config: pulumi.Output<Record<string, unknown> | undefined>;
    /** Entry metadata, without the ownership mark. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;

    constructor(name: string, args: ProxyDefaultsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ProxyDefaults"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ProxyDefaults",
        );
    }
}
