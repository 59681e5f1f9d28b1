import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { clusterSnapshot } from "../support/faults";
import { PulumiProgram } from "../support/pulumi";
import { BAD_INPUTS, type BadInputCase } from "./bad-input-cases";

// Invalid inputs go through the real `pulumi preview` while a valid stack is deployed: each one is
// refused at check time naming its property, and Consul's full listing is the same before and after
// (nothing was written, deleted or half-made). The engine stops a preview at the first invalid
// resource, so each case costs a preview of its own (about 3 s): every case of the table goes through
// the SDK class and the provider's check in process (tests/unit/bad-input-check.test.ts), and this
// sweep sends a sample through the CLI: per resource or component kind, its case with the deepest
// property path. Together these cover the engine's reporting of top-level and nested properties,
// secret-wrapped inputs (AclBootstrap's connection, Peering's acceptor, AclAuthMethod's kubernetes)
// and component children (MeshPolicy, ClusterPeering) end to end, for every kind.
function cliSample(cases: BadInputCase[]): BadInputCase[] {
    const depth = (c: BadInputCase) => c.property.split(".").length;
    const picked = new Set<BadInputCase>();
    for (const kind of new Set(cases.map((c) => c.kind))) {
        picked.add(cases.filter((c) => c.kind === kind).reduce((deepest, c) => (depth(c) > depth(deepest) ? c : deepest)));
    }
    return cases.filter((c) => picked.has(c));
}

describe("faults: bad-input sweep across every resource", function () {
    this.timeout(900_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const WORKERS = 3;
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

    const sample = cliSample(BAD_INPUTS);

    it("refuses an invalid input of every kind at preview, naming the property, and changes nothing in Consul", async () => {
        assert.ok(BAD_INPUTS.length >= 100);
        assert.equal(new Set(sample.map((c) => c.kind)).size, new Set(BAD_INPUTS.map((c) => c.kind)).size, "every kind sampled");
        assert.ok(
            sample.some((c) => !c.property.includes(".")),
            "a top-level property among the sampled cases",
        );
        assert.ok(
            sample.some((c) => c.property.split(".").length >= 3),
            "a deeply nested property among the sampled cases",
        );
        assert.ok(
            sample.some((c) => c.childSuffix !== undefined),
            "a component child's failure among the sampled cases",
        );
        const address = clusterAddresses("dc4")[0];
        const before = await clusterSnapshot(address);
        // WORKERS stacks preview side by side.
        const queue = sample.map((c) => ({ ...c, name: `bad-${BAD_INPUTS.indexOf(c)}` }));
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
            `    [bad-input] ${refused.length}/${sample.length} sampled invalid inputs over ${kinds.size} kinds refused by pulumi preview ` +
                `(property named, reason matched) in ${Date.now() - started} ms with ${WORKERS} stacks`,
        );
        assert.equal(refused.length, sample.length);
        assert.deepEqual(await clusterSnapshot(address), before, "Consul unchanged");
        // The deployed stack is untouched too.
        await program.run(["preview", "--refresh", "--expect-no-changes"]);
    });
});
