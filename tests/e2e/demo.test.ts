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

    it("bootstraps ACLs, sets the CA, declares the policy and peers the clusters in one up", async () => {
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
        const state = await program.exportState();
        assert.ok(!state.includes(secret), "no plaintext bootstrap secret in state");
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
