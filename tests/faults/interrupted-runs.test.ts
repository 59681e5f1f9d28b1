import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { uniqueSuffix } from "../support/consul";
import {
    declaredListing,
    destinationSources,
    fullListing,
    groupAlive,
    killGroup,
    startPulumi,
    stateSummary,
    waitFor,
} from "../support/faults";
import { changingSteps, PulumiProgram } from "../support/pulumi";

/**
 * Repairs what a SIGKILL can leave in the DIY (file://) backend. The checkpoint itself is written
 * atomically (temp file + rename), but its metadata sidecar `<stack>.json.attrs` is rewritten in
 * place just before the rename: killed in between, it is empty and every command fails with
 * `failed to load checkpoint: EOF` while `<stack>.json` still holds the previous, intact
 * checkpoint. Removing an unparsable sidecar is safe (a missing one is read as defaults); a
 * checkpoint that does not parse is replaced by `<stack>.json.bak`. Returns what was done.
 */
function repairCheckpoint(stateDir: string, stack: string): string[] {
    const stacks = path.join(stateDir, ".pulumi", "stacks");
    const parses = (file: string) => {
        try {
            JSON.parse(fs.readFileSync(file, "utf8"));
            return true;
        } catch {
            return false;
        }
    };
    const done: string[] = [];
    for (const rel of fs.readdirSync(stacks, { recursive: true }).map(String)) {
        const file = path.join(stacks, rel);
        // (A sidecar removed with its checkpoint earlier in this loop is gone by now.)
        if (rel.endsWith(".attrs") && fs.existsSync(file) && !parses(file)) {
            fs.rmSync(file);
            done.push(`removed unparsable ${rel}`);
        }
        if (rel.endsWith(`${stack}.json`) && !parses(file) && fs.existsSync(`${file}.bak`)) {
            fs.copyFileSync(`${file}.bak`, file);
            fs.rmSync(`${file}.attrs`, { force: true });
            done.push(`restored ${rel} from ${rel}.bak`);
        }
    }
    return done;
}

