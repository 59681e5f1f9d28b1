import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { consul, DC1, uniqueSuffix } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

interface Exported {
    ModifyIndex: number;
    Services?: Array<{ Name: string; Consumers?: Array<{ Peer?: string }> }>;
}

const pairsIn = (entry: Exported | undefined) =>
    (entry?.Services ?? []).flatMap((s) => (s.Consumers ?? []).map((c) => `${s.Name}/${c.Peer}`)).sort();

// Defect 6: ExportedServices wrote with cas=0 then a blind PUT, which overwrote a concurrent
// writer's change. Pulumi `up`s and a script doing read-modify-write with ?cas= on the same
// exported-services entry run at the same time: every pair either writer wrote is there at the end.
describe("ExportedServices and another writer on the same entry", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/from-json");
    const file = path.join(program.workDir, "..", "resources.json");
    const mark = uniqueSuffix();
    const declare = (services: string[]) =>
        fs.writeFileSync(
            file,
            JSON.stringify([
                {
                    kind: "ExportedServices",
                    name: "exports",
                    args: { services: services.map((name) => ({ name, consumers: [{ peer: "peer-a" }] })), connection: { address: DC1 } },
                },
            ]),
        );

    before(async () => {
        await consul("DELETE", `${DC1}/v1/config/exported-services/default`);
        declare([`pulumi-${mark}-0`]);
        await program.init({ "consul-mesh-from-json:file": file });
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
        await consul("DELETE", `${DC1}/v1/config/exported-services/default`);
    });

    /** Adds script-<n> pairs with read-modify-write and ?cas= until `until` settles (at most 60 writes). */
    async function scriptWriter(until: Promise<unknown>): Promise<string[]> {
        let done = false;
        void until.finally(() => (done = true));
        const written: string[] = [];
        for (let n = 0; !done && n < 60; n++) {
            const service = `script-${mark}-${n}`;
            for (let attempt = 0; ; attempt++) {
                assert.ok(attempt < 50, "the script's compare-and-set kept failing");
                const res = await consul<Exported>("GET", `${DC1}/v1/config/exported-services/default`);
                const current = res.status === 404 ? undefined : res.body;
                const services = [...(current?.Services ?? []), { Name: service, Consumers: [{ Peer: "peer-b" }] }];
                const put = await consul<boolean>("PUT", `${DC1}/v1/config?cas=${current?.ModifyIndex ?? 0}`, {
                    Kind: "exported-services",
                    Name: "default",
                    Services: services,
                });
                assert.equal(put.status, 200, JSON.stringify(put.body));
                if (put.body === true) break;
            }
            written.push(`${service}/peer-b`);
        }
        return written;
    }

    it("loses neither the stack's pairs nor the script's", async () => {
        const declared: string[] = [];
        const scripted: string[] = [];
        // Three ups, each adding services, while the script writes.
        for (let round = 1; round <= 3; round++) {
            const services = Array.from({ length: round * 4 }, (_, i) => `pulumi-${mark}-${i}`);
            declare(services);
            const up = program.up();
            scripted.push(...(await scriptWriter(up)));
            await up;
            declared.splice(0, declared.length, ...services.map((s) => `${s}/peer-a`));
        }
        assert.ok(scripted.length > 0, "the script wrote while Pulumi ran");
        const held = pairsIn((await consul<Exported>("GET", `${DC1}/v1/config/exported-services/default`)).body);
        assert.deepEqual(held, [...declared, ...scripted].sort());
        // The script's pairs are not the stack's: no drift, and destroy removes only the stack's.
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
        await program.destroy();
        const left = pairsIn((await consul<Exported>("GET", `${DC1}/v1/config/exported-services/default`)).body);
        assert.deepEqual(left, [...scripted].sort());
    });
});
