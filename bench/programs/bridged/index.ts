// Benchmark variant (c): the mesh policy as D ConfigEntryServiceIntentions of the bridged
// (Terraform-based) consul provider, 10 sources each. Uses the resource and provider type tokens
// directly, so no @pulumi/consul npm package is needed: only the `pulumi-resource-consul` plugin,
// found by the engine on PATH. Config: `d`, `changed` (as the other variants), `address`
// (host:port of Consul over plain HTTP).
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const SOURCES = 10;

class ConsulProvider extends pulumi.ProviderResource {
    constructor(name: string, args: { address: string; scheme: string }) {
        super("consul", name, args);
    }
}

class ConfigEntryServiceIntentions extends pulumi.CustomResource {
    constructor(
        name: string,
        args: { name: string; sources: Array<{ name: string; action: string; precedence: number }> },
        opts: pulumi.CustomResourceOptions,
    ) {
        super("consul:index/configEntryServiceIntentions:ConfigEntryServiceIntentions", name, args, opts);
    }
}

const provider = new ConsulProvider("bench-consul", { address: config.require("address"), scheme: "http" });

for (let i = 0; i < d; i++) {
    const name = `bench-dest-${i}`;
    const sources = Array.from({ length: SOURCES }, (_, j) => ({
        name: `bench-client-${j}`,
        action: changed && j === 0 ? "deny" : "allow",
        // Consul computes the precedence (9 for exact -> exact) but the bridged schema has it as an
        // input: left out, every preview plans to remove it (a perpetual diff), so it is declared.
        precedence: 9,
    }));
    new ConfigEntryServiceIntentions(name, { name, sources }, { provider });
}

export const resources = d;
