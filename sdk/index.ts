/**
 * consul-mesh: manage the HashiCorp Consul service-mesh control plane with Pulumi.
 * @packageDocumentation
 */
export { Intention, type IntentionArgs } from "./resources/intention";
export { PeeringToken, type PeeringTokenArgs, type PeeringDialerArgs } from "./resources/peering-token";
export { Peering, type PeeringArgs, type PeeringAcceptorArgs } from "./resources/peering";
export { ExportedServices, type ExportedServicesArgs, type ExportedServiceArgs } from "./resources/exported-services";
export { ClusterPeering, type ClusterPeeringArgs, type ClusterPeeringSideArgs } from "./components/cluster-peering";
export {
    PeeringMesh,
    peeringMeshPlan,
    peerFailover,
    assertDistinctClusters,
    type PeeringMeshArgs,
    type PeeringMeshCluster,
    type PeeringMeshTopology,
    type PeeringMeshPairsTopology,
    type PeeringMeshHubTopology,
    type PeeringMeshPeering,
    type PeeringMeshPair,
    type PeeringMeshPlan,
    type PeeringMeshPairState,
} from "./components/peering-mesh";
export { AclBootstrap, type AclBootstrapArgs } from "./resources/acl-bootstrap";
export { ServiceIntentions, type ServiceIntentionsArgs } from "./resources/service-intentions";
export { ServiceDefaults, type ServiceDefaultsArgs } from "./resources/service-defaults";
export { CaConfiguration, type CaConfigurationArgs, type ConsulCaConfigArgs, type CaRoot } from "./resources/ca-configuration";
export { MeshPolicy, type MeshPolicyArgs } from "./components/mesh-policy";
export {
    IntentionAssertions,
    type IntentionAssertionsArgs,
    type IntentionExpectation,
    type IntentionExpectationResult,
} from "./resources/intention-assertions";
export type { HeaderMatch, IntentionSource, JwtRequirement, Permission } from "./intention-types";
export type { ConnectionArgs } from "./connection";
export * from "./functions/ca";
export * from "./functions/intentions";
export * from "./functions/authorize";
export * from "./functions/peerings";
export * from "./functions/acl";
export { AclPolicy, type AclPolicyArgs } from "./resources/acl-policy";
export { AclRole, type AclRoleArgs, type AclServiceIdentityArgs, type AclNodeIdentityArgs } from "./resources/acl-role";
export { AclToken, type AclTokenArgs } from "./resources/acl-token";
export { AclAuthMethod, type AclAuthMethodArgs, type AclKubernetesConfigArgs, type AclJwtConfigArgs } from "./resources/acl-auth-method";
export { AclBindingRule, type AclBindingRuleArgs } from "./resources/acl-binding-rule";
export {
    JwtProvider,
    type JwtProviderArgs,
    type JwtKeySetArgs,
    type JwtLocalKeySetArgs,
    type JwtRemoteKeySetArgs,
    type JwtRetryPolicyArgs,
    type JwtRetryBackOffArgs,
    type JwtLocationArgs,
    type JwtHeaderLocationArgs,
    type JwtNamedLocationArgs,
    type JwtForwardingArgs,
    type JwtCacheConfigArgs,
} from "./resources/jwt-provider";
export {
    ProxyDefaults,
    type ProxyDefaultsArgs,
    type MeshGatewayArgs,
    type TransparentProxyArgs,
    type ExposeArgs,
    type ExposePathArgs,
    type AccessLogsArgs,
} from "./resources/proxy-defaults";
export {
    Mesh,
    type MeshArgs,
    type TlsVersion,
    type MeshTlsArgs,
    type MeshTlsDirectionArgs,
    type MeshTransparentProxyArgs,
    type MeshHttpArgs,
    type MeshPeeringArgs,
} from "./resources/mesh";
export {
    ServiceResolver,
    type ServiceResolverArgs,
    type ResolverSubsetArgs,
    type ResolverRedirectArgs,
    type ResolverFailoverArgs,
    type ResolverFailoverTargetArgs,
    type ResolverLoadBalancerArgs,
    type ResolverHashPolicyArgs,
} from "./resources/service-resolver";
export { ConfigEntry, type ConfigEntryArgs } from "./resources/config-entry";
export type {
    ServiceProtocol,
    UpstreamConfigArgs,
    UpstreamOverrideArgs,
    UpstreamSettingsArgs,
    UpstreamLimitsArgs,
    UpstreamPassiveHealthCheckArgs,
    ServiceDestinationArgs,
} from "./resources/service-defaults";
