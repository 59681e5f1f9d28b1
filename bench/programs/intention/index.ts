// Benchmark variant (b): the mesh policy as D x 10 consul-mesh Intentions (one per pair). Config:
// `d` (destinations), `changed` (flip source 0 of every destination to deny: 10% of the pairs),
// `order`: `grouped` (default; the ten pairs of a destination one after the other) or `interleaved`
// (source-major: one pair of each destination in turn), to show the writes per destination either way.
// Consul's address comes from the stack config `consul-mesh:address`.
import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const interleaved = (config.get("order") ?? "grouped") === "interleaved";
const SOURCES = 10;

const pairs: Array<[number, number]> = [];
for (let i = 0; i < d; i++) for (let j = 0; j < SOURCES; j++) pairs.push([i, j]);
if (interleaved) pairs.sort(([i1, j1], [i2, j2]) => j1 - j2 || i1 - i2);
for (const [i, j] of pairs) {
    const destination = `bench-dest-${i}`;
    const source = `bench-client-${j}`;
    new mesh.Intention(`${source}-to-${destination}`, {
        source,
        destination,
        action: changed && j === 0 ? "deny" : "allow",
    });
}

export const resources = d * SOURCES;
