// Benchmark variant (b): the mesh policy as D x 10 consul-mesh Intentions (one per pair). Config:
// `d` (destinations), `changed` (flip source 0 of every destination to deny: 10% of the pairs).
// Consul's address comes from the stack config `consul-mesh:address`.
import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const SOURCES = 10;

for (let i = 0; i < d; i++) {
    const destination = `bench-dest-${i}`;
    for (let j = 0; j < SOURCES; j++) {
        const source = `bench-client-${j}`;
        new mesh.Intention(`${source}-to-${destination}`, {
            source,
            destination,
            action: changed && j === 0 ? "deny" : "allow",
        });
    }
}

export const resources = d * SOURCES;
