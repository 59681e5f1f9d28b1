// Type-level test, checked by `tsc -p tsconfig.dev.json` (part of npm test): the hand-written Args
// of each resource and the provider's zod input type must stay in step.
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import type { IntentionInputs } from "../../provider/resources/intention";
import type { ConnectionInput } from "../../provider/consul/connection";
import type { IntentionArgs } from "../../sdk/resources/intention";
import type { ConnectionArgs } from "../../sdk/connection";
import type { ServiceIntentionsInputs } from "../../provider/resources/service-intentions";
import type { ServiceDefaultsInputs } from "../../provider/resources/service-defaults";
import type { SourceInput } from "../../provider/model/intention-model";
import type { ServiceIntentionsArgs } from "../../sdk/resources/service-intentions";
import type { ServiceDefaultsArgs } from "../../sdk/resources/service-defaults";
import type { IntentionSource } from "../../sdk/intention-types";
import type { AclBootstrapInputs } from "../../provider/resources/acl-bootstrap";
import type { AclBootstrapArgs } from "../../sdk/resources/acl-bootstrap";
import type { PeeringTokenInputs } from "../../provider/resources/peering-token";
import type { PeeringInputs } from "../../provider/resources/peering";
import type { ExportedServicesInputs } from "../../provider/resources/exported-services";
import type { PeeringDialerArgs, PeeringTokenArgs } from "../../sdk/resources/peering-token";
import type { PeeringArgs, PeeringAcceptorArgs } from "../../sdk/resources/peering";
import type { ExportedServiceArgs, ExportedServicesArgs } from "../../sdk/resources/exported-services";
import type { CaConfigurationInputs, ConsulCaConfig } from "../../provider/resources/ca-configuration";
import type { CaConfigurationArgs, ConsulCaConfigArgs } from "../../sdk/resources/ca-configuration";

type Plain<T> = { [K in keyof T]-?: Exclude<T[K], undefined> extends pulumi.Input<infer U> ? U : never };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type KeysMatch<A, B> = Same<keyof A, keyof B>;
/**
 * What users declare: the provider's inputs without the computed `cluster` that check adds and the
 * `secretNames` the SDK computes (which name inputs the program made secret).
 */
type Declared<T> = Omit<T, "cluster" | "secretNames">;

const intentionKeys: KeysMatch<Plain<IntentionArgs>, Required<Declared<IntentionInputs>>> = true;
const connectionKeys: KeysMatch<Plain<ConnectionArgs>, Required<ConnectionInput>> = true;
const caConfigurationKeys: KeysMatch<Plain<CaConfigurationArgs>, Required<CaConfigurationInputs>> = true;
const consulCaConfigKeys: KeysMatch<Plain<ConsulCaConfigArgs>, Required<ConsulCaConfig>> = true;
const actionType: Same<Plain<IntentionArgs>["action"], Exclude<IntentionInputs["action"], undefined>> = true;
const serviceIntentionsKeys: KeysMatch<Plain<ServiceIntentionsArgs>, Required<Declared<ServiceIntentionsInputs>>> = true;
const sourceKeys: KeysMatch<Required<IntentionSource>, Required<SourceInput>> = true;
const serviceDefaultsKeys: KeysMatch<Plain<ServiceDefaultsArgs>, Required<Declared<ServiceDefaultsInputs>>> = true;
const aclBootstrapKeys: KeysMatch<Plain<AclBootstrapArgs>, Required<AclBootstrapInputs>> = true;
const peeringTokenKeys: KeysMatch<Plain<PeeringTokenArgs>, Required<PeeringTokenInputs>> = true;
const peeringDialerKeys: KeysMatch<Plain<PeeringDialerArgs>, Required<NonNullable<PeeringTokenInputs["dialer"]>>> = true;
const peeringKeys: KeysMatch<Plain<PeeringArgs>, Required<PeeringInputs>> = true;
const peeringAcceptorKeys: KeysMatch<Plain<PeeringAcceptorArgs>, Required<NonNullable<PeeringInputs["acceptor"]>>> = true;
const exportedServicesKeys: KeysMatch<Plain<ExportedServicesArgs>, Required<Declared<ExportedServicesInputs>>> = true;
const exportedServiceKeys: KeysMatch<Plain<ExportedServiceArgs>, Required<ExportedServicesInputs["services"][number]>> = true;
// Whole shapes (deeply unwrapped Inputs vs the zod type), not only key names. Optional keys are made
// required (with undefined) at every depth first, so that an optional key missing on one side is a
// difference (plain mutual assignability would let `{ a?: T; b?: U }` equal `{ a?: T }`).
type Req<T> = T extends object ? { [K in keyof T]-?: Req<T[K]> | (undefined extends T[K] ? undefined : never) } : T;
type Shape<T> = Req<pulumi.Unwrap<T>>;
const intentionShape: Same<Shape<IntentionArgs>, Req<Declared<IntentionInputs>>> = true;
const serviceIntentionsShape: Same<Shape<ServiceIntentionsArgs>, Req<Declared<ServiceIntentionsInputs>>> = true;
const serviceDefaultsShape: Same<Shape<ServiceDefaultsArgs>, Req<Declared<ServiceDefaultsInputs>>> = true;
const exportedServicesShape: Same<Shape<ExportedServicesArgs>, Req<Declared<ExportedServicesInputs>>> = true;
const peeringTokenVersion: Same<Plain<PeeringTokenArgs>["version"], Exclude<PeeringTokenInputs["version"], undefined>> = true;

