import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { uniqueSuffix } from "../support/consul";
import { declaredListing, fullListing, startPulumi } from "../support/faults";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// Several writers on one destination's service-intentions entry at the same time: two Pulumi
// stacks of Intentions plus a script writing through Consul's own per-pair endpoint (as
// `consul intention create` does). Intentions write with compare-and-set, so nobody's pair is lost;
// an authoritative ServiceIntentions owns its entry and removes what it does not declare.
describe("faults: concurrent writers on one destination", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const destination = `shared-${uniqueSuffix()}`;
    const count = 50;
    let address = "";
    const programs: PulumiProgram[] = [];
    const scriptPairs = new Set<string>();

    before(async () => {
        await start("dc4", { log });
        address = clusterAddresses("dc4")[0];
    });
    after(async () => {
        for (const p of programs) p.cleanup();
        await stop("dc4", { log });
    });

    async function newStack(prefix: string): Promise<PulumiProgram> {
        const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
        programs.push(program);
        await program.init({
            "consul-mesh-two-hundred-intentions:count": String(count),
            "consul-mesh-two-hundred-intentions:destination": destination,
            "consul-mesh-two-hundred-intentions:sourcePrefix": prefix,
            "consul-mesh:address": address,
        });
        return program;
    }

    /** Writes script-<n> pairs through /v1/connect/intentions/exact until `until` settles (at most 40). */
    async function scriptWriter(until: Promise<unknown>, target: string): Promise<number> {
        let done = false;
        void until.finally(() => (done = true));
        let n = 0;
        while (!done && n < 40) {
            const source = `script-${target}-${n}`;
            const res = await fetch(`${address}/v1/connect/intentions/exact?source=${source}&destination=${target}`, {
                method: "PUT",
                body: JSON.stringify({ Action: "allow" }),
            });
            assert.equal(res.status, 200, await res.text());
            scriptPairs.add(`${source}=>${target}:allow`);
            n++;
            await new Promise((r) => setTimeout(r, 150));
        }
        return n;
    }

    const listingOf = async (target: string) =>
        (await fullListing([address])).filter((x) => x.endsWith(`=>${target}:allow`) || x.endsWith(`=>${target}:deny`));

    let a: PulumiProgram;
    let b: PulumiProgram;

    it("two stacks and a script writing at the same time: every pair of each is there", async () => {
        [a, b] = [await newStack("a"), await newStack("b")];
        const started = Date.now();
        const upA = startPulumi(a, ["up", "--yes", "--skip-preview", "--parallel", "16"]);
        const upB = startPulumi(b, ["up", "--yes", "--skip-preview", "--parallel", "16"]);
        const both = Promise.all([upA.done, upB.done]);
        const written = await scriptWriter(both, destination);
        const [ra, rb] = await both;
        console.error(
            `    [concurrent] two ups of ${count} + ${written} script writes on one destination in ${Date.now() - started} ms; ` +
                `exits ${ra.code}/${rb.code}; ${(await listingOf(destination)).length} pairs in Consul`,
        );
        assert.equal(ra.code, 0, ra.stdout + ra.stderr);
        assert.equal(rb.code, 0, rb.stdout + rb.stderr);
        assert.ok(written > 0, "the script wrote while the stacks were running");
        const expected = [
            ...declaredListing(count, destination, 1, "a"),
            ...declaredListing(count, destination, 1, "b"),
            ...scriptPairs,
        ].sort();
        assert.deepEqual(await listingOf(destination), expected);
        for (const p of [a, b]) assert.deepEqual(changingSteps((await p.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    it("one stack destroyed while the other grows: only the destroyed stack's pairs go", async () => {
        await b.run(["config", "set", "consul-mesh-two-hundred-intentions:count", String(count + 20)]);
        const destroyA = startPulumi(a, ["destroy", "--yes", "--skip-preview", "--parallel", "16"]);
        const upB = startPulumi(b, ["up", "--yes", "--skip-preview", "--parallel", "16"]);
        const both = Promise.all([destroyA.done, upB.done]);
        await scriptWriter(both, destination);
        const [ra, rb] = await both;
        assert.equal(ra.code, 0, ra.stdout + ra.stderr);
        assert.equal(rb.code, 0, rb.stdout + rb.stderr);
        const expected = [...declaredListing(count + 20, destination, 1, "b"), ...scriptPairs].sort();
        assert.deepEqual(await listingOf(destination), expected);
        assert.deepEqual(changingSteps((await b.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    it("an authoritative ServiceIntentions: another writer's pair shows as drift, the next up removes it, an Intention is refused", async () => {
        const owned = `owned-${uniqueSuffix()}`;
        const program = new PulumiProgram("tests/e2e/programs/from-json");
        programs.push(program);
        const file = path.join(program.workDir, "..", "resources.json");
        const sources = Array.from({ length: 20 }, (_, i) => ({ name: `svc-${i}`, action: "allow" }));
        fs.writeFileSync(file, JSON.stringify([{ kind: "ServiceIntentions", name: "owned", args: { destination: owned, sources } }]));
        await program.init({ "consul-mesh-from-json:file": file, "consul-mesh:address": address });
        await program.up();
        // Someone adds a pair to the owned entry by hand: refresh sees it, and the next up takes it out.
        const res = await fetch(`${address}/v1/connect/intentions/exact?source=intruder&destination=${owned}`, {
            method: "PUT",
            body: JSON.stringify({ Action: "allow" }),
        });
        assert.equal(res.status, 200);
        const { steps } = await program.preview(["--refresh"]);
        assert.deepEqual(
            changingSteps(steps).map((s) => s.op),
            ["update"],
        );
        await program.up(["--refresh"]);
        assert.deepEqual(await listingOf(owned), sources.map((s) => `${s.name}=>${owned}:allow`).sort());
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
        // An Intention for a pair of the owned entry is refused rather than fighting over it.
        const intruder = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
        programs.push(intruder);
        await intruder.init({
            "consul-mesh-two-hundred-intentions:count": "1",
            "consul-mesh-two-hundred-intentions:destination": owned,
            "consul-mesh:address": address,
        });
        const refused = await intruder.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        assert.notEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /managed as a whole by a consul-mesh ServiceIntentions/);
        await program.destroy();
    });
});
