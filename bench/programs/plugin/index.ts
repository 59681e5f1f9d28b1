// Benchmark variant (e): the mesh policy as D ServiceIntentions of consul-mesh's provider plugin
// (issue 28), 10 sources each: the same inputs as variant (a), through the type token
// consul-mesh:index:ServiceIntentions instead of a dynamic provider. Uses the token directly, so no
// generated SDK is needed: only the `pulumi-resource-consul-mesh` plugin, found by the engine on PATH
// (the bench puts --plugin's folder, or bench/.bin, first). The default provider takes Consul's
// address from the stack config `consul-mesh:address`, as (a) does. Config: `d`, `changed`.
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
