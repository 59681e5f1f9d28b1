// The demo stack `npm start` deploys on the local clusters: dc1 (ACLs on, default deny) and dc2.
// One program takes dc1 from "ACLs on, nobody has a token" to a locked-down, peered mesh: ACLs in
// default-deny, least-privilege tokens for the services and the peering, the CA, the mesh policy.
import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

const config = new pulumi.Config();
// The local clusters `npm start` runs (moved by CONSUL_MESH_PORT_OFFSET, as scripts/cluster.ts moves them).
const offset = Number(process.env.CONSUL_MESH_PORT_OFFSET ?? "0");
const dc1Address = config.get("dc1Address") ?? `http://127.0.0.1:${8500 + offset}`;
const dc2Address = config.get("dc2Address") ?? `http://127.0.0.1:${9500 + offset}`;

// 1. Bootstrap ACLs on dc1. The secret is chosen up front, so re-runs and fresh stacks adopt the
//    token instead of failing: the secret stack config `bootstrapSecret`, or else the environment
//    variable CONSUL_MESH_DEMO_BOOTSTRAP_SECRET (npm start keeps a random UUID in the git-ignored
//    .consul-mesh/demo-bootstrap-secret and passes it that way, so no tracked file changes).
const fromEnv = process.env.CONSUL_MESH_DEMO_BOOTSTRAP_SECRET;
const bootstrapSecret = config.getSecret("bootstrapSecret") ?? (fromEnv ? pulumi.secret(fromEnv) : undefined);
if (!bootstrapSecret) {
    throw new Error(
        "set the secret config bootstrapSecret from standard input (uuidgen | pulumi config set --secret bootstrapSecret) or CONSUL_MESH_DEMO_BOOTSTRAP_SECRET",
    );
}
const boot = new mesh.AclBootstrap("dc1-acl", {
    bootstrapSecret,
    connection: { address: dc1Address },
});
const dc1 = { address: dc1Address, token: boot.secretId };
const dc2 = { address: dc2Address };

// 2. The Connect CA of dc1: TTLs as code (changing them never rotates the root).
const ca = new mesh.CaConfiguration("dc1-ca", {
    provider: "consul",
    config: { leafCertTtl: "72h", intermediateCertTtl: "8760h" },
    connection: dc1,
});

// 3. Least-privilege tokens, declared here rather than made by hand: one per service (a service
//    identity: register itself and its sidecar, discover the others) and one for the peering, which
//    may manage peerings and the exported services and read what it needs, nothing else.
const serviceTokens = ["web", "api", "db"].map(
    (service) =>
        new mesh.AclToken(`dc1-${service}-token`, {
            description: `${service} service and its sidecar`,
            serviceIdentities: [{ serviceName: service }],
            connection: dc1,
        }),
);
const peeringPolicy = new mesh.AclPolicy("dc1-peering-policy", {
    name: "peering-operator",
    description: "cluster peering of dc1: peerings, exported services",
    rules: ['peering = "write"', 'mesh = "write"', 'agent_prefix "" { policy = "read" }'].join("\n"),
    connection: dc1,
});
const peeringAclToken = new mesh.AclToken("dc1-peering-token", {
    description: "cluster peering of dc1 (consul-mesh demo)",
    policies: [peeringPolicy.name],
    connection: dc1,
});

// 4. Peer dc1 (acceptor, with the peering token only) with dc2 (dialer) and export dc1's api to dc2.
const peering = new mesh.ClusterPeering(
    "dc1-dc2",
    {
        acceptor: { connection: { address: dc1Address, token: peeringAclToken.secretId }, exportedServices: ["api"] },
        dialer: { connection: dc2 },
    },
    { dependsOn: [ca] },
);

// 5. The mesh policy of dc1: deny by default; web -> api -> db; and dc2's frontend -> api.
const policy = new mesh.MeshPolicy("dc1-policy", {
    defaultAction: "deny",
    allow: { web: ["api"], api: ["db"] },
    peers: { dc2: { allow: { frontend: ["api"] } } },
    connection: dc1,
});

export const bootstrapAccessorId = boot.accessorId;
export const bootstrapSecretId = boot.secretId;
export const caActiveRootId = ca.activeRootId;
export const caTrustDomain = ca.trustDomain;
export const policyDestinations = policy.destinations;
export const peeringAcceptorState = peering.acceptorState;
export const peeringDialerState = peering.dialerState;
export const serviceTokenAccessorIds = serviceTokens.map((t) => t.accessorId);
/** The services' token secrets (a secret output: `pulumi stack output --show-secrets serviceTokenSecrets`). */
export const serviceTokenSecrets = serviceTokens.map((t) => t.secretId);
export const peeringTokenAccessorId = peeringAclToken.accessorId;
export const peeringTokenSecret = peeringAclToken.secretId;
