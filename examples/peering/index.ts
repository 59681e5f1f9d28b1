import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Two clusters, two connections. Unset tokens fall back to the stack config `consul-mesh:token`,
// then to CONSUL_HTTP_TOKEN.
const config = new pulumi.Config();
const dc1 = {
    address: config.get("dc1Address") ?? "127.0.0.1:8500",
    token: config.getSecret("dc1Token"),
};
const dc2 = {
    address: config.get("dc2Address") ?? "127.0.0.1:9500",
    token: config.getSecret("dc2Token"),
};

// dc1 generates the token (acceptor), dc2 establishes (dialer). Each side names the peering after
// the other side's datacenter (asked from its agent): dc1 calls it "dc2", dc2 calls it "dc1".
const peering = new mesh.ClusterPeering("dc1-dc2", {
    acceptor: { connection: dc1, exportedServices: ["api"] },
    dialer: { connection: dc2 },
    // Bump to rotate the peering token; the peering is re-established in the same `pulumi up`.
    tokenVersion: config.get("tokenVersion") ?? "1",
});

// dc2's frontend may call dc1's api: an intention in dc1 whose source lives in the peer "dc2".
const frontendToApi = new mesh.Intention(
    "dc2-frontend-to-api",
    {
        source: "frontend",
        sourcePeer: peering.acceptorPeerName,
        destination: "api",
        action: "allow",
        description: "dc2's frontend calls dc1's api over the peering",
        connection: dc1,
    },
    { dependsOn: [peering] },
);

export const acceptorPeerName = peering.acceptorPeerName;
export const dialerPeerName = peering.dialerPeerName;
export const acceptorState = peering.acceptorState;
export const dialerState = peering.dialerState;
export const remoteDatacenter = peering.peering.remoteDatacenter;
export const peerServerAddresses = peering.peering.peerServerAddresses;
export const intentionId = frontendToApi.id;
