// Entry point the dynamic-provider host loads (package export "consul-mesh/provider"): one provider
// instance per resource type, keyed by the name the SDK's shim asks for. Each kind's module is
// loaded on first use (a getter), so a provider process loads only the kinds its program uses.
// States written before the per-kind shim call `require("consul-mesh/provider").providers[kind]`
// too: keep the keys. A new kind is one getter here.

/** The module at `path` (relative to this file), typed by the caller with `typeof import(path)`. */
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-return -- lazy load, typed by the caller
const load = <T>(path: string): T => require(path);

export const providers = {
    get Intention() {
        return load<typeof import("./resources/intention")>("./resources/intention").intentionProvider;
    },
    get PeeringToken() {
        return load<typeof import("./resources/peering-token")>("./resources/peering-token").peeringTokenProvider;
    },
    get Peering() {
        return load<typeof import("./resources/peering")>("./resources/peering").peeringProvider;
    },
    get ExportedServices() {
        return load<typeof import("./resources/exported-services")>("./resources/exported-services").exportedServicesProvider;
    },
    get AclBootstrap() {
        return load<typeof import("./resources/acl-bootstrap")>("./resources/acl-bootstrap").aclBootstrapProvider;
    },
    get ServiceIntentions() {
        return load<typeof import("./resources/service-intentions")>("./resources/service-intentions").serviceIntentionsProvider;
    },
    get ServiceDefaults() {
        return load<typeof import("./resources/service-defaults")>("./resources/service-defaults").serviceDefaultsProvider;
    },
    get CaConfiguration() {
        return load<typeof import("./resources/ca-configuration")>("./resources/ca-configuration").caConfigurationProvider;
    },
    get IntentionAssertions() {
        return load<typeof import("./resources/intention-assertions")>("./resources/intention-assertions").intentionAssertionsProvider;
    },
    get AclPolicy() {
        return load<typeof import("./resources/acl-policy")>("./resources/acl-policy").aclPolicyProvider;
    },
    get AclRole() {
        return load<typeof import("./resources/acl-role")>("./resources/acl-role").aclRoleProvider;
    },
    get AclToken() {
        return load<typeof import("./resources/acl-token")>("./resources/acl-token").aclTokenProvider;
    },
    get AclAuthMethod() {
        return load<typeof import("./resources/acl-auth-method")>("./resources/acl-auth-method").aclAuthMethodProvider;
    },
    get AclBindingRule() {
        return load<typeof import("./resources/acl-binding-rule")>("./resources/acl-binding-rule").aclBindingRuleProvider;
    },
    get JwtProvider() {
        return load<typeof import("./resources/jwt-provider")>("./resources/jwt-provider").jwtProviderProvider;
    },
    get ProxyDefaults() {
        return load<typeof import("./resources/proxy-defaults")>("./resources/proxy-defaults").proxyDefaultsProvider;
    },
    get Mesh() {
        return load<typeof import("./resources/mesh")>("./resources/mesh").meshProvider;
    },
    get ServiceResolver() {
        return load<typeof import("./resources/service-resolver")>("./resources/service-resolver").serviceResolverProvider;
    },
    get ConfigEntry() {
        return load<typeof import("./resources/config-entry")>("./resources/config-entry").configEntryProvider;
    },
};

export type ProviderKind = keyof typeof providers;
