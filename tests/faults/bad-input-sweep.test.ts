import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { clusterSnapshot } from "../support/faults";
import { PulumiProgram } from "../support/pulumi";
import { BAD_INPUTS } from "./bad-input-cases";

// Every invalid input in the table goes through the real `pulumi preview` next to a deployed, valid
// stack: each one is refused at check time naming its property, and Consul is byte-for-byte the
// same before and after (nothing was written, deleted or half-made).
describe("faults: bad-input sweep across every resource", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const program = new PulumiProgram("tests/e2e/programs/from-json");
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
        program.cleanup();
        await stop("dc4", { log });
    });

    it(`refuses each of ${BAD_INPUTS.length} invalid inputs at preview, naming the property, and changes nothing in Consul`, async () => {
        assert.ok(BAD_INPUTS.length >= 100);
        const address = clusterAddresses("dc4")[0];
        const before = await clusterSnapshot(address);
        const expected = BAD_INPUTS.map((c, i) => ({ ...c, name: `bad-${i}` }));
        // One preview reports every resource whose check fails; should the engine stop early, the
        // cases not yet reported go into another preview (a preview that reports none of them fails).
        let remaining = expected;
        let previews = 0;
        const started = Date.now();
        while (remaining.length > 0) {
            fs.writeFileSync(file, JSON.stringify([...valid, ...remaining.map(({ kind, name, args }) => ({ kind, name, args }))]));
            const result = await program.run(["preview"], { allowFailure: true, timeoutMs: 600_000 });
            previews++;
            const text = result.stdout + result.stderr;
            assert.notEqual(result.code, 0, "preview must fail");
            const reported = remaining.filter((c) => text.includes(`resource '${c.name}${c.childSuffix ?? ""}': property ${c.property} value`));
            assert.ok(reported.length > 0, `no case reported by preview ${previews}:\n${text.slice(0, 3000)}`);
            for (const c of reported) {
                const line = text.split("\n").find((l) => l.includes(`resource '${c.name}${c.childSuffix ?? ""}': property ${c.property} value`))!;
                assert.match(line, c.reason, `${c.name} (${c.kind} ${JSON.stringify(c.args).slice(0, 120)})`);
            }
            remaining = remaining.filter((c) => !reported.includes(c));
        }
        console.error(`    [bad-input] ${expected.length} invalid inputs (${new Set(expected.map((c) => c.kind)).size} kinds) all refused by ${previews} preview(s) in ${Date.now() - started} ms`);
        assert.deepEqual(await clusterSnapshot(address), before, "Consul unchanged");
        // The deployed stack is untouched too: back to the valid program, nothing to do.
        fs.writeFileSync(file, JSON.stringify(valid));
        await program.run(["preview", "--refresh", "--expect-no-changes"]);
    });
});
