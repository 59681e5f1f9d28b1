import { strict as assert } from "node:assert";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { uniqueSuffix } from "../support/consul";
import { declaredListing, fullListing, retryLog, stateSummary } from "../support/faults";
import { LossyProxy } from "../support/lossy-proxy";
import { changingSteps, PulumiProgram } from "../support/pulumi";

const isEntryWrite = (method: string, url: string) => method === "PUT" && url.startsWith("/v1/config?");

// Consul applies a write and its answer never reaches consul-mesh (the proxy cuts the connection
// after Consul answered): what a leader killed right after a commit looks like to a client.
describe("faults: writes applied by Consul whose answers are lost", function () {
    this.timeout(600_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    let proxy: LossyProxy;
    let address = "";
    const programs: PulumiProgram[] = [];

    before(async () => {
        await start("dc4", { log });
        proxy = new LossyProxy(clusterAddresses("dc4")[0]);
        address = await proxy.start();
    });
    beforeEach(() => {
        proxy.lose = () => false;
        proxy.afterLoss = undefined;
    });
    after(async () => {
        for (const p of programs) p.cleanup();
        await proxy.stop();
        await stop("dc4", { log });
    });

    async function newStack(destination: string, count: number, destinations: number, address: string): Promise<PulumiProgram> {
        const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
        programs.push(program);
        program.env.CONSUL_MESH_RETRY_LOG = path.join(program.workDir, "..", "retries.jsonl");
        await program.init({
            "consul-mesh-two-hundred-intentions:count": String(count),
            "consul-mesh-two-hundred-intentions:destination": destination,
            "consul-mesh-two-hundred-intentions:destinations": String(destinations),
            "consul-mesh:address": address,
        });
        return program;
    }

    it("a create repeated after its answer was lost finds its own write and succeeds (no 'already exists')", async () => {
        const destination = `lost-${uniqueSuffix()}`;
        const count = 40;
        // Lose every other answer to a write of each entry (counted per entry, so that the retry of a
        // lost write always gets its answer whatever the interleaving of the destinations), and let
        // another writer change the entry before consul-mesh retries: its retry is then refused by
        // compare-and-set and it must re-read the entry, where it finds its own pairs (Consul alone
        // would accept an identical retry as a no-op).
        let writes = 0;
        const writesOf = new Map<string, number>();
        const bystanders: string[] = [];
        proxy.lose = (method, url, body) => {
            if (!isEntryWrite(method, url)) return false;
            writes++;
            const name = /"Name":"([^"]+)"/.exec(body)?.[1] ?? "";
            const n = writesOf.get(name) ?? 0;
            writesOf.set(name, n + 1);
            return n % 2 === 0;
        };
        proxy.afterLoss = async (lost, requestBody) => {
            const target = (JSON.parse(requestBody) as { Name: string }).Name;
            // Once per destination: a writer racing every retry would only prove livelock.
            if (lost.body !== "true" || bystanders.some((b) => b.endsWith(`=>${target}:deny`))) return;
            const source = `bystander-${bystanders.length}`;
            const res = await fetch(`${clusterAddresses("dc4")[0]}/v1/connect/intentions/exact?source=${source}&destination=${target}`, {
                method: "PUT",
                body: JSON.stringify({ Action: "deny" }),
            });
            assert.equal(res.status, 200);
            bystanders.push(`${source}=>${target}:deny`);
        };
        const program = await newStack(destination, count, 4, address);
        const result = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true, timeoutMs: 300_000 });
        const stats = retryLog(program.env.CONSUL_MESH_RETRY_LOG!);
        console.error(
            `    [lost-answers] ${proxy.lost.length} answers lost of ${writes} entry writes; up exited ${result.code}; ` +
                `client retries ${stats.retries} ${JSON.stringify(stats.byStatus)}`,
        );
        assert.ok(proxy.lost.length >= 4, "answers were lost");
        console.error(
            `    [lost-answers] lost answers: ${JSON.stringify(proxy.lost.map((l) => `${l.status} ${l.body}`).reduce<Record<string, number>>((m, k) => ({ ...m, [k]: (m[k] ?? 0) + 1 }), {}))}`,
        );
        assert.ok(proxy.lost.filter((l) => l.status === 200 && l.body === "true").length >= 4, "lost answers of writes Consul applied");
        assert.equal(bystanders.length, 4, "another writer changed each destination's entry after a lost answer");
        assert.equal(result.code, 0, result.stdout + result.stderr);
        // Every declared pair, and the other writer's pairs too.
        assert.deepEqual(
            await fullListing(clusterAddresses("dc4")).then((l) => l.filter((x) => x.includes(`=>${destination}-`))),
            [...declaredListing(count, destination, 4), ...bystanders].sort(),
        );
        proxy.lose = () => false;
        proxy.afterLoss = undefined;
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("a create that gives up after a lost answer is recorded in the stack, and the next up converges", async () => {
        const destination = `gaveup-${uniqueSuffix()}`;
        const count = 20;
        // Every answer to a write of <destination>-1 is lost: the client retries, then gives up.
        proxy.lose = (method, url, body) => isEntryWrite(method, url) && body.includes(`"Name":"${destination}-1"`);
        const program = await newStack(destination, count, 2, address);
        const first = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true, timeoutMs: 300_000 });
        const text = first.stdout + first.stderr;
        const afterFirst = await stateSummary(program);
        const inConsul = (await fullListing(clusterAddresses("dc4")))
            .filter((x) => x.includes(`=>${destination}-`))
            .map((x) => x.split("=>")[0]);
        const gaveUp = (text.match(/may have been applied in Consul before the answer was lost/g) ?? []).length;
        console.error(
            `    [lost-answers] gave up: up exited ${first.code}; ${gaveUp} creates gave up; ${inConsul.length}/${count} in Consul, ` +
                `${afterFirst.resources} in state, ${afterFirst.pending.length} pending`,
        );
        assert.notEqual(first.code, 0);
        assert.ok(gaveUp > 0, text);
        // Recorded, not forgotten: every intention Consul holds is in the state (the engine starts no
        // new creates after the first failure, so some declared ones may not have been tried yet).
        assert.ok(
            inConsul.some((name) => name.startsWith("caller-") && Number(name.slice(7)) % 2 === 1),
            "writes of <destination>-1 landed",
        );
        assert.deepEqual(
            inConsul.filter((name) => !afterFirst.names.includes(name)),
            [],
            "written but not recorded",
        );
        assert.deepEqual(afterFirst.pending, []);

        proxy.lose = () => false;
        const second = await program.run(["up", "--yes", "--skip-preview"], { timeoutMs: 300_000 });
        assert.equal(second.code, 0);
        assert.deepEqual(
            await fullListing(clusterAddresses("dc4")).then((l) => l.filter((x) => x.includes(`=>${destination}-`))),
            declaredListing(count, destination, 2),
        );
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
        await program.destroy();
        assert.deepEqual(
            (await fullListing(clusterAddresses("dc4"))).filter((x) => x.includes(`=>${destination}-`)),
            [],
        );
    });
});
