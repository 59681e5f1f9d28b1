import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// `count` Intentions (200 in the fault tests) for one destination in one `pulumi up`, or spread
// round-robin over `destinations` destinations (`<destination>-<k>`) so that writes run in parallel.
// `sourcePrefix` (default "caller") names the sources, so that two stacks can share a destination.
// `adopt` (optional) lets a recovery run take over intentions that a killed run wrote but never recorded.
const config = new pulumi.Config();
const count = config.getNumber("count") ?? 200;
const destination = config.require("destination");
const adopt = config.getBoolean("adopt");
const destinations = config.getNumber("destinations") ?? 1;
const prefix = config.get("sourcePrefix") ?? "caller";
const ids = Array.from(
    { length: count },
    (_, i) =>
        new mesh.Intention(`${prefix}-${i}`, {
            source: `${prefix}-${i}`,
            destination: destinations > 1 ? `${destination}-${i % destinations}` : destination,
            action: i % 3 === 0 ? "deny" : "allow",
            ...(adopt === undefined ? {} : { adopt }),
        }).id,
);
export const created = pulumi.all(ids).apply((x) => x.length);
