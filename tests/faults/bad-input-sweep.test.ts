import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { clusterSnapshot } from "../support/faults";
import { PulumiProgram } from "../support/pulumi";
import { BAD_INPUTS } from "./bad-input-cases";

// Every invalid input in the table goes through the real `pulumi preview` while a valid stack is
// deployed: each one is refused at check time naming its property, and Consul's full listing is the
// same before and after (nothing was written, deleted or half-made).
describe("faults: bad-input sweep across every resource", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const WORKERS = 4;
    const program = new PulumiProgram("tests/e2e/programs/from-json");
    const workers: PulumiProgram[] = [];
    const file = path.join(program.workDir, "..", "resources.json");
    const valid = [
        { kind: "Intention", name: "ok-intention", args: { source: "web", destination: "api", action: "allow" } },
        { kind: "ServiceIntentions", name: "ok-db", args: { destination: "db", sources: [{ name: "api", action: "allow" }] } },
        { kind: "ServiceDefaults", name: "ok-defaults", args: { name: "api", protocol: "http" } },
        { kind: "CaConfiguration", name: "ok-ca", args: { config: { leafCertTtl: "72h" } } },
    ];

    before(async () => {
        await start("dc4", { log });
        const address = clusterAddresses("dc4")[0];
        program.env.CONSUL_HTTP_ADDR = address;
        fs.writeFileSync(file, JSON.stringify(valid));
        await program.init({ "consul-mesh-from-json:file": file, "consul-mesh:address": address });
        await program.up();
    });
    after(async () => {
        for (const w of workers) w.cleanup();
        program.cleanup();
        await stop("dc4", { log });
    });

    it(`refuses each of ${BAD_INPUTS.length} invalid inputs at preview, naming the property, and changes nothing in Consul`, async () => {
        assert.ok(BAD_INPUTS.length >= 100);
        const address = clusterAddresses("dc4")[0];
        const before = await clusterSnapshot(address);
        // The engine stops a preview at the first resource whose check fails, so each case gets a
        // preview of its own; WORKERS stacks preview side by side to keep the sweep to a few minutes.
        const queue = BAD_INPUTS.map((c, i) => ({ ...c, name: `bad-${i}` }));
        const refused: string[] = [];
        const started = Date.now();
        const worker = async (w: number) => {
            const stack = new PulumiProgram("tests/e2e/programs/from-json", `sweep-${w}`);
            workers.push(stack);
            const caseFile = path.join(stack.workDir, "..", "case.json");
            fs.writeFileSync(caseFile, "[]");
            await stack.init({ "consul-mesh-from-json:file": caseFile, "consul-mesh:address": address });
            for (let c = queue.shift(); c; c = queue.shift()) {
                fs.writeFileSync(caseFile, JSON.stringify([{ kind: c.kind, name: c.name, args: c.args }]));
                const result = await stack.run(["preview"], { allowFailure: true, timeoutMs: 120_000 });
                const text = result.stdout + result.stderr;
                const what = `${c.name}: ${c.kind} ${JSON.stringify(c.args).slice(0, 160)}`;
                assert.notEqual(result.code, 0, `preview must fail for ${what}`);
                const marker = `resource '${c.name}${c.childSuffix ?? ""}': property ${c.property} value`;
                const line = text.split("\n").find((l) => l.includes(marker));
                assert.ok(line, `${what}: expected "${marker}" in\n${text.slice(0, 2000)}`);
                assert.match(line, c.reason, what);
                refused.push(c.name);
            }
        };
        await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
        const kinds = new Set(BAD_INPUTS.map((c) => c.kind));
        console.error(
            `    [bad-input] ${refused.length}/${BAD_INPUTS.length} invalid inputs over ${kinds.size} kinds refused by pulumi preview ` +
                `(property named, reason matched) in ${Date.now() - started} ms with ${WORKERS} stacks`,
        );
        assert.equal(refused.length, BAD_INPUTS.length);
        assert.deepEqual(await clusterSnapshot(address), before, "Consul unchanged");
        // The deployed stack is untouched too.
        await program.run(["preview", "--refresh", "--expect-no-changes"]);
    });
});
