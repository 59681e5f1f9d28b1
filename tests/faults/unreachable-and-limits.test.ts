import { strict as assert } from "node:assert";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { uniqueSuffix } from "../support/consul";
import { blackhole, declaredListing, fullListing, freePort, retryLog, stateSummary } from "../support/faults";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// Consul that is not there, hangs, or throttles us.
describe("faults: unreachable Consul", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
    before(() => program.init({ "consul-mesh-two-hundred-intentions:count": "3", "consul-mesh-two-hundred-intentions:destination": "nowhere" }));
    after(() => program.cleanup());

    it("with nothing listening, up fails at once with a message naming the address", async () => {
        const port = await freePort();
        await program.run(["config", "set", "consul-mesh:address", `http://127.0.0.1:${port}`]);
        const started = Date.now();
        const result = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true, timeoutMs: 120_000 });
        const ms = Date.now() - started;
        const text = result.stdout + result.stderr;
        console.error(`    [unreachable] up failed in ${ms} ms (exit ${result.code})`);
        assert.notEqual(result.code, 0);
        assert.match(text, new RegExp(`Consul (GET|PUT) /v1/config\\S* at http://127\\.0\\.0\\.1:${port} failed: connection refused`));
        assert.equal((await stateSummary(program)).resources, 0);
    });

    it("with every listed server down, the error names them all", async () => {
        const [a, b] = [await freePort(), await freePort()];
        await program.run(["config", "set", "consul-mesh:address", `http://127.0.0.1:${a},http://127.0.0.1:${b}`]);
        const result = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true, timeoutMs: 120_000 });
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, new RegExp(`tried every server: http://127\\.0\\.0\\.1:${a}, http://127\\.0\\.0\\.1:${b}`));
    });

    it("with a server that accepts but never answers, up fails after the request timeout naming the address", async () => {
        const hung = await blackhole();
        try {
            await program.run(["config", "set", "consul-mesh:address", hung.address]);
            await program.run(["config", "set", "consul-mesh:timeoutMs", "3000"]);
            const started = Date.now();
            const result = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true, timeoutMs: 120_000 });
            const ms = Date.now() - started;
            console.error(`    [hung] up failed in ${ms} ms with timeoutMs 3000 (exit ${result.code})`);
            assert.notEqual(result.code, 0);
            assert.match(result.stdout + result.stderr, new RegExp(`at ${hung.address.replace(/\./g, "\\.")} failed: request timed out`));
        } finally {
            hung.close();
            await program.run(["config", "rm", "consul-mesh:timeoutMs"]);
        }
    });

    it("preview --refresh of a deployed stack fails naming the address once Consul is gone", async () => {
        const log = (m: string) => console.error(`    [dc4] ${m}`);
        await start("dc4", { log });
        try {
            await program.run(["config", "set", "consul-mesh:address", clusterAddresses("dc4")[0]]);
            await program.up();
        } finally {
            await stop("dc4", { log });
        }
        const started = Date.now();
        const { result } = await program.preview(["--refresh"], true);
        const ms = Date.now() - started;
        console.error(`    [unreachable] preview --refresh failed in ${ms} ms (exit ${result.code})`);
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, new RegExp(`${clusterAddresses("dc4")[0].replace(/\./g, "\\.")} failed: connection refused`));
        // The failed refresh changed nothing in the state.
        assert.equal((await stateSummary(program)).resources, 3);
    });
});

describe("faults: Consul throttling requests (request_limits enforcing, http_max_conns_per_client)", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const count = 200;
    const destination = `limited-${uniqueSuffix()}`;
    const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
    const retryFile = path.join(program.workDir, "..", "retries.jsonl");

    before(async () => {
        // request_limits throttles RPCs by type (Consul exempts config-entry writes from it), and
        // http_max_conns_per_client answers 429 to a client opening more HTTP connections than allowed:
        // together they throttle what consul-mesh sends. The server binds 127.0.0.2 so that our
        // requests (from 127.0.0.1) are not exempted as coming from a server.
        await start("dc4", {
            log,
            bind: "127.0.0.2",
            extraHcl: 'limits { http_max_conns_per_client = 2 request_limits { mode = "enforcing" read_rate = 20 write_rate = 10 } }',
        });
        program.env.CONSUL_MESH_RETRY_LOG = retryFile;
        await program.init({
            "consul-mesh-two-hundred-intentions:count": String(count),
            "consul-mesh-two-hundred-intentions:destination": destination,
            // Ten destinations: their writes run in parallel (writes for one destination are serialised).
            "consul-mesh-two-hundred-intentions:destinations": "10",
            "consul-mesh:address": clusterAddresses("dc4")[0],
        });
    });
    after(async () => {
        program.cleanup();
        await stop("dc4", { log });
    });

    it("the agent does throttle: a burst of plain KV writes gets 503 'rate limit exceeded' and too many connections get 429", async () => {
        const address = clusterAddresses("dc4")[0];
        const statuses = await Promise.all(
            Array.from({ length: 30 }, (_, i) =>
                fetch(`${address}/v1/kv/burst-${i}`, { method: "PUT", body: "x" }).then(async (r) => `${r.status} ${(await r.text()).slice(0, 40)}`).catch(() => "error"),
            ),
        );
        assert.ok(statuses.some((s) => /^(429|503) /.test(s)), `expected throttling, got ${statuses.join("; ")}`);
    });

    it("up of 200 intentions completes through retries and converges", async () => {
        const started = Date.now();
        const result = await program.run(["up", "--yes", "--skip-preview", "--parallel", "40"], { timeoutMs: 800_000 });
        const stats = retryLog(retryFile);
        console.error(
            `    [rate-limits] up of ${count} took ${Date.now() - started} ms; client retries ${stats.retries} ${JSON.stringify(stats.byStatus)}`,
        );
        assert.equal(result.code, 0);
        assert.ok(stats.retries > 0, "Consul throttled at least one request");
        assert.deepEqual(await fullListing(clusterAddresses("dc4")), declaredListing(count, destination, 10));
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });
});
