import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DC1 } from "../support/consul";
import { PulumiProgram } from "../support/pulumi";

// The effective policy change in the preview: before anything is written, `pulumi preview` says
// whose calls flip from allow to deny (or back), with Consul's precedence. The README's two
// precedence surprises come from this test's previews.
describe("effective policy change in pulumi preview", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/from-json", "effect");
    const file = path.join(program.workDir, "..", "resources.json");
    const declare = (resources: unknown[]) => fs.writeFileSync(file, JSON.stringify(resources));
    const orders = (sources: unknown[]) => ({ kind: "ServiceIntentions", name: "orders", args: { destination: "orders", sources } });
    const pair = (action: string) => ({
        kind: "Intention",
        name: "batch-orders",
        args: { source: "batch", destination: "orders", action },
    });

    before(async () => {
        declare([orders([{ name: "web", action: "allow" }])]);
        await program.init({ "consul-mesh-from-json:file": file, "consul-mesh:address": DC1 });
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("shows what a new entry allows before it is written", async () => {
        const preview = await program.run(["preview", "--diff"]);
        assert.match(
            preview.stdout + preview.stderr,
            /ServiceIntentions for orders: this change flips who may call whom:\s+web -> orders: default => allow/,
        );
        await program.up();
    });

    it("shows that a wildcard deny added beside an exact allow shadows nothing named: only other services flip", async () => {
        declare([
            orders([
                { name: "web", action: "allow" },
                { name: "*", action: "deny" },
            ]),
        ]);
        const preview = await program.run(["preview"]);
        assert.match(
            preview.stdout,
            /ServiceIntentions for orders: this change flips who may call whom:\s+[^\n]*\* \(any other service\) -> orders: default => deny/,
        );
        assert.doesNotMatch(preview.stdout, /web -> orders: allow =>/);
        await program.up();
    });

    it("shows that an exact allow silently overrides the wildcard deny", async () => {
        declare([
            orders([
                { name: "web", action: "allow" },
                { name: "*", action: "deny" },
                { name: "batch", action: "allow" },
            ]),
        ]);
        const preview = await program.run(["preview"]);
        assert.match(preview.stdout, /batch -> orders: deny => allow/);
        assert.doesNotMatch(preview.stdout, /(web|\* \(any other service\)) -> orders: \w+ =>/);
        await program.up();
    });

    it("shows the flip of a single Intention, and nothing once applied (no perpetual effect)", async () => {
        declare([
            orders([
                { name: "web", action: "allow" },
                { name: "*", action: "deny" },
            ]),
        ]);
        await program.up();
        declare([
            orders([
                { name: "web", action: "allow" },
                { name: "*", action: "deny" },
            ]),
            pair("allow"),
        ]);
        // The Intention writes into the ServiceIntentions' entry, which refuses it (authoritative): only the preview matters here.
        const created = await program.run(["preview", "--diff"]);
        assert.match(
            created.stdout + created.stderr,
            /Intention batch=>orders: this change flips who may call whom:\s+batch -> orders: default => allow/,
        );
        declare([
            orders([
                { name: "web", action: "allow" },
                { name: "*", action: "deny" },
            ]),
        ]);
        const { steps, result } = await program.preview(["--expect-no-changes"]);
        assert.deepEqual(
            steps.filter((s) => s.op !== "same"),
            [],
        );
        assert.doesNotMatch(result.stdout + result.stderr, /flips who may call whom/);
    });
});
