// Benchmark variant (e): the mesh policy as D consul-mesh ServiceIntentions served by the provider
// plugin (`pulumi-resource-consul-mesh`, found by the engine on PATH) instead of the dynamic-provider
// host: the same provider class as (a), one long-lived plugin process, no `__provider` in state. Uses
// the type token directly. Config: `d`, `changed` (as the other variants); Consul's address comes
// from the stack config `consul-mesh:address` (the default provider's configuration).
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const SOURCES = 10;

class ServiceIntentions extends pulumi.CustomResource {
    constructor(name: string, args: { destination: string; sources: Array<{ name: string; action: string }> }) {
        super("consul-mesh:index:ServiceIntentions", name, args);
    }
}

for (let i = 0; i < d; i++) {
    const destination = `bench-dest-${i}`;
    const sources = Array.from({ length: SOURCES }, (_, j) => ({
        name: `bench-client-${j}`,
        action: changed && j === 0 ? "deny" : "allow",
    }));
    new ServiceIntentions(destination, { destination, sources });
}

export const resources = d;
