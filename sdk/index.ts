/**
 * consul-mesh: manage the HashiCorp Consul service-mesh control plane with Pulumi.
 * @packageDocumentation
 */
export { Intention, type IntentionArgs } from "./resources/intention";
export type { ConnectionArgs } from "./connection";
