// Benchmark variants (e) and (f): the mesh policy through the consul-mesh provider plugin
// (`pulumi-resource-consul-mesh`, found by the engine on PATH) instead of the dynamic-provider host:
// the same provider classes as (a) and (b), one long-lived plugin process, no `__provider` in state.
// Uses the type tokens directly. Config: `d`, `changed` (as the other variants) and `shape`:
// `entries` (e: D ServiceIntentions) or `pairs` (f: D x 10 Intentions, grouped by destination).
// Consul's address comes from the stack config `consul-mesh:address` (the default provider's configuration).
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const pairs = (config.get("shape") ?? "entries") === "pairs";
const SOURCES = 10;

class ServiceIntentions extends pulumi.CustomResource {
    constructor(name: string, args: { destination: string; sources: Array<{ name: string; action: string }> }) {
        super("consul-mesh:index:ServiceIntentions", name, args);
    }
}

class Intention extends pulumi.CustomResource {
    constructor(name: string, args: { source: string; destination: string; action: string }) {
        super("consul-mesh:index:Intention", name, args);
    }
}

const action = (j: number) => (changed && j === 0 ? "deny" : "allow");
for (let i = 0; i < d; i++) {
    const destination = `bench-dest-${i}`;
    if (pairs) {
        for (let j = 0; j < SOURCES; j++) {
            const source = `bench-client-${j}`;
            new Intention(`${source}-to-${destination}`, { source, destination, action: action(j) });
        }
    } else {
        const sources = Array.from({ length: SOURCES }, (_, j) => ({ name: `bench-client-${j}`, action: action(j) }));
        new ServiceIntentions(destination, { destination, sources });
    }
}

export const resources = pairs ? d * SOURCES : d;
