import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clusterSpecs } from "../../scripts/lib/clusters";
import { consul, DC1, DC2, listIntentions, eventually } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

interface ApiPeering {
    ID: string;
    Name: string;
    State: string;
    PeerServerAddresses?: string[];
    StreamStatus?: { ImportedServices?: string[] | null };
}

const peerings = async (address: string) => (await consul<ApiPeering[]>("GET", `${address}/v1/peerings`)).body;
const states = async (address: string) => (await peerings(address)).map((p) => `${p.Name}:${p.State}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dc2 sees dc1's `api` as an imported service of the peer it calls "dc1". */
async function apiImportedInDc2(): Promise<boolean> {
    const res = await consul<Array<{ Service: { Service: string; PeerName?: string } }>>("GET", `${DC2}/v1/health/service/api?peer=dc1`);
    return res.status === 200 && res.body.some((e) => e.Service.Service === "api" && e.Service.PeerName === "dc1");
}

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
    const start = Date.now();
    const result = await run();
    console.log(`      wall time of ${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
}

// examples/peering through the real Pulumi CLI against the real dc1 and dc2 agents.
describe("examples/peering with the Pulumi CLI", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/peering");
    const dc1GrpcTls = clusterSpecs().find((c) => c.name === "dc1")!.ports.grpcTls;

    before(async () => {
        await program.init({ "consul-mesh-peering:dc1Address": DC1, "consul-mesh-peering:dc2Address": DC2 });
        // The test registers `api` in dc1 (there is no agent-run service here): the catalog is enough to export it.
        const reg = await consul("PUT", `${DC1}/v1/catalog/register`, {
            Node: "api-node",
            Address: "10.0.0.10",
            Service: { Service: "api", Port: 8080 },
        });
        assert.equal(reg.status, 200);
    });
    after(async () => {
        const state = await program.run(["stack", "ls"], { allowFailure: true });
        if (state.code === 0) await program.destroy().catch(() => undefined);
        program.cleanup();
        await consul("PUT", `${DC1}/v1/catalog/deregister`, { Node: "api-node" });
    });

    it("peers dc1 and dc2: both ACTIVE, api exported and imported, the peer's frontend allowed", async () => {
        await timed("pulumi up (create)", () => program.up());
        const outputs = await program.outputs();
        assert.deepEqual([outputs.acceptorState, outputs.dialerState], ["ACTIVE", "ACTIVE"]);
        assert.deepEqual([outputs.acceptorPeerName, outputs.dialerPeerName], ["dc2", "dc1"]);
        assert.equal(outputs.remoteDatacenter, "dc1");
        assert.deepEqual(await states(DC1), ["dc2:ACTIVE"]);
        assert.deepEqual(await states(DC2), ["dc1:ACTIVE"]);
        // The token's server address is dc1's loopback address and grpc_tls port.
        assert.deepEqual((await peerings(DC2))[0].PeerServerAddresses, [`127.0.0.1:${dc1GrpcTls}`]);

        assert.ok(await eventually(apiImportedInDc2), "dc2 imports dc1's api");
        const dialer = (await peerings(DC2))[0];
        assert.deepEqual(dialer.StreamStatus?.ImportedServices, ["api"]);
        const intentions = await listIntentions(DC1);
        assert.deepEqual(
            intentions.filter((i) => i.DestinationName === "api").map((i) => [i.SourcePeer, i.SourceName, i.Action]),
            [["dc2", "frontend", "allow"]],
        );
    });

    it("shows no changes on preview, refresh and preview --refresh of the healthy stack", async () => {
        // A refresh that changes nothing leaves the state as up wrote it, so the preview that follows
        // (with a refresh of its own) answers for a plain preview of that state too.
        await program.refresh(["--expect-no-changes"]);
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    it("keeps the peering token only as ciphertext in the stack export", async () => {
        const plain = JSON.parse((await program.run(["stack", "export", "--show-secrets"])).stdout) as {
            deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> };
        };
        const tokenResource = plain.deployment.resources.find((r) => r.type.endsWith("consul-mesh:PeeringToken"));
        // With --show-secrets a secret is { <sig>, plaintext: <JSON text> }.
        const shown = tokenResource?.outputs?.peeringToken as { plaintext?: string } | string | undefined;
        const token = typeof shown === "object" && shown.plaintext ? (JSON.parse(shown.plaintext) as string) : shown;
        assert.ok(typeof token === "string" && token.length > 100, "the token is in state");
        const exported = await program.exportState();
        assert.ok(!exported.includes(token), "the token must not appear in plaintext");
        const parsed = JSON.parse(exported) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } };
        for (const type of ["consul-mesh:PeeringToken", "consul-mesh:Peering"]) {
            const secret = parsed.deployment.resources.find((r) => r.type.endsWith(type))?.outputs?.peeringToken as Record<string, unknown>;
            assert.ok(secret && typeof secret.ciphertext === "string", `${type}.peeringToken is ciphertext`);
        }
    });

    it("notices the dialer's peering deleted by hand, and up brings both sides back to ACTIVE", async () => {
        assert.equal((await consul("DELETE", `${DC2}/v1/peering/dc1`)).status, 200);
        assert.ok(await eventually(async () => (await states(DC2)).length === 0));
        const refresh = await program.refresh();
        assert.match(refresh.stdout, /Peering dc1-dc2-peering deleted/);
        // The acceptor's side was TERMINATED by the deletion: its token is reported gone too.
        assert.match(refresh.stdout, /PeeringToken dc1-dc2-token deleted/);
        await timed("pulumi up (re-establish)", () => program.up());
        assert.deepEqual(await states(DC1), ["dc2:ACTIVE"]);
        assert.deepEqual(await states(DC2), ["dc1:ACTIVE"]);
        assert.ok(await eventually(apiImportedInDc2), "dc2 imports api again");
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    it("rotates the token when its version is bumped: one up, both sides ACTIVE on new peerings", async () => {
        const before = (await peerings(DC1))[0].ID;
        await program.run(["config", "set", "tokenVersion", "2"]);
        const result = await timed("pulumi up (token rotation)", () => program.up());
        assert.match(result.stdout, /PeeringToken dc1-dc2-token replaced/);
        assert.match(result.stdout, /Peering dc1-dc2-peering replaced/);
        assert.deepEqual(await states(DC1), ["dc2:ACTIVE"]);
        assert.deepEqual(await states(DC2), ["dc1:ACTIVE"]);
        assert.notEqual((await peerings(DC1))[0].ID, before, "a new acceptor peering");
        assert.ok(await eventually(apiImportedInDc2), "dc2 imports api over the new peering");
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    // Issue 15, defect 1: another spelling of the same address is the same cluster.
    it("keeps the live peering when only the spelling of both addresses changes (previewed as no change); a real move previews a replacement naming both clusters", async () => {
        const before = (await peerings(DC2))[0];
        // Both sides re-spelled (issue 31, item 11: the acceptor side's re-spelling previewed the
        // Peering as a replacement, since the token it is fed became unknown in the preview).
        await program.run(["config", "set", "dc1Address", `${DC1}/`]);
        await program.run(["config", "set", "dc2Address", DC2.replace("http://", "HTTP://")]);
        const planned = await program.preview();
        assert.deepEqual(changingSteps(planned.steps), [], "a re-spelling previews no change on either side");
        const result = await timed("pulumi up (addresses respelled)", () => program.up());
        assert.doesNotMatch(result.stdout, /replaced/);
        const after = (await peerings(DC2))[0];
        assert.deepEqual([after.ID, after.State], [before.ID, "ACTIVE"], "the same peering, still ACTIVE");
        assert.deepEqual(await states(DC1), ["dc2:ACTIVE"]);
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);

        // Really another cluster: the preview replaces the Peering and says from where to where.
        await program.run(["config", "set", "dc2Address", DC1]);
        const preview = await program.run(["preview", "--diff"]);
        const quoted = (a: string) => `"${a.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"`;
        assert.match(preview.stdout, new RegExp(`cluster\\s*:\\s*${quoted(DC2)}\\s*=>\\s*${quoted(DC1)}`));
        assert.match(preview.stdout, /\+-pulumi-nodejs:dynamic\/consul-mesh:Peering: \(replace\)/);
        await program.run(["config", "set", "dc2Address", DC2]);
    });

    it("destroys both sides: no peering left in either cluster", async () => {
        await timed("pulumi destroy", () => program.destroy());
        assert.deepEqual(await peerings(DC1), []);
        assert.deepEqual(await peerings(DC2), []);
        // The acceptor hears of the dialer's deletion seconds later: still nothing TERMINATED after that.
        await sleep(6000);
        assert.deepEqual(await peerings(DC1), []);
        assert.equal((await consul("GET", `${DC1}/v1/config/exported-services/default`)).status, 404);
        assert.deepEqual(
            (await listIntentions(DC1)).filter((i) => i.SourcePeer === "dc2"),
            [],
        );
    });
});

describe("establishing with a bad token through the Pulumi CLI", function () {
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-bad-token-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bad-token\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    fs.copyFileSync(path.resolve(__dirname, "../../examples/peering/tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.copyFileSync(path.resolve(__dirname, "../../examples/peering/package.json"), path.join(dir, "package.json"));
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        [
            'import * as pulumi from "@pulumi/pulumi";',
            'import * as mesh from "consul-mesh";',
            "const config = new pulumi.Config();",
            'new mesh.Peering("bad", { peerName: "bad-peer", peeringToken: config.requireSecret("token"), connection: { address: config.require("dc2Address") } });',
            "",
        ].join("\n"),
    );
    const program = new PulumiProgram(dir);

    before(() => program.init({ "bad-token:dc2Address": DC2 }));
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
        fs.rmSync(dir, { recursive: true, force: true });
        await consul("DELETE", `${DC1}/v1/peering/bad-acceptor`);
    });

    it("rejects garbage at preview, before anything reaches Consul", async () => {
        await program.run(["config", "set", "--secret", "token", "this-is-not-a-token"]);
        const result = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /peeringToken is not a Consul peering token/);
        assert.ok(!(result.stdout + result.stderr).includes("this-is-not-a-token"), "the token is not echoed");
        assert.deepEqual(await peerings(DC2), []);
    });

    it("says a superseded token is used up and leaves no PENDING peering in the dialer", async () => {
        const first = await consul<{ PeeringToken: string }>("POST", `${DC1}/v1/peering/token`, { PeerName: "bad-acceptor" });
        await consul("POST", `${DC1}/v1/peering/token`, { PeerName: "bad-acceptor" });
        await program.run(["config", "set", "--secret", "token", first.body.PeeringToken]);
        const result = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /the peering token was already used, or a newer token was generated/);
        assert.deepEqual(await peerings(DC2), []);
    });
});
