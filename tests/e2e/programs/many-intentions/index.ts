import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// N Intentions for one destination in one `pulumi up` (written in parallel by the engine).
const config = new pulumi.Config();
const count = config.requireNumber("count");
const destination = config.require("destination");
const ids = Array.from(
    { length: count },
    (_, i) => new mesh.Intention(`caller-${i}`, { source: `caller-${i}`, destination, action: i % 3 === 0 ? "deny" : "allow" }).id,
);
export const created = pulumi.all(ids).apply((x) => x.length);
