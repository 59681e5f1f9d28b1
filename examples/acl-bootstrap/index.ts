import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// A fresh Consul cluster with ACLs on (default deny) and no token yet: bootstrap it, then manage its
// mesh with the management token that bootstrap returns, all in one `pulumi up`.
//   pulumi config set address http://127.0.0.1:7500
//   uuidgen | pulumi config set --secret bootstrapSecret   # recommended: makes re-runs adopt
const config = new pulumi.Config();
const address = config.require("address");

const boot = new mesh.AclBootstrap("bootstrap", {
    bootstrapSecret: config.getSecret("bootstrapSecret"),
    connection: { address },
});

// Everything else authenticates with the bootstrap token (a secret output: it stays encrypted in
// state and masked in the CLI's output). Using it also orders these after the bootstrap.
const connection = { address, token: boot.secretId };

const intentions = [
    new mesh.Intention("web-to-api", { source: "web", destination: "api", action: "allow", connection, adopt: true }),
    new mesh.Intention("api-to-db", { source: "api", destination: "db", action: "allow", connection, adopt: true }),
    new mesh.Intention("web-to-db", {
        source: "web",
        destination: "db",
        action: "deny",
        description: "the storefront never talks to the database directly",
        connection,
        // adopt: re-running this program from a fresh stack (lost state, same bootstrapSecret) takes
        // the intentions over instead of failing on "already exists".
        adopt: true,
    }),
];

// The Connect CA configuration of the cluster (one per cluster; delete forgets it).
const ca = new mesh.CaConfiguration("connect-ca", {
    provider: "consul",
    config: { leafCertTtl: "72h", intermediateCertTtl: "8760h" },
    connection,
});

// The acceptor side of a cluster peering: a token for the peer "dc1" to dial this cluster with.
const peeringToken = new mesh.PeeringToken("dc1-peer", { peerName: "dc1", connection });

export const bootstrapAccessorId = boot.accessorId;
export const bootstrapSecretId = boot.secretId; // secret: `pulumi stack output --show-secrets` to see it
export const bootstrapPolicies = boot.policies.apply((ps) => ps.map((p) => p.name));
export const intentionIds = intentions.map((i) => i.id);
export const activeRootId = ca.activeRootId;
export const peeringTokenForDc1 = peeringToken.peeringToken; // secret
