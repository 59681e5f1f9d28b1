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
});

export const destinations = policy.destinations;
