// The demo stack `npm start` deploys to the local dc1 cluster: a small mesh policy of intentions.
import * as mesh from "consul-mesh";

const connection = { address: "http://127.0.0.1:8500" };

// Default deny for everything, then the allowed paths of a three-tier app.
const defaultDeny = new mesh.Intention("default-deny", {
    source: "*",
    destination: "*",
    action: "deny",
    description: "zero trust: nothing talks unless allowed below",
    connection,
});

const allowed: Array<[string, string]> = [
    ["web", "api"],
    ["api", "db"],
    ["api", "cache"],
];
const intentions = allowed.map(
    ([source, destination]) =>
        new mesh.Intention(`${source}-to-${destination}`, { source, destination, action: "allow", connection }),
);

export const defaultAction = defaultDeny.action;
export const allowedPairs = intentions.map((i) => i.id);
