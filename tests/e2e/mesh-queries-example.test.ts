import { strict as assert } from "node:assert";
import { DC3, freshAclCluster, narrowToken, stopAclCluster } from "../support/acl";
import { consul, DC1, DC2 } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// examples/mesh-queries through the real Pulumi CLI: the functions answer from dc1, from dc1 and dc2
// peered in the same program, and from an ACL-enabled dc3 with a least-privilege token.
describe("examples/mesh-queries with the Pulumi CLI", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/mesh-queries");
    let token = "";
    let management = "";

    before(async () => {
        await freshAclCluster();
        const boot = await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`);
        assert.equal(boot.status, 200);
        management = boot.body.SecretID;
        // Only what the program needs in dc3: db's intentions and authorization, web's leaf, ACL status.
        const narrow = await narrowToken(
            management,
            "mesh-queries",
            'service "db" {\n  policy = "write"\n  intentions = "write"\n}\nservice "web" { policy = "write" }\nacl = "read"',
        );
        token = narrow.SecretID;
        await program.init(
            {
                "consul-mesh-mesh-queries:dc1Address": DC1,
                "consul-mesh-mesh-queries:dc2Address": DC2,
                "consul-mesh-mesh-queries:aclAddress": DC3,
            },
            { "consul-mesh-mesh-queries:aclToken": token },
        );
    });
    after(async () => {
        const state = await program.run(["stack", "ls"], { allowFailure: true });
        if (state.code === 0) await program.destroy().catch(() => undefined);
        program.cleanup();
        await stopAclCluster();
    });

    it("answers every question from the real clusters", async () => {
        const up = await program.up();
        const out = await program.outputs();
        const roots = (
            await consul<{ ActiveRootID: string; TrustDomain: string; Roots: { RootCert: string }[] }>("GET", `${DC1}/v1/connect/ca/roots`)
        ).body;
        assert.equal(out.activeRootId, roots.ActiveRootID);
        assert.equal(out.trustDomain, roots.TrustDomain);
        assert.equal(out.caProvider, "consul");
        for (const r of roots.Roots) assert.ok(String(out.trustBundlePem).includes(r.RootCert.trim()));
        assert.equal(out.webMayCallDb, true);
        assert.equal(out.batchMayCallDb, false);
        assert.deepEqual(out.dbIntentions, ["web => db: allow (precedence 9)", "* => db: deny (precedence 8)"]);
        assert.equal(out.dc2AsSeenByDc1, "ACTIVE");
        assert.deepEqual(out.peeringsOfDc2, ["dc1: ACTIVE"]);
        assert.equal(out.webAuthorizedForDb, true);
        assert.match(String(out.authorizationReason), /web => default\/db|Matched L4 intention/);
        assert.match(String(out.webServiceUri), /^spiffe:\/\/[^/]+\/ns\/default\/dc\/dc3\/svc\/web$/);
        assert.equal(out.aclReplicationEnabled, false);

        // Neither the token nor web's private key is in the state or the CLI's output in plaintext.
        const leaf = await consul<{ PrivateKeyPEM: string }>("GET", `${DC3}/v1/agent/connect/ca/leaf/web`, undefined, management);
        const key = leaf.body.PrivateKeyPEM.split("\n")[1];
        const exported = await program.exportState();
        for (const [what, secret] of [
            ["the ACL token", token],
            ["web's private key", key],
        ]) {
            assert.ok(!exported.includes(secret), `${what} in the stack export`);
            assert.ok(!(up.stdout + up.stderr).includes(secret), `${what} in the output of up`);
        }
    });

    it("shows no changes on preview --refresh of the deployed stack", async () => {
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("destroys what it declared: no intentions for db and no peerings left", async () => {
        await program.destroy();
        for (const address of [DC1, DC2]) {
            const peerings = await consul<{ Name: string; State: string }[]>("GET", `${address}/v1/peerings`);
            assert.deepEqual(
                peerings.body.filter((p) => p.State !== "DELETING"),
                [],
            );
        }
        assert.equal((await consul("GET", `${DC1}/v1/config/service-intentions/db`)).status, 404);
        assert.equal((await consul("GET", `${DC3}/v1/config/service-intentions/db`, undefined, management)).status, 404);
    });
});
