// The read-side functions against real agents: dc1 (no ACLs) for the CA, intentions and leaf
// certificates; dc1 and dc2 for peerings; a fresh ACL-enabled dc3 for authorization, ACL replication
// and least-privilege tokens. Each answer is compared with what Consul's own HTTP API says.
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as mesh from "../../sdk";
import { DC3, freshAclCluster, narrowToken, stopAclCluster } from "../support/acl";
import { consul, DC1, DC2, uniqueSuffix } from "../support/consul";

/** The value of an Output, and whether it is secret. */
async function unwrap<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((resolve) => o.apply((v) => resolve(v)));
    return { value, secret: await pulumi.isSecret(o) };
}

describe("functions: the read side against real clusters", function () {
    this.timeout(120_000);
    const dc1 = { address: DC1 };

    describe("CA", () => {
        it("getCaRoots returns Consul's active root, trust domain and a trust bundle of every root", async () => {
            const raw = (
                await consul<{ ActiveRootID: string; TrustDomain: string; Roots: { ID: string; RootCert: string }[] }>(
                    "GET",
                    `${DC1}/v1/connect/ca/roots`,
                )
            ).body;
            const roots = await mesh.getCaRoots({ connection: dc1 });
            assert.equal(roots.activeRootId, raw.ActiveRootID);
            assert.equal(roots.trustDomain, raw.TrustDomain);
            assert.deepEqual(roots.roots.map((r) => r.id).sort(), raw.Roots.map((r) => r.ID).sort());
            const active = roots.roots.find((r) => r.active);
            assert.equal(active?.id, raw.ActiveRootID);
            assert.match(roots.activeRootCertPem, /^-----BEGIN CERTIFICATE-----/);
            for (const r of raw.Roots) assert.ok(roots.trustBundlePem.includes(r.RootCert.trim()));
            assert.ok(Date.parse(active.notAfter) > Date.now());
        });

        it("getCaConfiguration returns the provider and its settings, credentials only as a secret", async () => {
            const ca = await mesh.getCaConfiguration({ connection: dc1 });
            assert.equal(ca.provider, "consul");
            assert.equal(typeof ca.config.LeafCertTTL, "string");
            for (const key of ca.credentialKeys) assert.ok(!(key in ca.config), `${key} kept out of config`);
            const credentials = await unwrap(ca.credentials);
            assert.equal(credentials.secret, true);
            assert.deepEqual(Object.keys(credentials.value).sort(), ca.credentialKeys);
            // The Output form is secret as a whole.
            assert.equal((await unwrap(mesh.getCaConfigurationOutput({ connection: dc1 }))).secret, true);
        });

        it("getLeafCertificate returns a leaf for the service signed by the active root, its key only as a secret", async () => {
            const service = `web-${uniqueSuffix()}`;
            const leaf = await mesh.getLeafCertificate({ service, connection: dc1 });
            const roots = await mesh.getCaRoots({ connection: dc1 });
            assert.equal(leaf.service, service);
            assert.equal(leaf.serviceUri, `spiffe://${roots.trustDomain}/ns/default/dc/dc1/svc/${service}`);
            assert.match(leaf.certPem, /^-----BEGIN CERTIFICATE-----/);
            const key = await unwrap(leaf.privateKeyPem);
            assert.equal(key.secret, true);
            assert.match(key.value, /PRIVATE KEY-----/);
            const output = await unwrap(mesh.getLeafCertificateOutput({ service, connection: pulumi.output(dc1) }));
            assert.equal(output.secret, true);
            assert.equal(output.value.serialNumber, leaf.serialNumber, "the agent's cached leaf");
        });

        it("refuses a bad service name before any request, naming the function and the argument", async () => {
            await assert.rejects(
                mesh.getLeafCertificate({ service: "we b", connection: { address: "http://127.0.0.1:1" } }),
                (err: Error) => {
                    assert.match(err.message, /^getLeafCertificate: service: service must be a service name/);
                    return true;
                },
            );
        });
    });

    describe("intentions", () => {
        const destination = `db-${uniqueSuffix()}`;
        before(async () => {
            const put = await consul("PUT", `${DC1}/v1/config`, {
                Kind: "service-intentions",
                Name: destination,
                Sources: [
                    { Name: "web", Action: "allow" },
                    { Name: "*", Action: "deny" },
                    { Name: "api", Peer: "dc2", Action: "allow" },
                    { Name: "*", Peer: "dc2", Action: "deny" },
                ],
            });
            assert.equal(put.status, 200);
        });
        after(() => consul("DELETE", `${DC1}/v1/config/service-intentions/${destination}`));

        it("checkIntention gives Consul's own decision for local sources: exact allow, wildcard deny", async () => {
            assert.deepEqual(await mesh.checkIntention({ source: "web", destination, connection: dc1 }), {
                allowed: true,
                decidedBy: "consul",
            });
            assert.deepEqual(await mesh.checkIntention({ source: "batch", destination, connection: dc1 }), {
                allowed: false,
                decidedBy: "consul",
            });
            // With no intention at all for the destination, the cluster default (ACLs off: allow).
            assert.equal(
                (await mesh.checkIntention({ source: "web", destination: `none-${uniqueSuffix()}`, connection: dc1 })).allowed,
                true,
            );
        });

        it("checkIntention evaluates a peer's source with Consul's precedence (the endpoint takes no peers)", async () => {
            const allowed = await mesh.checkIntention({ source: "api", sourcePeer: "dc2", destination, connection: dc1 });
            assert.equal(allowed.allowed, true);
            assert.equal(allowed.decidedBy, "evaluation");
            assert.equal(allowed.intention?.source, "api");
            const denied = await mesh.checkIntention({ source: "web", sourcePeer: "dc2", destination, connection: dc1 });
            assert.equal(denied.allowed, false, "the peer's wildcard deny, not the local exact allow");
            assert.equal(denied.intention?.source, "*");
            const other = await mesh.checkIntention({ source: "web", sourcePeer: "dc9", destination, connection: dc1 });
            assert.equal(other.allowed, true, "no intention for that peer: the default");
            assert.equal(other.intention, undefined);
            assert.match(other.reason ?? "", /no intention matches: the cluster's default \(allow\)/);
        });

        it("matchIntentions lists what applies in Consul's precedence order", async () => {
            const { intentions } = await mesh.matchIntentions({ by: "destination", name: destination, connection: dc1 });
            const raw = (
                await consul<Record<string, { SourceName: string; SourcePeer?: string; Precedence: number }[]>>(
                    "GET",
                    `${DC1}/v1/connect/intentions/match?by=destination&name=${destination}`,
                )
            ).body[destination];
            assert.deepEqual(
                intentions.map((i) => `${i.sourcePeer ?? ""}/${i.source}:${i.precedence}`),
                raw.map((i) => `${i.SourcePeer ?? ""}/${i.SourceName}:${i.Precedence}`),
            );
            assert.equal(intentions.length, 4);
            const precedences = intentions.map((i) => i.precedence);
            assert.deepEqual(
                precedences,
                [...precedences].sort((a, b) => b - a),
            );
            assert.ok(intentions.every((i) => i.destination === destination && i.permissions.length === 0 && i.action));
            const bySource = await mesh.matchIntentions({ by: "source", name: "web", connection: dc1 });
            assert.ok(bySource.intentions.some((i) => i.destination === destination && i.source === "web"));
        });

        it("passes namespace and partition to Consul, which Community Edition refuses with its own message", async () => {
            await assert.rejects(
                mesh.checkIntention({ source: "web", destination, namespace: "team-a", connection: dc1 }),
                /400 Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature/,
            );
            await assert.rejects(
                mesh.matchIntentions({ by: "destination", name: destination, partition: "p1", connection: dc1 }),
                /400 Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature/,
            );
        });

        it("refuses a wrong `by` before any request", async () => {
            await assert.rejects(
                mesh.matchIntentions({ by: "service" as "source", name: "db", connection: dc1 }),
                /^Error: matchIntentions: by: by must be "source" or "destination"/,
            );
        });
    });

    describe("peerings", () => {
        const peer = `p-${uniqueSuffix()}`;
        before(async () => {
            const token = await consul<{ PeeringToken: string }>("POST", `${DC1}/v1/peering/token`, {
                PeerName: peer,
                Meta: { team: "mesh" },
            });
            assert.equal(token.status, 200);
        });
        after(() => consul("DELETE", `${DC1}/v1/peering/${peer}`));

        it("getPeering and getPeerings return the peering's state and identity, never a token", async () => {
            const one = await mesh.getPeering({ name: peer, connection: dc1 });
            assert.equal(one.name, peer);
            assert.equal(one.state, "PENDING");
            assert.deepEqual(one.meta, { team: "mesh" });
            assert.deepEqual(one.importedServices, []);
            const { peerings } = await mesh.getPeerings({ connection: dc1 });
            assert.deepEqual(
                peerings.find((p) => p.name === peer),
                one,
            );
            assert.ok(!JSON.stringify(peerings).includes("PeeringToken"));
            assert.deepEqual(
                (await mesh.getPeerings({ connection: { address: DC2 } })).peerings.filter((p) => p.name === peer),
                [],
            );
        });

        it("getPeering fails clearly for a name the cluster does not have", async () => {
            await assert.rejects(mesh.getPeering({ name: "nobody", connection: dc1 }), /has no peering named "nobody"/);
        });
    });

    describe("ACL cluster (least-privilege tokens)", () => {
        let management = "";
        before(async () => {
            await freshAclCluster();
            const boot = await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`);
            assert.equal(boot.status, 200);
            management = boot.body.SecretID;
        });
        after(() => stopAclCluster());

        it("authorize returns Consul's decision and reason for a client certificate, with a service:write token", async () => {
            const put = await consul(
                "PUT",
                `${DC3}/v1/config`,
                { Kind: "service-intentions", Name: "db", Sources: [{ Name: "web", Action: "allow" }] },
                management,
            );
            assert.equal(put.status, 200);
            const web = await narrowToken(management, `web-${uniqueSuffix()}`, 'service "web" { policy = "write" }');
            const db = await narrowToken(management, `db-${uniqueSuffix()}`, 'service "db" { policy = "write" }');
            const leaf = await mesh.getLeafCertificate({ service: "web", connection: { address: DC3, token: web.SecretID } });
            const args = { target: "db", clientCertUri: leaf.serviceUri, clientCertSerial: leaf.serialNumber };
            const ok = await mesh.authorize({ ...args, connection: { address: DC3, token: db.SecretID } });
            assert.equal(ok.authorized, true);
            assert.match(ok.reason, /web => default\/db|web =>/);
            const denied = await mesh.authorize({ ...args, target: "cache", connection: { address: DC3, token: management } });
            assert.equal(denied.authorized, false, "default deny: no intention to cache");
            // The web token may not ask about db: Consul's 403, without the secret in the message.
            await assert.rejects(mesh.authorize({ ...args, connection: { address: DC3, token: web.SecretID } }), (err: Error) => {
                assert.match(err.message, /403/);
                assert.ok(!err.message.includes(web.SecretID));
                return true;
            });
        });

        it("getAclReplication reports a primary datacenter (not replicating) and a cluster without ACLs", async () => {
            const primary = await mesh.getAclReplication({ connection: { address: DC3, token: management } });
            assert.equal(primary.aclsEnabled, true);
            assert.equal(primary.enabled, false);
            assert.equal(primary.running, false);
            assert.equal(primary.lastSuccess, undefined);
            assert.deepEqual(await mesh.getAclReplication({ connection: dc1 }), {
                aclsEnabled: false,
                enabled: false,
                running: false,
                replicatedIndex: 0,
                replicatedRoleIndex: 0,
                replicatedTokenIndex: 0,
            });
        });

        it("getCaConfiguration keeps a configured private key out of plaintext (reading it takes operator:write)", async () => {
            const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
            const pem = privateKey.export({ type: "sec1", format: "pem" }).toString();
            const put = await consul(
                "PUT",
                `${DC3}/v1/connect/ca/configuration`,
                { Provider: "consul", Config: { PrivateKey: pem, LeafCertTTL: "72h" } },
                management,
            );
            assert.equal(put.status, 200, JSON.stringify(put.body));
            const operator = await narrowToken(management, `operator-${uniqueSuffix()}`, 'operator = "write"');
            const ca = await mesh.getCaConfiguration({ connection: { address: DC3, token: operator.SecretID } });
            assert.deepEqual(ca.credentialKeys, ["PrivateKey"]);
            assert.equal(ca.config.LeafCertTTL, "72h");
            assert.ok(!("PrivateKey" in ca.config));
            const credentials = await unwrap(ca.credentials);
            assert.equal(credentials.secret, true);
            assert.equal(credentials.value.PrivateKey, pem);
            const output = await unwrap(mesh.getCaConfigurationOutput({ connection: { address: DC3, token: operator.SecretID } }));
            assert.equal(output.secret, true);
        });

        it("checkIntention takes the default from the cluster: ACL default deny", async () => {
            const reader = await narrowToken(
                management,
                `reader-${uniqueSuffix()}`,
                'service_prefix "" { policy = "read" }\nagent_prefix "" { policy = "read" }',
            );
            const connection = { address: DC3, token: reader.SecretID };
            assert.equal((await mesh.checkIntention({ source: "x", destination: "nothing-here", connection })).allowed, false);
            const peer = await mesh.checkIntention({ source: "x", sourcePeer: "dc2", destination: "nothing-here", connection });
            assert.equal(peer.allowed, false);
            assert.equal(peer.decidedBy, "evaluation");
            assert.match(peer.reason ?? "", /the cluster's default \(deny\)/);
        });
    });
});
