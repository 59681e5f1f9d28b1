import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// The fleet: cluster name -> Consul address. The names become the peer names (on dc1 the peering
// with dc2 is called "dc2"), so they follow Consul's peer-name rule. Default: the four local clusters
// of `npm run cluster -- start --count 4`.
const config = new pulumi.Config();
const addresses = config.getObject<Record<string, string>>("clusters") ?? {
    dc1: "127.0.0.1:8500",
    dc2: "127.0.0.1:9500",
    dc3: "127.0.0.1:7500",
    dc4: "127.0.0.1:6500",
};
// One token for every cluster here; give each its own connection.token in a real fleet.
const token = config.getSecret("token");
const clusters = Object.fromEntries(Object.entries(addresses).map(([name, address]) => [name, { address, token }]));
const others = Object.keys(clusters)
    .filter((name) => name !== "dc1")
    .sort();

const fleet = new mesh.PeeringMesh("fleet", {
    clusters,
    // Every cluster peers with every other; the cluster whose name sorts first generates each token.
    topology: "fullMesh",
    exports: {
        // dc1's web may be imported by every other cluster; each other cluster exports its api to dc1.
        dc1: { web: others },
        ...Object.fromEntries(others.map((name) => [name, { api: ["dc1"] }])),
    },
    // dc1's api fails over to the peers' api, dc2 first, then dc3, then dc4.
    failover: { dc1: { api: others } },
});

export const pairs = fleet.pairs;
export const pairKeys = fleet.plan.pairs.map((p) => p.key);
export const failoverOrder = others;
