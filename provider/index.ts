// Entry point the dynamic-provider host loads (package export "consul-mesh/provider"): one provider
// instance per resource type, keyed by the name the SDK's shim asks for.
import { aclBootstrapProvider } from "./resources/acl-bootstrap";
import { caConfigurationProvider } from "./resources/ca-configuration";
import { intentionProvider } from "./resources/intention";
import { intentionAssertionsProvider } from "./resources/intention-assertions";
import { exportedServicesProvider } from "./resources/exported-services";
import { peeringProvider } from "./resources/peering";
import { peeringTokenProvider } from "./resources/peering-token";
import { serviceDefaultsProvider } from "./resources/service-defaults";
import { serviceIntentionsProvider } from "./resources/service-intentions";
import { aclPolicyProvider } from "./resources/acl-policy";
import { aclRoleProvider } from "./resources/acl-role";
import { aclTokenProvider } from "./resources/acl-token";
import { aclAuthMethodProvider } from "./resources/acl-auth-method";
import { aclBindingRuleProvider } from "./resources/acl-binding-rule";
import { jwtProviderProvider } from "./resources/jwt-provider";
import { proxyDefaultsProvider } from "./resources/proxy-defaults";
import { meshProvider } from "./resources/mesh";
import { serviceResolverProvider } from "./resources/service-resolver";
import { configEntryProvider } from "./resources/config-entry";

export const providers = {
    Intention: intentionProvider,
    PeeringToken: peeringTokenProvider,
    Peering: peeringProvider,
    ExportedServices: exportedServicesProvider,
    AclBootstrap: aclBootstrapProvider,
    ServiceIntentions: serviceIntentionsProvider,
    ServiceDefaults: serviceDefaultsProvider,
    CaConfiguration: caConfigurationProvider,
    IntentionAssertions: intentionAssertionsProvider,
    AclPolicy: aclPolicyProvider,
    AclRole: aclRoleProvider,
    AclToken: aclTokenProvider,
    AclAuthMethod: aclAuthMethodProvider,
    AclBindingRule: aclBindingRuleProvider,
    JwtProvider: jwtProviderProvider,
    ProxyDefaults: proxyDefaultsProvider,
    Mesh: meshProvider,
    ServiceResolver: serviceResolverProvider,
    ConfigEntry: configEntryProvider,
};

export type ProviderKind = keyof typeof providers;