describe("SDK Args and provider inputs", () => {
    it("have the same keys (checked at compile time)", () => {
        assert.equal(intentionKeys && connectionKeys && actionType && caConfigurationKeys && consulCaConfigKeys, true);
        assert.equal(serviceIntentionsKeys && sourceKeys && serviceDefaultsKeys, true);
        assert.equal(aclBootstrapKeys, true);
        assert.equal(peeringTokenKeys && peeringDialerKeys && peeringKeys && peeringAcceptorKeys && peeringTokenVersion, true);
        assert.equal(exportedServicesKeys && exportedServiceKeys, true);
    });

    it("have the same shapes for the config-entry resources (checked at compile time)", () => {
        assert.equal(intentionShape && serviceIntentionsShape && serviceDefaultsShape && exportedServicesShape, true);
    });
});

// ACL resources (issue 18): Args and zod inputs in step.
import type { AclPolicyInputs } from "../../provider/resources/acl-policy";
import type { AclRoleInputs } from "../../provider/resources/acl-role";
import type { AclTokenInputs } from "../../provider/resources/acl-token";
import type { NodeIdentity, ServiceIdentity } from "../../provider/engine/acl-common";
import type { AclPolicyArgs } from "../../sdk/resources/acl-policy";
import type { AclNodeIdentityArgs, AclRoleArgs, AclServiceIdentityArgs } from "../../sdk/resources/acl-role";
import type { AclTokenArgs } from "../../sdk/resources/acl-token";
const aclKeys: [
    KeysMatch<Plain<AclPolicyArgs>, Required<Declared<AclPolicyInputs>>>,
    KeysMatch<Plain<AclRoleArgs>, Required<Declared<AclRoleInputs>>>,
    KeysMatch<Plain<AclTokenArgs>, Required<Declared<AclTokenInputs>>>,
    KeysMatch<Plain<AclServiceIdentityArgs>, Required<ServiceIdentity>>,
    KeysMatch<Plain<AclNodeIdentityArgs>, Required<NodeIdentity>>,
] = [true, true, true, true, true];
assert.ok(aclKeys.every(Boolean));

import type { AclAuthMethodInputs } from "../../provider/resources/acl-auth-method";
import type { AclBindingRuleInputs } from "../../provider/resources/acl-binding-rule";
import type { AclAuthMethodArgs, AclJwtConfigArgs, AclKubernetesConfigArgs } from "../../sdk/resources/acl-auth-method";
import type { AclBindingRuleArgs } from "../../sdk/resources/acl-binding-rule";
const authKeys: [
    KeysMatch<Plain<AclAuthMethodArgs>, Required<Declared<AclAuthMethodInputs>>>,
    KeysMatch<Plain<AclKubernetesConfigArgs>, Required<NonNullable<AclAuthMethodInputs["kubernetes"]>>>,
    KeysMatch<Plain<AclJwtConfigArgs>, Required<NonNullable<AclAuthMethodInputs["jwt"]>>>,
    KeysMatch<Plain<AclBindingRuleArgs>, Required<Declared<AclBindingRuleInputs>>>,
] = [true, true, true, true];
assert.ok(authKeys.every(Boolean));

