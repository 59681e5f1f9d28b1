import { strict as assert } from "node:assert";
import { runImport } from "../support/import-cli";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consul, DC1, DC2 } from "../support/consul";
import { waitFor } from "../support/faults";
import { PulumiProgram } from "../support/pulumi";

// `consul-mesh import` of a peering made by hand (dc1 accepts, dc2 dials): the dialing side is
// declared as a Peering whose token comes from secret stack config, the accepting side is named as
// not adoptable; one up adopts the live peering without re-establishing it (same IDs, still ACTIVE),
// refresh shows no change, destroy leaves it in place.

interface PeeringView {
    ID: string;
    PeerID?: string;
    State: string;
}

async function peering(address: string, name: string): Promise<PeeringView | undefined> {
    const res = await consul<PeeringView>("GET", `${address}/v1/peering/${name}`);
    return res.status === 200 ? res.body : undefined;
}

async function newToken(): Promise<string> {
    const res = await consul<{ PeeringToken: string }>("POST", `${DC1}/v1/peering/token`, { PeerName: "imp-dc2" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.PeeringToken;
}

describe("consul-mesh import of a hand-made peering, adopted through the Pulumi CLI", function () {
    this.timeout(300_000);
    let outDir: string;
    let program: PulumiProgram;
    let original: PeeringView;

    before(async () => {
        const established = await consul("POST", `${DC2}/v1/peering/establish`, { PeerName: "imp-dc1", PeeringToken: await newToken() });
        assert.equal(established.status, 200, JSON.stringify(established.body));
        original = await waitFor(
            "the dialer's peering to be ACTIVE",
            async () => {
                const p = await peering(DC2, "imp-dc1");
                return p?.State === "ACTIVE" ? p : undefined;
            },
            60_000,
        );
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-import-peering-"));
    });
    after(async () => {
        program?.cleanup();
        if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
        await consul("DELETE", `${DC2}/v1/peering/imp-dc1`);
        await consul("DELETE", `${DC1}/v1/peering/imp-dc2`);
        // Deletion is asynchronous: the other suites on dc1 and dc2 find no peering of this file.
        for (const [address, name] of [
            [DC2, "imp-dc1"],
            [DC1, "imp-dc2"],
        ]) {
            await waitFor(`peering ${name} to be gone`, async () => ((await peering(address, name)) ? undefined : true), 30_000);
        }
    });

    it("names the accepting side as not adoptable", async () => {
        // Every kind: dc1 runs without ACLs, which is no error.
        const dry = await runImport(["--address", DC1, "--dry-run"]);
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stderr, /ACLs are disabled on this cluster: no ACL objects/);
        assert.match(dry.stderr, /not declared: peering "imp-dc2" \(accepting side\): the token it gave out cannot be read back/);
        assert.doesNotMatch(dry.stdout, /^Peering /m);
    });

    it("declares the dialing side with its token from secret config, and one up adopts it without re-establishing", async () => {
        const imported = await runImport(["--address", DC2, "--kinds", "peerings", "--out", outDir, "--project", "imported-peering"]);
        assert.equal(imported.code, 0, imported.stderr);
        const index = fs.readFileSync(path.join(outDir, "index.ts"), "utf8");
        assert.match(index, /new mesh\.Peering\(\n {4}"peering-imp-dc1",\n {4}\{\n {8}peerName: "imp-dc1",/);
        assert.match(index, /peeringToken: config\.requireSecret\("peeringToken-imp-dc1"\)/);
        assert.match(fs.readFileSync(path.join(outDir, "README.md"), "utf8"), /pulumi config set --secret peeringToken-imp-dc1/);

        program = new PulumiProgram(outDir, "adopt");
        // A token generated again on the acceptor: the live peering keeps its stream secrets.
        await program.init({}, { "imported-peering:peeringToken-imp-dc1": await newToken() });
        await program.up();
        const after = await peering(DC2, "imp-dc1");
        assert.deepEqual(
            { id: after?.ID, peerId: after?.PeerID, state: after?.State },
            { id: original.ID, peerId: original.PeerID, state: "ACTIVE" },
            "the peering was re-established instead of adopted",
        );
        await program.run(["preview", "--refresh", "--expect-no-changes"]);
        await program.destroy();
        assert.equal((await peering(DC2, "imp-dc1"))?.ID, original.ID, "destroy deleted the adopted peering");
        assert.equal((await peering(DC1, "imp-dc2"))?.State, "ACTIVE");
    });
});
