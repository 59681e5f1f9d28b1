/**
 * consul-mesh: manage the HashiCorp Consul service-mesh control plane with Pulumi.
 * @packageDocumentation
 */
export { Intention, type IntentionArgs } from "./resources/intention";
export { ServiceIntentions, type ServiceIntentionsArgs } from "./resources/service-intentions";
export { ServiceDefaults, type ServiceDefaultsArgs } from "./resources/service-defaults";
export { MeshPolicy, type MeshPolicyArgs } from "./components/mesh-policy";
export type { HeaderMatch, IntentionSource, JwtRequirement, Permission } from "./intention-types";
export type { ConnectionArgs } from "./connection";
