// Benchmark variant (a): the mesh policy as D consul-mesh ServiceIntentions (one per destination,
// 10 sources each). Config: `d` (destinations), `changed` (flip source 0 of every destination to
// deny: 10% of the pairs). Consul's address comes from the stack config `consul-mesh:address`.
import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const SOURCES = 10;

for (let i = 0; i < d; i++) {
    const destination = `bench-dest-${i}`;
    const sources: mesh.IntentionSource[] = Array.from({ length: SOURCES }, (_, j) => ({
        name: `bench-client-${j}`,
        action: changed && j === 0 ? "deny" : "allow",
    }));
    new mesh.ServiceIntentions(destination, { destination, sources });
}

export const resources = d;
