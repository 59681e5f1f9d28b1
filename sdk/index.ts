/**
 * consul-mesh: manage the HashiCorp Consul service-mesh control plane with Pulumi.
 * @packageDocumentation
 */
export { Intention, type IntentionArgs } from "./resources/intention";
export { PeeringToken, type PeeringTokenArgs, type PeeringDialerArgs } from "./resources/peering-token";
export { Peering, type PeeringArgs, type PeeringAcceptorArgs } from "./resources/peering";
export { ExportedServices, type ExportedServicesArgs, type ExportedServiceArgs } from "./resources/exported-services";
export { ClusterPeering, type ClusterPeeringArgs, type ClusterPeeringSideArgs } from "./components/cluster-peering";
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
