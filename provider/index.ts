// Entry point the dynamic-provider host loads (package export "consul-mesh/provider"): one provider
// instance per resource type, keyed by the name the SDK's shim asks for.
import { intentionProvider } from "./resources/intention";
import { serviceDefaultsProvider } from "./resources/service-defaults";
import { serviceIntentionsProvider } from "./resources/service-intentions";

export const providers = {
    Intention: intentionProvider,
    ServiceIntentions: serviceIntentionsProvider,
    ServiceDefaults: serviceDefaultsProvider,
};

export type ProviderKind = keyof typeof providers;
