// Findings (high, issue 31 items 1 and 2), end to end through the Pulumi CLI on real Consul agents:
// 1. A stack deployed with CONSUL_HTTP_ADDR=<dc3> and refreshed with CONSUL_HTTP_ADDR=<other> sent
//    dc3's management token and a policy's own token to the other server and reported the resources
//    deleted. Now the refresh reads the policy at dc3 with its own token, sends nothing to the other
//    server, and fails for the rest naming both clusters and what to set; nothing is dropped.
// 2. Moving consul-mesh:address/token from dc3 to dc4 replaced the objects but sent the DELETEs to
//    dc4: the old token still authenticated on dc3 and the state had forgotten it. Now the new objects
//    are made on dc4, the delete of the old ones goes to dc3 only, and without a dc3 token it fails
//    loudly (the state keeps them); with the advised CONSUL_HTTP_ADDR/CONSUL_HTTP_TOKEN it deletes them on dc3.
// dc3 and dc4 are ACL clusters (default deny) of this file; the "other" server of story 1 records requests.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { clusterAddress, start, stop } from "../../scripts/lib/clusters";
import { consul } from "../support/consul";
import { PulumiProgram } from "../support/pulumi";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";

const log = (m: string) => console.error(`[clusters] ${m}`);
const DC3 = clusterAddress("dc3");
const DC4 = clusterAddress("dc4");
const PROGRAM = "tests/security/programs/cluster-move";

async function bootstrap(address: string): Promise<string> {
    const res = await consul<{ SecretID: string }>("PUT", `${address}/v1/acl/bootstrap`);
    assert.equal(res.status, 200, `bootstrap ${address}: ${JSON.stringify(res.body)}`);
    return res.body.SecretID;
}

/** HTTP status of a GET with `token` (200: the object exists and the token works). */
async function statusOf(url: string, token: string): Promise<number> {
    return (await consul("GET", url, undefined, token)).status;
}

const stateSchema = z.object({
    deployment: z.object({
        resources: z.array(z.object({ type: z.string(), id: z.string().optional(), delete: z.boolean().optional() }).loose()).default([]),
    }),
});

/** The consul-mesh resources the state tracks, as `Kind id` (with " (pending delete)" for old sides of a replacement). */
async function tracked(program: PulumiProgram): Promise<string[]> {
    const state = stateSchema.parse(JSON.parse(await program.exportState()));
    return state.deployment.resources
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/consul-mesh:"))
        .map((r) => `${r.type.split(":").pop()} ${r.id ?? ""}${r.delete ? " (pending delete)" : ""}`)
        .sort();
}

const outputsSchema = z.object({ policyId: z.string(), accessorId: z.string(), secretId: z.string() });