// Whole shapes of the other resources too (deeply unwrapped Args vs the zod input type). PeeringToken
// and Peering are compared by keys above: their peer names are optional to users and defaulted by
// the provider's check before the schema (which requires them) sees them; CaConfiguration's
// provider-specific `config` is an open record on both sides.
import type { AclBootstrapInputs as BootstrapShapeInputs } from "../../provider/resources/acl-bootstrap";
const otherShapes: [
    Same<Shape<AclPolicyArgs>, Req<Declared<AclPolicyInputs>>>,
    Same<Shape<AclRoleArgs>, Req<Declared<AclRoleInputs>>>,
    Same<Shape<AclTokenArgs>, Req<Declared<AclTokenInputs>>>,
    Same<Shape<AclAuthMethodArgs>, Req<Declared<AclAuthMethodInputs>>>,
    Same<Shape<AclBindingRuleArgs>, Req<Declared<AclBindingRuleInputs>>>,
    Same<Shape<AclBootstrapArgs>, Req<Declared<BootstrapShapeInputs>>>,
] = [true, true, true, true, true, true];
describe("SDK Args and provider inputs of every resource", () => {
    it("have the same shapes (checked at compile time)", () => {
        assert.ok(otherShapes.every(Boolean));
    });
});

// Config entries (issue 19): Args and zod inputs, whole shapes.
import type { JwtProviderInputs } from "../../provider/resources/jwt-provider";
import type { ProxyDefaultsInputs } from "../../provider/resources/proxy-defaults";
import type { MeshInputs } from "../../provider/resources/mesh";
import type { ServiceResolverInputs } from "../../provider/resources/service-resolver";
import type { ConfigEntryInputs } from "../../provider/resources/config-entry";
import type { JwtProviderArgs } from "../../sdk/resources/jwt-provider";
import type { ProxyDefaultsArgs } from "../../sdk/resources/proxy-defaults";
import type { MeshArgs } from "../../sdk/resources/mesh";
import type { ServiceResolverArgs } from "../../sdk/resources/service-resolver";
import type { ConfigEntryArgs } from "../../sdk/resources/config-entry";
const configEntryShapes: [
    Same<Shape<JwtProviderArgs>, Req<JwtProviderInputs>>,
    // Free-form maps (proxy `config`, ConfigEntry's `entry`) do not survive pulumi.Unwrap: keys only for them.
    Same<Shape<Omit<ProxyDefaultsArgs, "config">>, Req<Omit<ProxyDefaultsInputs, "config">>>,
    Same<Shape<MeshArgs>, Req<MeshInputs>>,
    Same<Shape<ServiceResolverArgs>, Req<ServiceResolverInputs>>,
    Same<Shape<Omit<ConfigEntryArgs, "entry">>, Req<Omit<ConfigEntryInputs, "entry">>>,
    KeysMatch<Plain<ConfigEntryArgs>, Required<ConfigEntryInputs>>,
    KeysMatch<Plain<ProxyDefaultsArgs>, Required<ProxyDefaultsInputs>>,
] = [true, true, true, true, true, true, true];
assert.ok(configEntryShapes.every(Boolean));

// Peering, PeeringToken and CaConfiguration, whole shapes too. Peer names are optional to users
// (check defaults them from the datacenters before the schema, which requires them, sees them).
type NamesOptional<T extends { peerName: string }> = Omit<T, "peerName"> & { peerName?: string };
type PeeringDeclared = Omit<PeeringInputs, "peerName" | "acceptor"> & {
    peerName?: string;
    acceptor?: NamesOptional<NonNullable<PeeringInputs["acceptor"]>>;
};
type PeeringTokenDeclared = Omit<PeeringTokenInputs, "peerName" | "dialer"> & {
    peerName?: string;
    dialer?: NamesOptional<NonNullable<PeeringTokenInputs["dialer"]>>;
};
const peeringAndCaShapes: [
    Same<Shape<PeeringArgs>, Req<PeeringDeclared>>,
    Same<Shape<PeeringTokenArgs>, Req<PeeringTokenDeclared>>,
    // `providerConfig` is an open record on both sides, which pulumi.Unwrap does not keep: keys only.
    Same<Shape<Omit<CaConfigurationArgs, "providerConfig">>, Req<Omit<CaConfigurationInputs, "providerConfig">>>,
    Same<Shape<ConsulCaConfigArgs>, Req<ConsulCaConfig>>,
] = [true, true, true, true];
describe("SDK Args and provider inputs of Peering, PeeringToken and CaConfiguration", () => {
    it("have the same shapes (checked at compile time)", () => {
        assert.ok(peeringAndCaShapes.every(Boolean));
    });
});
