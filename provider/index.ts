// Entry point the dynamic-provider host loads (package export "consul-mesh/provider"): one provider
// instance per resource type, keyed by the name the SDK's shim asks for.
import { intentionProvider } from "./resources/intention";

export const providers = {
    Intention: intentionProvider,
};

export type ProviderKind = keyof typeof providers;