describe("security: refresh and delete reach the resource's recorded cluster (Pulumi CLI, real agents)", function () {
    this.timeout(600_000);
    let program: PulumiProgram | undefined;
    let other: RecordingServer | undefined;
    let management3 = "";
    let management4 = "";

    before(async () => {
        for (const name of ["dc3", "dc4"]) {
            await stop(name, { log });
            await start(name, { acl: true, log });
        }
        [management3, management4] = [await bootstrap(DC3), await bootstrap(DC4)];
    });
    afterEach(async () => {
        program?.cleanup();
        program = undefined;
        await other?.close();
        other = undefined;
    });
    after(async () => {
        for (const name of ["dc3", "dc4"]) await stop(name, { log });
    });

    it("story 1: a refresh with CONSUL_HTTP_ADDR moved sends nothing there and drops nothing", async () => {
        const management = management3;
        other = await startRecordingServer(() => ({ status: 404, body: "not found" }));
        program = new PulumiProgram(PROGRAM, "story1");
        Object.assign(program.env, { CONSUL_HTTP_ADDR: DC3, CONSUL_HTTP_TOKEN: management });
        await program.init({ "consul-mesh-cluster-move:suffix": "one" }, { "consul-mesh-cluster-move:policyToken": management });
        await program.up();
        const before = await tracked(program);
        assert.equal(before.length, 3, before.join(", "));

        Object.assign(program.env, { CONSUL_HTTP_ADDR: other.address });
        const refresh = await program.refresh([], true);
        const printed = refresh.stdout + refresh.stderr;
        assert.notEqual(refresh.code, 0, "the refresh fails loudly");
        assert.deepEqual(other.requests, [], "the other server received nothing (no token, no request)");
        assert.ok(printed.includes(`lives at ${DC3}`) && printed.includes(`reach ${other.address}`), printed);
        assert.ok(printed.includes(`CONSUL_HTTP_ADDR=${DC3} and CONSUL_HTTP_TOKEN`), "says what to set");
        assert.ok(!printed.includes(management), "no token in the output");
        assert.deepEqual(await tracked(program), before, "nothing was dropped from the state");

        // With the settings back on dc3, a refresh is a plain one: nothing changed.
        Object.assign(program.env, { CONSUL_HTTP_ADDR: DC3 });
        await program.refresh();
        assert.equal((await program.preview(["--expect-no-changes"])).result.code, 0);
        await program.destroy();
    });

    it("story 2: moving consul-mesh:address/token deletes the old objects on the old cluster, never at the new one", async () => {
        program = new PulumiProgram(PROGRAM, "story2");
        await program.init({ "consul-mesh:address": DC3, "consul-mesh-cluster-move:suffix": "two" }, { "consul-mesh:token": management3 });
        await program.up();
        const old = outputsSchema.parse(await program.outputs());
        assert.equal(await statusOf(`${DC3}/v1/acl/token/self`, old.secretId), 200);

        await program.run(["config", "set", "consul-mesh:address", DC4]);
        await program.run(["config", "set", "--secret", "consul-mesh:token", management4]);
        const move = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        const printed = move.stdout + move.stderr;
        assert.notEqual(move.code, 0, "without a dc3 token the delete of the old side fails loudly");
        assert.ok(printed.includes(`lives at ${DC3}`) && printed.includes(`reach ${DC4}`), printed);
        assert.match(printed, /did not send (DELETE|GET)/);
        assert.ok(![management3, management4].some((t) => printed.includes(t)), "no token in the output");
        // The old objects are alive on dc3 and still tracked. The policy and the entry are deleted before
        // they are made again (Consul keys them by name), so they stay as they were and dc4 has no such
        // policy; the token is made anew first (on dc4, if the update got that far before the first
        // error stopped it), its old side then pending deletion.
        assert.equal(await statusOf(`${DC3}/v1/acl/token/self`, old.secretId), 200);
        assert.equal(await statusOf(`${DC3}/v1/acl/policy/${old.policyId}`, management3), 200);
        assert.equal((await consul("GET", `${DC3}/v1/config/service-defaults/api-two`, undefined, management3)).status, 200);
        const names = await consul<Array<{ Name: string }>>("GET", `${DC4}/v1/acl/policies`, undefined, management4);
        assert.ok(!names.body.some((p) => p.Name === "moved-policy-two"));
        const after = await tracked(program);
        assert.ok(after.includes(`AclPolicy ${old.policyId}`) && after.includes("ServiceDefaults api-two"), after.join(", "));
        const oldToken = after.filter((r) => r.startsWith(`AclToken ${old.accessorId}`));
        assert.equal(oldToken.length, 1, after.join(", "));
        for (const made of after.filter((r) => r.startsWith("AclToken ") && !r.includes(old.accessorId))) {
            assert.equal(oldToken[0], `AclToken ${old.accessorId} (pending delete)`);
            const accessor = made.split(" ")[1];
            assert.equal((await consul("GET", `${DC4}/v1/acl/token/${accessor}`, undefined, management4)).status, 200, made);
        }

        // The advice: a dc3 token for this run, through the environment (the stack config stays on dc4).
        Object.assign(program.env, { CONSUL_HTTP_ADDR: DC3, CONSUL_HTTP_TOKEN: management3 });
        await program.up();
        assert.ok(
            [403, 404].includes(await statusOf(`${DC3}/v1/acl/token/self`, old.secretId)),
            "the old token no longer authenticates on dc3",
        );
        assert.ok(
            [403, 404].includes(await statusOf(`${DC3}/v1/acl/policy/${old.policyId}`, management3)),
            "the old policy is gone from dc3",
        );
        assert.equal((await consul("GET", `${DC3}/v1/config/service-defaults/api-two`, undefined, management3)).status, 404);
        const moved = outputsSchema.parse(await program.outputs());
        assert.equal(await statusOf(`${DC4}/v1/acl/token/self`, moved.secretId), 200, "the new token lives on dc4");
        assert.equal((await consul("GET", `${DC4}/v1/config/service-defaults/api-two`, undefined, management4)).status, 200);
        assert.ok(!(await tracked(program)).some((r) => r.includes("pending delete")));
        // Back to the plain settings (the stack config on dc4, no environment token): nothing to change.
        Object.assign(program.env, { CONSUL_HTTP_ADDR: clusterAddress("dc1") });
        delete program.env.CONSUL_HTTP_TOKEN;
        assert.equal((await program.preview(["--expect-no-changes"])).result.code, 0);
        await program.destroy();
    });
});