// The Pulumi CLI is interrupted in the middle of an `up` of many Intentions (file backend), first
// with SIGINT (Ctrl-C: Pulumi cancels gracefully), then with SIGKILL (a CI runner killed). After
// the documented recovery, `pulumi up` converges: every declared intention once, nothing else.
// 50 Intentions at --parallel 8 (a provider batch holds at most 8 of them) and the signal once 15
// are in Consul: the run is well inside its first half when it is interrupted, and each test asserts
// it (fewer in Consul than declared; for SIGKILL, declared pairs missing from the state). The number
// itself proves nothing more: it was 200, which cost minutes of writes before and after the signal.
describe("faults: interrupted pulumi up of many intentions", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const count = 50;
    const signalAt = 15;
    let addresses: string[] = [];
    const programs: PulumiProgram[] = [];

    before(async () => {
        await start("dc4", { log });
        addresses = clusterAddresses("dc4");
    });
    after(async () => {
        for (const p of programs) p.cleanup();
        await stop("dc4", { log });
    });

    async function newStack(destination: string, declared = count): Promise<PulumiProgram> {
        const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
        programs.push(program);
        program.env.CONSUL_HTTP_ADDR = addresses[0];
        await program.init({
            "consul-mesh-two-hundred-intentions:count": String(declared),
            "consul-mesh-two-hundred-intentions:destination": destination,
        });
        return program;
    }

    /** Starts `up` and waits until `threshold` intentions of the destination are in Consul. */
    async function upUntil(program: PulumiProgram, destination: string, threshold: number) {
        // A modest parallelism keeps the run long enough to interrupt in the middle on a fast machine.
        const up = startPulumi(program, ["up", "--yes", "--skip-preview", "--parallel", "8"]);
        const reached = await waitFor(
            `${threshold} intentions`,
            async () => {
                const s = await destinationSources(addresses, destination);
                return s && s.length >= threshold ? s.length : undefined;
            },
            300_000,
            50,
        );
        return { up, reached };
    }

    async function assertConverged(program: PulumiProgram, destination: string): Promise<void> {
        assert.deepEqual(
            await fullListing(addresses).then((l) => l.filter((x) => x.includes(`=>${destination}:`))),
            declaredListing(count, destination),
        );
        const summary = await stateSummary(program);
        assert.equal(summary.resources, count, "one state entry per intention");
        assert.deepEqual(summary.pending, []);
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    }

    it("SIGINT: Pulumi cancels gracefully, records what was written, and the next up converges", async () => {
        const destination = `sigint-${uniqueSuffix()}`;
        const program = await newStack(destination);
        const { up, reached } = await upUntil(program, destination, signalAt);
        up.child.kill("SIGINT");
        const interrupted = await up.done;
        const inConsul = (await destinationSources(addresses, destination))?.length ?? 0;
        const summary = await stateSummary(program);
        console.error(
            `    [sigint] signalled at ${reached}/${count}; CLI exited ${interrupted.code} after ${interrupted.ms} ms; ` +
                `${inConsul} in Consul, ${summary.resources} in state, ${summary.pending.length} pending operations`,
        );
        assert.notEqual(interrupted.code, 0, "an interrupted up reports failure");
        assert.ok(inConsul < count, "interrupted before the end");
        // Graceful cancellation waits for in-flight steps: state and Consul agree, nothing pending.
        assert.deepEqual(summary.pending, []);
        assert.equal(summary.resources, inConsul);

        const rerun = await program.run(["up", "--yes", "--skip-preview"], { timeoutMs: 600_000 });
        assert.equal(rerun.code, 0);
        await assertConverged(program, destination);
    });

    it("SIGKILL: after pulumi cancel and refresh --clear-pending-creates, up keeps identical orphans, refuses a different one until adopted, and converges", async () => {
        const destination = `sigkill-${uniqueSuffix()}`;
        const program = await newStack(destination);
        const { up, reached } = await upUntil(program, destination, signalAt);
        up.child.kill("SIGKILL");
        await up.done;
        // The plugins the CLI started may finish their in-flight calls: wait (bounded) until what Consul
        // holds stops changing, then end them (our process group only).
        let last = -1;
        await waitFor(
            "the killed run's in-flight writes to settle",
            async () => {
                const now = (await destinationSources(addresses, destination))?.length ?? 0;
                const settled = now === last;
                last = now;
                return settled ? true : undefined;
            },
            15_000,
            750,
        );
        killGroup(up.child, "SIGKILL");
        await waitFor("the run's processes to exit", () => Promise.resolve(groupAlive(up.child) ? undefined : true), 30_000);

        const inConsul = (await destinationSources(addresses, destination))?.length ?? 0;
        const locks = path.join(program.env.PULUMI_BACKEND_URL!.replace("file://", ""), ".pulumi", "locks");
        const lockFiles = fs.existsSync(locks) ? fs.readdirSync(locks, { recursive: true }).filter((f) => String(f).endsWith(".json")) : [];

        // 1. The stack is still locked by the dead run: up refuses and names `pulumi cancel`.
        const blocked = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        console.error(
            `    [sigkill] killed at ${reached}/${count}; ${inConsul} in Consul; lock files ${lockFiles.length}; ` +
                `up before recovery exited ${blocked.code}: ${(blocked.stdout + blocked.stderr)
                    .split("\n")
                    .filter((l) => /error|locked|cancel|pending/i.test(l))
                    .slice(0, 3)
                    .join(" | ")}`,
        );
        assert.equal(lockFiles.length, 1);
        assert.notEqual(blocked.code, 0);
        // Either the lock stops it, or (killed while writing the checkpoint) the checkpoint is truncated.
        assert.match(blocked.stdout + blocked.stderr, /locked|failed to load checkpoint/);
        if (/failed to load checkpoint/.test(blocked.stdout + blocked.stderr)) {
            // 1b. The kill hit the checkpoint write (see repairCheckpoint).
            const repaired = repairCheckpoint(program.env.PULUMI_BACKEND_URL!.replace("file://", ""), program.stack);
            console.error(`    [sigkill] the kill hit the checkpoint write; ${repaired.join("; ") || "nothing to repair"}`);
            assert.ok(repaired.length > 0, "a broken checkpoint was found and repaired");
        }

        // 2. Remove the dead run's lock.
        await program.run(["cancel", "--yes"]);
        const pending = (await stateSummary(program)).pending;
        console.error(
            `    [sigkill] after cancel: ${pending.length} pending operations (${[...new Set(pending.map((p) => p.type))].join(", ")})`,
        );

        // 3. Drop the pending creates from the state (Pulumi cannot import them for dynamic resources).
        await program.refresh(["--clear-pending-creates"]);
        const cleared = await stateSummary(program);
        assert.deepEqual(cleared.pending, []);
        const orphans = inConsul - cleared.resources;
        console.error(
            `    [sigkill] after refresh --clear-pending-creates: ${cleared.resources} in state, ${orphans} written but not in state`,
        );

        // 4. An orphan the kill left (written, never recorded) is exactly what its Intention declares: up
        //    takes it as its own (defect 5: identical is success). One that differs is refused: a declared
        //    pair not in the state is written by hand with the other action, so the refusal is checked on
        //    every run.
        const recorded = new Set(cleared.names);
        const index = Array.from({ length: count }, (_, i) => count - 1 - i).find((i) => !recorded.has(`caller-${i}`));
        assert.ok(index !== undefined, "some declared pair is not in the state");
        const flipped = await fetch(`${addresses[0]}/v1/connect/intentions/exact?source=caller-${index}&destination=${destination}`, {
            method: "PUT",
            body: JSON.stringify({ Action: index % 3 === 0 ? "allow" : "deny" }),
        });
        assert.equal(flipped.status, 200, await flipped.text());
        console.error(`    [sigkill] caller-${index} written by hand with the other action (${orphans} orphans left by the kill)`);
        const refused = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true, timeoutMs: 600_000 });
        assert.notEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /already exists in Consul at .*differs from the declared one.*set adopt: true/);
        // 5. up with adoption for this one run takes the differing one over; then adoption is switched off again.
        await program.run(["config", "set", "consul-mesh-two-hundred-intentions:adopt", "true"]);
        const rerun = await program.run(["up", "--yes", "--skip-preview"], { timeoutMs: 600_000 });
        assert.equal(rerun.code, 0);
        await program.run(["config", "rm", "consul-mesh-two-hundred-intentions:adopt"]);
        await program.up();
        await assertConverged(program, destination);
    });

    // The SIGKILL test repairs the checkpoint only when its kill happens to land in the checkpoint
    // write; this test makes both broken shapes such a kill leaves, every time.
    it("a kill inside the checkpoint write: the CLI refuses the broken checkpoint, and the documented repair restores it", async () => {
        const destination = `checkpoint-${uniqueSuffix()}`;
        const program = await newStack(destination, 3);
        await program.up();
        await program.run(["config", "set", "consul-mesh-two-hundred-intentions:count", "4"]);
        await program.up(); // a second save leaves <stack>.json.bak beside <stack>.json
        const stateDir = program.env.PULUMI_BACKEND_URL!.replace("file://", "");
        const stacks = path.join(stateDir, ".pulumi", "stacks");
        const files = fs.readdirSync(stacks, { recursive: true }).map(String);
        const checkpoint = files.find((f) => f.endsWith(`${program.stack}.json`));
        assert.ok(checkpoint, `a checkpoint among ${files.join(", ")}`);
        const file = path.join(stacks, checkpoint);
        assert.ok(fs.existsSync(`${file}.bak`), "the file backend keeps a .bak of the previous checkpoint");

        // 1. Killed between the sidecar's in-place rewrite and the rename: an empty .attrs.
        fs.writeFileSync(`${file}.attrs`, "");
        const emptySidecar = await program.run(["preview"], { allowFailure: true });
        assert.notEqual(emptySidecar.code, 0);
        assert.match(emptySidecar.stdout + emptySidecar.stderr, /failed to load checkpoint/);
        assert.deepEqual(repairCheckpoint(stateDir, program.stack), [`removed unparsable ${checkpoint}.attrs`]);
        await program.run(["preview", "--refresh", "--expect-no-changes"]);

        // 2. A checkpoint cut short (a kill on a backend that writes in place): restored from .bak.
        //    An up with nothing to change saves the checkpoint again, so that .bak holds all 4.
        await program.up();
        const whole = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, whole.slice(0, Math.floor(whole.length / 2)));
        const truncated = await program.run(["preview"], { allowFailure: true });
        assert.notEqual(truncated.code, 0);
        assert.match(truncated.stdout + truncated.stderr, /failed to load checkpoint|unexpected end of JSON|could not deserialize/);
        assert.deepEqual(repairCheckpoint(stateDir, program.stack), [`restored ${checkpoint} from ${checkpoint}.bak`]);
        await program.run(["preview", "--refresh", "--expect-no-changes"]);
        assert.equal((await destinationSources(addresses, destination))?.length, 4);
    });
});
