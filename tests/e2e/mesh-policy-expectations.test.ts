import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { consul, DC1 } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

interface Entry {
    Kind: string;
    Name: string;
    Sources: { Name: string; Action?: string; Peer?: string }[];
    Meta?: Record<string, string>;
    ModifyIndex: number;
}

const check = async (source: string, destination: string) =>
    (await consul<{ Allowed: boolean }>("GET", `${DC1}/v1/connect/intentions/check?source=${source}&destination=${destination}`)).body
        .Allowed;

// Policy assertions: examples/mesh-policy declares what must hold, Consul proves it after `up`, a
// hand edit that breaks it shows in `preview --refresh`, and `up` puts the behaviour back.
describe("examples/mesh-policy expectations with the Pulumi CLI", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/mesh-policy", "expectations");
    before(() => program.init());
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("checks every expectation with Consul after up: none violated, each decided by Consul or evaluated", async () => {
        const up = await program.up();
        // Before writing, the effective policy change of each entry is printed (here: from nothing).
        assert.match(up.stdout + up.stderr, /ServiceIntentions for db: this change flips who may call whom:\s+api -> db: default => allow/);
        assert.match(
            up.stdout + up.stderr,
            /ServiceIntentions for \*: this change flips who may call whom:\s+[^]*peer dc2\/\* \(any other service\) -> \*: default => deny/,
        );
        const out = await program.outputs();
        assert.deepEqual(out.violations, []);
        const state = JSON.parse(await program.exportState()) as {
            deployment: {
                resources: { type: string; outputs?: { results?: { expectation: string; actual: string; decidedBy: string }[] } }[];
            };
        };
        const assertions = state.deployment.resources.find((r) => r.type.endsWith(":IntentionAssertions"));
        assert.deepEqual(
            assertions?.outputs?.results?.map((r) => `${r.expectation}=${r.actual}/${r.decidedBy}`),
            [
                "web -> api=allow/consul",
                "web -> db=deny/consul",
                "api -> db=allow/consul",
                "batch -> db=deny/consul",
                "peer dc2/frontend -> api=allow/evaluation",
                "peer dc2/frontend -> db=deny/evaluation",
                "web -> api POST /admin=allow/evaluation",
            ],
        );
    });

    it("reports an expectation broken by hand on preview --refresh, and up restores the intended behaviour", async () => {
        // By hand: web may now call db (the policy says deny).
        const entry = (await consul<Entry>("GET", `${DC1}/v1/config/service-intentions/db`)).body;
        const edited = { ...entry, Sources: entry.Sources.map((s) => (s.Name === "web" && !s.Peer ? { ...s, Action: "allow" } : s)) };
        const put = await consul<boolean>("PUT", `${DC1}/v1/config?cas=${entry.ModifyIndex}`, edited);
        assert.equal(put.body, true);
        assert.equal(await check("web", "db"), true);

        // One refreshing preview gives both the planned steps (--json) and the CI check's verdict.
        const { steps, result: strict } = await program.preview(["--refresh", "--expect-no-changes"], true);
        assert.notEqual(strict.code, 0, "--expect-no-changes fails while an expectation is broken");
        const changed = changingSteps(steps).map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        assert.ok(changed.includes("update shop-expectations"), changed.join(", "));
        assert.ok(changed.includes("update shop-db"), changed.join(", "));
        const shown = await program.run(["preview", "--refresh", "--diff"]);
        assert.match(shown.stdout, /web -> db: expected deny, Consul's check says allow/);

        await program.up(["--refresh"]);
        assert.equal(await check("web", "db"), false);
        assert.deepEqual((await program.outputs()).violations, []);
        const after = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(after.steps), []);
    });
});

// An expectation the intentions do not meet fails `up` naming it (and every other violated one),
// while the satisfied ones pass; nothing is written for the assertions.
describe("IntentionAssertions that do not hold", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/from-json", "assertions");
    const file = path.join(program.workDir, "..", "resources.json");
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("fails up naming every violated expectation and records nothing for them", async () => {
        fs.writeFileSync(
            file,
            JSON.stringify([
                { kind: "ServiceIntentions", name: "orders", args: { destination: "orders", sources: [{ name: "web", action: "allow" }] } },
                {
                    kind: "IntentionAssertions",
                    name: "orders-checks",
                    args: {
                        expectations: [
                            { from: "web", to: "orders", expect: "allow" },
                            { from: "web", to: "orders", expect: "deny" },
                            { from: "web", fromPeer: "dc2", to: "orders", expect: "deny" },
                        ],
                    },
                },
            ]),
        );
        await program.init({ "consul-mesh-from-json:file": file, "consul-mesh:address": DC1 });
        // (Independent resources: the outcome is the same whichever runs first, as dc1 allows by default.)
        const first = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        assert.notEqual(first.code, 0);
        const text = first.stdout + first.stderr;
        assert.match(text, /2 of 3 expectation\(s\) not met/);
        assert.match(text, /web -> orders: expected deny, Consul's check says allow/);
        // dc1 has ACLs off: no intention for the peer's source means the default, allow.
        assert.match(
            text,
            /peer dc2\/web -> orders: expected deny, evaluated allow \(no intention matches: the cluster's default \(allow\)\)/,
        );
        const state = JSON.parse(await program.exportState()) as { deployment: { resources?: { type: string }[] } };
        assert.ok(!(state.deployment.resources ?? []).some((r) => r.type.endsWith(":IntentionAssertions")));
    });
});
