import * as pulumi from "@pulumi/pulumi";
import { connectionInputs, type ConnectionArgs } from "../connection";
import { providerShim } from "../provider-shim";

/** A subset of a service's instances. */
export interface ResolverSubsetArgs {
    /** A filter expression over the instances, e.g. `Service.Meta.version == v2`. Consul: `Filter`. */
    filter?: string;
    /** Only instances with passing health checks. Consul: `OnlyPassing`. @default false */
    onlyPassing?: boolean;
}

/** Where requests for the service go instead. */
export interface ResolverRedirectArgs {
    /** Another service. Consul: `Service`. */
    service?: string;
    /** A subset of it. Consul: `ServiceSubset`. */
    serviceSubset?: string;
    /** Another datacenter. Consul: `Datacenter`. */
    datacenter?: string;
    /** A service exported by a cluster peer. Consul: `Peer`. */
    peer?: string;
}

/** One failover target: a service, in a datacenter or from a peer (each may be another resource's output, e.g. a peering's name). */
export interface ResolverFailoverTargetArgs {
    /** The service (the resolved one by default). Consul: `Service`. */
    service?: pulumi.Input<string>;
    /** A subset of it. Consul: `ServiceSubset`. */
    serviceSubset?: pulumi.Input<string>;
    /** A datacenter (not with `peer`). Consul: `Datacenter`. */
    datacenter?: pulumi.Input<string>;
    /** A cluster peer that exports the service (not with `datacenter`). Consul: `Peer`. */
    peer?: pulumi.Input<string>;
}

/** Where to go when no healthy instance is left: `targets`, or (older form) service/subset/datacenters. */
export interface ResolverFailoverArgs {
    /** A service to fail over to. Consul: `Service`. */
    service?: string;
    /** A subset to fail over to. Consul: `ServiceSubset`. */
    serviceSubset?: string;
    /** Datacenters to try, in order. Consul: `Datacenters`. */
    datacenters?: string[];
    /** Targets to try, in order (not with the fields above). Consul: `Targets`. */
    targets?: ResolverFailoverTargetArgs[];
}

/** One hash policy of a ring_hash or maglev load balancer. */
export interface ResolverHashPolicyArgs {
    /** Hash on a `header`, `cookie` or `query_parameter` (named by `fieldValue`). Consul: `Field`. */
    field?: "header" | "cookie" | "query_parameter";
    /** The header, cookie or parameter name. Consul: `FieldValue`. */
    fieldValue?: string;
    /** Hash on the source IP instead of a field. Consul: `SourceIP`. */
    sourceIP?: boolean;
    /** Stop at this policy when it produced a hash. Consul: `Terminal`. */
    terminal?: boolean;
}

/** How requests are spread over instances. */
export interface ResolverLoadBalancerArgs {
    /** The policy. Consul: `Policy`. @default Envoy's round robin */
    policy?: "random" | "round_robin" | "least_request" | "ring_hash" | "maglev";
    /** Ring sizes for `ring_hash`. Consul: `RingHashConfig`. */
    ringHashConfig?: {
        /** Minimum ring size. */
        minimumRingSize?: number;
        /** Maximum ring size. */
        maximumRingSize?: number;
    };
    /** Settings of `least_request`. Consul: `LeastRequestConfig`. */
    leastRequestConfig?: {
        /** How many random instances to choose from. */
        choiceCount?: number;
    };
    /** What `ring_hash` and `maglev` hash on. Consul: `HashPolicies`. */
    hashPolicies?: ResolverHashPolicyArgs[];
}

/** Arguments of a {@link ServiceResolver}. */
export interface ServiceResolverArgs {
    /** The service resolved. Changing it replaces the resource. Consul: `Name`. */
    name: pulumi.Input<string>;
    /** The subset used when a request names none (one of `subsets`). Consul: `DefaultSubset`. */
    defaultSubset?: pulumi.Input<string>;
    /** Named subsets (names are DNS labels). Consul: `Subsets`. */
    subsets?: pulumi.Input<Record<string, ResolverSubsetArgs>>;
    /** Send every request elsewhere (not with subsets, defaultSubset or failover). Consul: `Redirect`. */
    redirect?: pulumi.Input<ResolverRedirectArgs>;
    /** Failover per subset name, or `"*"` for every subset. Consul: `Failover`. */
    failover?: pulumi.Input<Record<string, ResolverFailoverArgs>>;
    /** Timeout of new connections to an instance (Go duration). Consul: `ConnectTimeout`. @default "5s" */
    connectTimeout?: pulumi.Input<string>;
    /** Timeout of HTTP requests (Go duration). Consul: `RequestTimeout`. @default "15s" */
    requestTimeout?: pulumi.Input<string>;
    /** Load balancing. Consul: `LoadBalancer`. */
    loadBalancer?: pulumi.Input<ResolverLoadBalancerArgs>;
    /** Entry metadata (at most 64 pairs; the key `managed-by` is reserved). Consul: `Meta`. */
    meta?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Manage an entry that already exists and differs, instead of failing. @default false */
    adopt?: pulumi.Input<boolean>;
    /** Where Consul is; see {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * How a service's instances are chosen (Consul's `service-resolver` config entry): subsets,
 * redirect, failover to other datacenters or to a cluster peer, timeouts and load balancing.
 * Fields left out are removed; durations compare by value ("90s" equals "1m30s").
 * @see https://developer.hashicorp.com/consul/docs/connect/config-entries/service-resolver
 */
export class ServiceResolver extends pulumi.dynamic.Resource {
    /** The service resolved. */
    declare public readonly name: pulumi.Output<string>;
    /** The failover Consul holds. */
    declare public readonly failover: pulumi.Output<Record<string, ResolverFailoverArgs> | undefined>;
    /** Entry metadata, without the ownership mark. */
    declare public readonly meta: pulumi.Output<Record<string, string> | undefined>;

    constructor(name: string, args: ServiceResolverArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ServiceResolver"),
            name,
            { ...args, ...connectionInputs(args.connection) },
            { ...opts, additionalSecretOutputs: ["connection", ...(opts?.additionalSecretOutputs ?? [])] },
            "consul-mesh",
            "ServiceResolver",
        );
    }
}
