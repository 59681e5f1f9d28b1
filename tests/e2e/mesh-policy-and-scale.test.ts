import { strict as assert } from "node:assert";
import { consul, DC1, listIntentions, uniqueSuffix } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

describe("examples/mesh-policy with the Pulumi CLI", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/mesh-policy");
    before(() => program.init());
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("turns the graph into one entry per destination plus the default, and destroys them", async () => {
        await program.up();
        const outputs = await program.outputs();
        assert.deepEqual(outputs.destinations, ["*", "api", "cache", "db"]);
        const pairs = (await listIntentions(DC1))
            .filter((i) => ["*", "api", "cache", "db"].includes(i.DestinationName))
            .map((i) => `${i.SourcePeer ? `${i.SourcePeer}/` : ""}${i.SourceName}=>${i.DestinationName}:${i.Action}`)
            .sort();
        assert.deepEqual(pairs, [
            "*=>*:deny",
            "api=>cache:allow",
            "api=>db:allow",
            "dc2/*=>*:deny",
            "dc2/frontend=>api:allow",
            "web=>api:allow",
            "web=>db:deny",
        ]);
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
        await program.destroy();
        assert.deepEqual(
            (await listIntentions(DC1)).filter((i) => ["*", "api", "cache", "db"].includes(i.DestinationName)),
            [],
        );
    });
});

describe("50 Intentions for one destination in one pulumi up", function () {
    this.timeout(300_000);
    const destination = `busy-${uniqueSuffix()}`;
    const program = new PulumiProgram("tests/e2e/programs/many-intentions");
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("loses none of the parallel writes, and destroy removes all", async () => {
        await program.init({ "consul-mesh-many-intentions:count": "50", "consul-mesh-many-intentions:destination": destination });
        await program.up(["--parallel", "50"]);
        const listed = (await listIntentions(DC1)).filter((i) => i.DestinationName === destination);
        assert.equal(listed.length, 50);
        for (let i = 0; i < 50; i++) {
            assert.equal(listed.find((x) => x.SourceName === `caller-${i}`)?.Action, i % 3 === 0 ? "deny" : "allow", `caller-${i}`);
        }
        await program.destroy();
        assert.equal((await consul("GET", `${DC1}/v1/config/service-intentions/${destination}`)).status, 404);
    });
});

describe("adopting intentions made outside Pulumi", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/adopt");
    before(() => program.init());
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("takes them over with adopt: true, then shows no changes", async () => {
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=old-web&destination=old-api`, { Action: "deny" });
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=old-api&destination=old-db`, { Action: "allow" });
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=stray&destination=old-db`, { Action: "allow" });
        await program.up();
        const pairs = (await listIntentions(DC1))
            .filter((i) => i.DestinationName.startsWith("old-"))
            .map((i) => `${i.SourceName}=>${i.DestinationName}:${i.Action}`)
            .sort();
        assert.deepEqual(pairs, ["*=>old-db:deny", "old-api=>old-db:allow", "old-web=>old-api:allow"]);
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });
});
