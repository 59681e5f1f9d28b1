import { strict as assert } from "node:assert";
import * as path from "node:path";
import { clusterAddresses, killServer, leaderIndex, restartServer, start, status, stop, waitHealthy } from "../../scripts/lib/clusters";
import { uniqueSuffix } from "../support/consul";
import { declaredListing, destinationSources, fullListing, retryLog, startPulumi, waitFor } from "../support/faults";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// Three real Consul servers (dc4, -bootstrap-expect=3); the leader is SIGKILLed once while
// `pulumi up` writes 80 Intentions for one destination through a connection that lists all three.
// The kill comes once a quarter are in (a provider batch holds at most 20 at --parallel 20), so at
// least 40 are still to be written when the leader dies: the test asserts the kill was mid-run.
// (It was 200, which only made the run longer.)
describe("faults: leader loss during pulumi up of many intentions (three servers)", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const count = 80;
    const destination = `ha-${uniqueSuffix()}`;
    const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
    const retryFile = path.join(program.workDir, "..", "retries.jsonl");
    let addresses: string[] = [];

    before(async () => {
        await start("dc4", { servers: 3, log });
        await waitHealthy("dc4", 120_000);
        addresses = clusterAddresses("dc4");
        program.env.CONSUL_HTTP_ADDR = addresses[0];
        program.env.CONSUL_MESH_RETRY_LOG = retryFile;
        await program.init({
            "consul-mesh-two-hundred-intentions:count": String(count),
            "consul-mesh-two-hundred-intentions:destination": destination,
            // The provider gets all three servers and fails over between them.
            "consul-mesh:address": addresses.join(","),
        });
    });
    after(async () => {
        program.cleanup();
        await stop("dc4", { log });
    });

    it("starts as three voters with one leader and an active CA root", async () => {
        const healthy = await waitHealthy("dc4", 60_000);
        assert.equal(healthy.peers.length, 3);
        assert.equal(status("dc4").members?.filter((m) => m.running).length, 3);
        const roots = (await (await fetch(`${addresses[1]}/v1/connect/ca/roots`)).json()) as { ActiveRootID: string };
        assert.ok(roots.ActiveRootID);
    });

    it("survives a SIGKILLed leader: the run completes or fails clearly, a re-run converges to exactly the declared intentions", async () => {
        const up = startPulumi(program, ["up", "--yes", "--skip-preview", "--parallel", "20"]);
        // Kill the leader once a quarter of the intentions are in: well inside the run.
        const reached = await waitFor(
            "a quarter of the intentions",
            async () => {
                const sources = await destinationSources(addresses, destination);
                return sources && sources.length >= count / 4 ? sources.length : undefined;
            },
            300_000,
        );
        const leader = await leaderIndex("dc4");
        assert.notEqual(leader, undefined, "a leader before the kill");
        const killedAt = Date.now();
        await killServer("dc4", leader!, "SIGKILL");
        const first = await up.done;
        const survivors = addresses.filter((_, i) => i !== leader);
        const afterFirst = (await destinationSources(survivors, destination)) ?? [];
        const stats = retryLog(retryFile);
        console.error(
            `    [leader-loss] killed server ${leader} with ${reached}/${count} written; first up exited ${first.code} ` +
                `after ${first.ms} ms (${Date.now() - killedAt} ms after the kill); ${afterFirst.length}/${count} in Consul; ` +
                `client retries ${stats.retries}, failovers ${stats.failovers} ${JSON.stringify(stats.byStatus)}`,
        );
        assert.notEqual(reached, count, "the kill happened mid-run");
        if (first.code !== 0) {
            // Failing is allowed, but clearly: Consul's own error with method, path and address.
            assert.match(first.stdout + first.stderr, /Consul (GET|PUT|DELETE) \/v1\/\S+ at https?:\/\/127\.0\.0\.1:\d+/);
        }

        const second = await program.run(["up", "--yes", "--skip-preview"], { timeoutMs: 600_000 });
        assert.equal(second.code, 0);
        const sources = (await destinationSources(survivors, destination)) ?? [];
        console.error(`    [leader-loss] re-run: ${sources.length}/${count} declared intentions found`);
        assert.deepEqual(await fullListing(survivors), declaredListing(count, destination));

        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);

        // Bring the killed server back: three voters, one leader, and it holds the same entry.
        await restartServer("dc4", leader!, log);
        const healthy = await waitHealthy("dc4", 120_000);
        assert.equal(healthy.peers.length, 3);
        const replicated = await waitFor(
            "the restarted server to catch up",
            async () => {
                const s = await destinationSources([addresses[leader!]], destination, true);
                return s && s.length === count ? s : undefined;
            },
            60_000,
        );
        assert.equal(replicated.length, count);
    });
});
