import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DC3, freshAclCluster, intentionPairs, stopAclCluster, tokenSelf } from "../support/acl";
import { consul, DC2 } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// The root demo program (Pulumi.yaml + demo/) that `npm start` deploys, run here with the ACL test
// cluster dc3 in the role of the demo's dc1 and the test dc2 as the peer.
describe("the demo stack (root Pulumi.yaml) with the Pulumi CLI", function () {
    this.timeout(600_000);
    const secret = randomUUID();
    const program = new PulumiProgram("demo");

    before(async () => {
        const rootYaml = fs.readFileSync(path.resolve(__dirname, "..", "..", "Pulumi.yaml"), "utf8");
        fs.writeFileSync(
            path.join(program.workDir, "Pulumi.yaml"),
            rootYaml.replace(/^main: .*\n/m, "").replace(/^stackConfigDir: .*\n/m, ""),
        );
        await freshAclCluster();
        await program.init(
            { "consul-mesh-demo:dc1Address": DC3, "consul-mesh-demo:dc2Address": DC2 },
            { "consul-mesh-demo:bootstrapSecret": secret },
        );
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
        await stopAclCluster();
    });

    it("bootstraps ACLs, declares least-privilege tokens, sets the CA, declares the policy and peers the clusters in one up", async () => {
        const up = await program.up();
        assert.ok(!(up.stdout + up.stderr).includes(secret), "the bootstrap secret never shows in the CLI output");
        const outputs = await program.outputs();
        assert.equal((await tokenSelf(secret))?.AccessorID, outputs.bootstrapAccessorId);
        assert.equal(outputs.peeringAcceptorState, "ACTIVE");
        assert.equal(outputs.peeringDialerState, "ACTIVE");
        assert.deepEqual(outputs.policyDestinations, ["*", "api", "db"]);
        // The second "*=>*:deny" is the MeshPolicy default for the peer dc2 (its `*` source; listed without the peer).
        assert.deepEqual(await intentionPairs(secret), [
            "*=>*:deny",
            "*=>*:deny",
            "api=>db:allow",
            "frontend=>api:allow",
            "web=>api:allow",
        ]);
        const roots = (await consul<{ ActiveRootID: string }>("GET", `${DC3}/v1/connect/ca/roots`)).body;
        assert.equal(outputs.caActiveRootId, roots.ActiveRootID);
        // Least-privilege tokens declared in the program: each service's token holds exactly its service
        // identity, the peering's exactly its policy (and the peering works with it); each secret works
        // and none is in plaintext in the state or the CLI output.
        const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : assert.fail(`not a list: ${typeof v}`));
        const serviceSecrets = strings(outputs.serviceTokenSecrets);
        const serviceAccessors = strings(outputs.serviceTokenAccessorIds);
        for (const [i, service] of ["web", "api", "db"].entries()) {
            const token = await tokenSelf(serviceSecrets[i]);
            assert.equal(token?.AccessorID, serviceAccessors[i]);
            assert.deepEqual(token?.ServiceIdentities, [{ ServiceName: service }]);
            assert.deepEqual(token?.Policies ?? [], []);
        }
        const peeringSecret = String(outputs.peeringTokenSecret);
        const peeringToken = await tokenSelf(peeringSecret);
        assert.equal(peeringToken?.AccessorID, outputs.peeringTokenAccessorId);
        assert.deepEqual(
            peeringToken?.Policies?.map((p) => p.Name),
            ["peering-operator"],
        );
        const denied = await consul("PUT", `${DC3}/v1/acl/policy`, { Name: "not-allowed", Rules: "" }, peeringSecret);
        assert.equal(denied.status, 403, "the peering token may not manage ACLs");
        const state = await program.exportState();
        for (const s of [secret, peeringSecret, ...serviceSecrets]) {
            assert.ok(!state.includes(s), "no plaintext token secret in state");
            assert.ok(!(up.stdout + up.stderr).includes(s), "no token secret in the CLI output");
        }
    });

    it("shows the drift of an intention changed by hand (npm run demo:drift) and repairs it", async () => {
        const flipped = await consul("PUT", `${DC3}/v1/connect/intentions/exact?source=web&destination=api`, { Action: "deny" }, secret);
        assert.equal(flipped.status, 200);
        const drift = await program.run(["preview", "--refresh", "--diff"]);
        assert.match(drift.stdout, /dc1-policy-api/);
        await program.up(["--refresh"]);
        assert.ok((await intentionPairs(secret)).includes("web=>api:allow"));
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("destroys everything: no peering left on either side", async () => {
        await program.destroy();
        assert.deepEqual((await consul("GET", `${DC3}/v1/peerings`, undefined, secret)).body, []);
        assert.deepEqual((await consul("GET", `${DC2}/v1/peerings`)).body, []);
    });
});
