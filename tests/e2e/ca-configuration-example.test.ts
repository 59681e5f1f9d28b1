import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consul, DC1 } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

interface CaConfig {
    Provider: string;
    Config: Record<string, unknown>;
    ModifyIndex: number;
}
interface Roots {
    ActiveRootID: string;
    Roots: Array<{ ID: string; Active: boolean; PrivateKeyType: string; PrivateKeyBits: number; RootCert: string }>;
}
const caConfig = async () => (await consul<CaConfig>("GET", `${DC1}/v1/connect/ca/configuration`)).body;
const roots = async () => (await consul<Roots>("GET", `${DC1}/v1/connect/ca/roots`)).body;

/** An EC key and a self-signed CA certificate for it, made with openssl. */
function ownRoot(): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-ca-"));
    try {
        execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${dir}/key.pem`]);
        execFileSync("openssl", [
            "req",
            "-x509",
            "-new",
            "-key",
            `${dir}/key.pem`,
            "-days",
            "3650",
            "-subj",
            "/CN=consul-mesh test root",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            `${dir}/cert.pem`,
        ]);
        return { key: fs.readFileSync(`${dir}/key.pem`, "utf8"), cert: fs.readFileSync(`${dir}/cert.pem`, "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

// examples/ca-configuration through the real Pulumi CLI against the real dc1 agent.
describe("examples/ca-configuration with the Pulumi CLI", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/ca-configuration");
    // set-all takes key=value, so values starting with "-----BEGIN" are not read as flags.
    const set = (key: string, value: string, secret = false) =>
        program.run(["config", "set-all", secret ? "--secret" : "--plaintext", `${key}=${value}`]);
    const noChangesAfterRefresh = async () => {
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    };

    before(async () => {
        await program.init();
    });
    after(async () => {
        const state = await program.run(["stack", "ls"], { allowFailure: true });
        if (state.code === 0) await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("adopts the cluster's CA configuration and then shows no changes", async () => {
        const before = await roots();
        await program.up();
        const outputs = await program.outputs();
        assert.equal(outputs.activeRootId, before.ActiveRootID, "adopting the default configuration must not rotate");
        assert.match(String(outputs.trustDomain), /\.consul$/);
        assert.equal(outputs.rootRotation, "none");
        await noChangesAfterRefresh();
    });

    it("changes TTLs without rotating the root, compared by value", async () => {
        const before = await program.outputs();
        await set("leafCertTtl", "24h");
        await set("intermediateCertTtl", "8760h0m0s"); // Consul holds "8760h": the same value
        await program.up();
        const held = await caConfig();
        assert.equal(held.Config.LeafCertTTL, "24h");
        const after = await program.outputs();
        assert.equal(after.activeRootId, before.activeRootId, "a TTL change must not rotate the root");
        assert.equal((await roots()).ActiveRootID, before.activeRootId);
        await noChangesAfterRefresh();
    });

    it("reports a LeafCertTTL changed by hand on refresh, and up puts it back", async () => {
        const held = await caConfig();
        const put = await consul("PUT", `${DC1}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...held.Config, LeafCertTTL: "12h" },
        });
        assert.equal(put.status, 200);
        const refresh = await program.run(["refresh", "--preview-only", "--expect-no-changes"], { allowFailure: true });
        assert.notEqual(refresh.code, 0, "refresh must report the drift");
        const diff = await program.run(["preview", "--refresh", "--diff"]);
        assert.match(diff.stdout, /leafCertTtl\s*:\s*"12h" => "24h"/);
        await program.up(["--refresh"]);
        assert.equal((await caConfig()).Config.LeafCertTTL, "24h");
        await noChangesAfterRefresh();
    });

    it("rotates the root on ec -> rsa 2048, says so in the preview, and waits for the new root", async () => {
        const before = await program.outputs();
        await set("privateKeyType", "rsa");
        await set("privateKeyBits", "2048");
        const diff = await program.run(["preview", "--diff"]);
        assert.match(diff.stdout, /rootRotation: "none" => "rotates the root CA: privateKeyType ec => rsa, privateKeyBits 256 => 2048"/);
        const started = Date.now();
        await program.up();
        console.log(`      up with a root rotation: ${Date.now() - started} ms`);
        const after = await program.outputs();
        assert.notEqual(after.activeRootId, before.activeRootId);
        const now = await roots();
        const active = now.Roots.find((r) => r.ID === now.ActiveRootID);
        assert.equal(now.ActiveRootID, after.activeRootId);
        assert.deepEqual([active?.Active, active?.PrivateKeyType, active?.PrivateKeyBits], [true, "rsa", 2048]);
        assert.equal(now.Roots.find((r) => r.ID === before.activeRootId)?.Active, false, "the old root stays, inactive");
        await noChangesAfterRefresh();
    });

    it("serves your own root cert and keeps the private key only as ciphertext in state", async () => {
        const { key, cert } = ownRoot();
        await set("privateKeyType", "ec");
        await set("privateKeyBits", "256");
        await set("privateKey", key, true);
        await set("rootCert", cert);
        const diff = await program.run(["preview", "--diff"]);
        assert.match(
            diff.stdout,
            /rotates the root CA: privateKeyType rsa => ec, privateKeyBits 2048 => 256, privateKey changes, rootCert changes/,
        );
        assert.ok(!diff.stdout.includes(key.split("\n")[1]), "the preview must not show the key");
        await program.up();
        const now = await roots();
        const active = now.Roots.find((r) => r.ID === now.ActiveRootID);
        assert.equal(active?.RootCert.trim(), cert.trim(), "Consul serves our root certificate");
        const state = await program.exportState();
        for (const line of key.split("\n").filter((l) => l.length > 20)) {
            assert.ok(!state.includes(line), "no line of the private key may appear in plaintext in the stack export");
        }
        assert.match(state, /"ciphertext"/);
        await noChangesAfterRefresh();
    });

    it("rejects each bad input at preview, naming the property, and leaves Consul's configuration alone", async () => {
        const before = await caConfig();
        const cases: Array<[string, string, RegExp]> = [
            ["leafCertTtl", "30m", /config\.leafCertTtl/],
            ["intermediateCertTtl", "48h", /config\.intermediateCertTtl.*3 x leafCertTtl/],
            ["rootCertTtl", "100h", /config\.rootCertTtl/],
            ["privateKeyBits", "2048", /config\.privateKeyBits.*256, 384, 521/],
            ["provider", "letsencrypt", /provider.*consul, vault, aws-pca/],
        ];
        for (const [key, value, expected] of cases) {
            await set(key, value);
            const res = await program.run(["preview"], { allowFailure: true });
            assert.notEqual(res.code, 0, `${key}=${value} must fail preview`);
            assert.match(res.stdout + res.stderr, expected);
            await program.run(["config", "rm", key]);
        }
        // A root cert without its private key.
        await program.run(["config", "rm", "privateKey"]);
        const res = await program.run(["preview"], { allowFailure: true });
        assert.notEqual(res.code, 0);
        assert.match(res.stdout + res.stderr, /config\.rootCert.*needs config\.privateKey/);
        const after = await caConfig();
        assert.equal(after.ModifyIndex, before.ModifyIndex, "nothing reached Consul");
    });

    it("forgets the configuration on destroy (Consul has no delete)", async () => {
        const before = await caConfig();
        await program.destroy();
        const after = await caConfig();
        assert.equal(after.ModifyIndex, before.ModifyIndex);
        assert.equal(after.Config.LeafCertTTL, "24h");
    });
});
