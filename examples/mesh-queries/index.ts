import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// The read side of the mesh: functions answer questions about Consul from the program, at preview
// as at update, the way data sources do. Outputs of resources can feed them (they then run once the
// resource exists), and what they return can feed resources or stack outputs.
const config = new pulumi.Config();
const dc1 = { address: config.get("dc1Address") ?? "127.0.0.1:8500" };
const dc2 = { address: config.get("dc2Address") ?? "127.0.0.1:9500" };
// An ACL-enabled cluster and a least-privilege token for it: `service:write` on `db` (to ask
// Consul's authorization for db) and `acl:read` (for the replication status).
const acl = { address: config.get("aclAddress") ?? "127.0.0.1:7500", token: config.requireSecret("aclToken") };

// The trust bundle for gateways and external systems.
const roots = mesh.getCaRootsOutput({ connection: dc1 });
export const trustDomain = roots.trustDomain;
export const activeRootId = roots.activeRootId;
export const trustBundlePem = roots.trustBundlePem;
// The CA provider and its settings (the Output is secret as a whole: it carries the credentials).
export const caProvider = mesh.getCaConfigurationOutput({ connection: dc1 }).provider;

// db accepts web and nothing else; the questions below run once this entry is written.
const db = new mesh.ServiceIntentions("db", {
    destination: "db",
    sources: [
        { name: "web", action: "allow" },
        { name: "*", action: "deny" },
    ],
    connection: dc1,
});
export const webMayCallDb = mesh.checkIntentionOutput({ source: "web", destination: db.destination, connection: dc1 }).allowed;
export const batchMayCallDb = mesh.checkIntentionOutput({ source: "batch", destination: db.destination, connection: dc1 }).allowed;
export const dbIntentions = mesh
    .matchIntentionsOutput({ by: "destination", name: db.destination, connection: dc1 })
    .intentions.apply((list) => list.map((i) => `${i.source} => ${i.destination}: ${i.action ?? "L7"} (precedence ${i.precedence})`));

// dc1 and dc2 peered; the peering's state as each side sees it.
const peering = new mesh.ClusterPeering("dc1-dc2", { acceptor: { connection: dc1 }, dialer: { connection: dc2 } });
// Asked once the dialer has established (the acceptor's side is ACTIVE by then).
const peerName = pulumi.all([peering.acceptorPeerName, peering.acceptorState]).apply(([name]) => name);
export const dc2AsSeenByDc1 = mesh.getPeeringOutput({ name: peerName, connection: dc1 }).state;
// The Promise form inside an apply: asked once dc2's side of the peering is up.
export const peeringsOfDc2 = peering.dialerState.apply(async () =>
    (await mesh.getPeerings({ connection: dc2 })).peerings.map((p) => `${p.name}: ${p.state}`),
);

// In the ACL cluster: web's leaf certificate (its private key stays a secret), and whether Consul
// would let that certificate call db, asked with a token that may do only that.
const aclDb = new mesh.ServiceIntentions("acl-db", { destination: "db", sources: [{ name: "web", action: "allow" }], connection: acl });
const leaf = mesh.getLeafCertificateOutput({ service: "web", connection: acl });
const decision = mesh.authorizeOutput({
    target: aclDb.destination,
    clientCertUri: leaf.serviceUri,
    clientCertSerial: leaf.serialNumber,
    connection: acl,
});
export const webAuthorizedForDb = decision.authorized;
export const authorizationReason = decision.reason;
export const webServiceUri = leaf.serviceUri;
export const aclReplicationEnabled = mesh.getAclReplicationOutput({ connection: acl }).enabled;
