import * as mesh from "consul-mesh";

// A whole mesh policy in one place: deny by default, then who may call whom.
const policy = new mesh.MeshPolicy("shop", {
    defaultAction: "deny",
    allow: {
        web: ["api"],
        api: ["db", "cache"],
    },
    deny: {
        web: ["db"],
    },
    peers: {
        // dc2's frontend reaches our api through a cluster peering named "dc2".
        dc2: { allow: { frontend: ["api"] } },
    },
    // What must hold once the policy is written, proven by Consul: `up` fails naming any expectation
    // that does not hold, and `pulumi preview --refresh` reports one that a hand edit has broken.
    expect: [
        { from: "web", to: "api", expect: "allow" },
        { from: "web", to: "db", expect: "deny" },
        { from: "api", to: "db", expect: "allow" },
        // No rule for batch: the `*` default denies it.
        { from: "batch", to: "db", expect: "deny" },
        // A peer's service and an HTTP request: evaluated from the intentions Consul matches.
        { from: "frontend", fromPeer: "dc2", to: "api", expect: "allow" },
        { from: "frontend", fromPeer: "dc2", to: "db", expect: "deny" },
        { from: "web", to: "api", path: "/admin", method: "POST", expect: "allow" },
    ],
});

export const destinations = policy.destinations;
export const violations = policy.violations;
