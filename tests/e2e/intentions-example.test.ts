import { strict as assert } from "node:assert";
import { z } from "zod";
import { consul, DC1, listIntentions } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// examples/intentions through the real Pulumi CLI against the real dc1 agent.
describe("examples/intentions with the Pulumi CLI", function () {
    this.timeout(300_000);
    const token = "5a0c3e4e-2d7b-4a86-9b1e-e2e000c0ffee";
    const program = new PulumiProgram("examples/intentions");
    const ours = (i: { SourceName: string; DestinationName: string }) =>
        ["web", "admin", "api"].includes(i.SourceName) && ["api", "db"].includes(i.DestinationName);
    const pairs = async () =>
        (await listIntentions(DC1))
            .filter(ours)
            .map((i) => `${i.SourceName}=>${i.DestinationName}:${i.Action}`)
            .sort();

    /** Each Intention's recorded inputs by URN, `connection` aside (a secret: its ciphertext may be re-encrypted). */
    const intentionInputs = async () => {
        const state = z
            .object({
                deployment: z.object({
                    resources: z.array(
                        z.object({ urn: z.string(), type: z.string(), inputs: z.record(z.string(), z.unknown()).optional() }),
                    ),
                }),
            })
            .parse(JSON.parse(await program.exportState()));
        const intentions = state.deployment.resources.filter((r) => r.type.endsWith("consul-mesh:Intention"));
        assert.ok(intentions.length > 0);
        return Object.fromEntries(intentions.map((r) => [r.urn, { ...r.inputs, connection: undefined }]));
    };

    before(async () => {
        await program.init({}, { "consul-mesh-intentions:token": token });
    });
    after(async () => {
        const state = await program.run(["stack", "ls"], { allowFailure: true });
        if (state.code === 0) await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("deploys the example", async () => {
        await program.up();
        assert.deepEqual(await pairs(), ["admin=>api:allow", "api=>db:allow", "web=>api:allow", "web=>db:deny"]);
        const outputs = await program.outputs();
        assert.equal(outputs.webToApiId, "web=>api");
        assert.equal(outputs.webToApiPrecedence, 9);
    });

    it("shows no changes on preview and on refresh right after", async () => {
        // A refresh that changes nothing leaves the state as up wrote it, so the one preview after it
        // answers for the state before the refresh too (a preview before it would repeat it exactly).
        const before = await intentionInputs();
        await program.refresh(["--expect-no-changes"]);
        // Realigned inputs equal to the recorded ones: otherwise each unchanged Intention would cost
        // the next up a write of the whole state (a "same" step with changed inputs).
        assert.deepEqual(await intentionInputs(), before, "a refresh in sync must leave every Intention's inputs as they were");
        const { steps } = await program.preview(["--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("keeps the token secret in state and the serialised provider small", async () => {
        const state = await program.exportState();
        assert.ok(!state.includes(token), "the token must not appear in plaintext in the stack export");
        const parsed = JSON.parse(state) as { deployment: { resources: Array<{ type: string; inputs: Record<string, unknown> }> } };
        const intention = parsed.deployment.resources.find((r) => r.type.endsWith("consul-mesh:Intention"));
        const providerText = intention?.inputs.__provider as string;
        console.log(`      __provider of one Intention: ${providerText.length} bytes; stack export: ${state.length} bytes`);
        assert.ok(providerText.length < 4096);
    });

    it("reports an intention changed by hand on refresh, and up --refresh puts it back", async () => {
        const flipped = await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=web&destination=db`, { Action: "allow" });
        assert.equal(flipped.status, 200);
        assert.ok((await pairs()).includes("web=>db:allow"));

        // refresh sees the drift (and --expect-no-changes makes that an error, as a CI check would)...
        const refresh = await program.run(["refresh", "--preview-only", "--expect-no-changes"], { allowFailure: true });
        assert.notEqual(refresh.code, 0, "refresh must report the drift");
        assert.match(refresh.stdout + refresh.stderr, /web-to-db/);
        // ...and a refreshing preview plans exactly one update: web-to-db.
        const { steps } = await program.preview(["--refresh"]);
        const changing = changingSteps(steps).filter((s) => !s.urn.includes("pulumi:pulumi:Stack"));
        assert.deepEqual(
            changing.map((s) => [s.op, s.urn.split("::").pop()]),
            [["update", "web-to-db"]],
        );

        await program.up(["--refresh"]);
        assert.ok((await pairs()).includes("web=>db:deny"));
        const after = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(after.steps), []);
        assert.ok(!(await program.exportState()).includes(token), "no plaintext token after refresh either");
    });

    it("re-creates an intention deleted by hand", async () => {
        await consul("DELETE", `${DC1}/v1/connect/intentions/exact?source=admin&destination=api`);
        assert.ok(!(await pairs()).includes("admin=>api:allow"));
        await program.up(["--refresh"]);
        assert.ok((await pairs()).includes("admin=>api:allow"));
    });

    it("destroys everything it made", async () => {
        await program.destroy();
        assert.deepEqual(await pairs(), []);
    });
});
