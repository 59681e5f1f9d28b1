import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    caConfigurationSchema,
    CaConfigurationProvider,
    type CaConfigurationInputs,
    type CaConfigurationOutputs,
} from "../../provider/resources/ca-configuration";
import { consul, DC2 } from "../support/consul";

// dc2, so that the e2e suite (which uses dc1) and this one never share a CA.
const provider = new CaConfigurationProvider();
const connection = { address: DC2 };

interface CaConfig {
    Provider: string;
    Config: Record<string, unknown>;
    ModifyIndex: number;
}
interface Roots {
    ActiveRootID: string;
    Roots: Array<{ ID: string; Active: boolean; PrivateKeyType: string; PrivateKeyBits: number }>;
}
const caConfig = async () => (await consul<CaConfig>("GET", `${DC2}/v1/connect/ca/configuration`)).body;
const roots = async () => (await consul<Roots>("GET", `${DC2}/v1/connect/ca/roots`)).body;
const DEFAULT_CONFIG = { LeafCertTTL: "72h", IntermediateCertTTL: "8760h", RootCertTTL: "87600h" };

/**
 * A root as in Consul's docs ("Specifying a Custom Private Key and Root Certificate"): an RSA 2048
 * key (PKCS#1, "RSA PRIVATE KEY") and its self-signed CA certificate, made with the openssl CLI.
 */
function rsaRoot(): { privateKey: string; rootCert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-ca-"));
    try {
        const file = (name: string) => path.join(dir, name);
        const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
        openssl("genrsa", "-traditional", "-out", file("root.key"), "2048");
        openssl(
            "req", "-x509", "-new", "-key", file("root.key"), "-out", file("root.pem"), "-days", "3650", "-subj", "/CN=docs root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        ); // prettier-ignore
        return { privateKey: fs.readFileSync(file("root.key"), "utf8"), rootCert: fs.readFileSync(file("root.pem"), "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Inputs without the values check computes (create gets them too, as Pulumi passes them). */
function withoutComputedKeys(inputs: Record<string, unknown>): Record<string, unknown> {
    const { rootRotation: _r, cluster: _c, ...rest } = inputs;
    return rest;
}

/** Puts Consul's default configuration back (a rotation when a test left a key of its own), so no test depends on another. */
async function resetToDefaults(): Promise<void> {
    const put = await consul("PUT", `${DC2}/v1/connect/ca/configuration`, { Provider: "consul", Config: DEFAULT_CONFIG });
    assert.equal(put.status, 200);
}

describe("CaConfiguration provider against a real Consul agent", function () {
    this.timeout(60_000);
    // Every test starts from Consul's defaults, whatever ran before it (mocha --sort, or any order).
    beforeEach(resetToDefaults);
    after(resetToDefaults);

    it("Consul echoes Config verbatim, has no DELETE, and needs a known provider (what the design relies on)", async () => {
        const put = await consul("PUT", `${DC2}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...DEFAULT_CONFIG, LeafCertTTL: "72h0m0s" },
        });
        assert.equal(put.status, 200);
        assert.equal((await caConfig()).Config.LeafCertTTL, "72h0m0s");
        assert.equal((await consul("DELETE", `${DC2}/v1/connect/ca/configuration`)).status, 405);
        const bad = await consul<string>("PUT", `${DC2}/v1/connect/ca/configuration`, { Provider: "x", Config: {} });
        assert.equal(bad.status, 500);
        assert.match(bad.body, /unknown CA provider "x"/);
    });

    it("adopts, updates TTLs without rotating, keeps keys it does not manage, and reads drift", async () => {
        const start = await roots();
        await consul("PUT", `${DC2}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...DEFAULT_CONFIG, CSRMaxConcurrent: 2 },
        });
        const inputs: CaConfigurationInputs = { config: { leafCertTtl: "24h" }, connection };
        const created = await provider.create(inputs);
        assert.equal(created.id, "connect-ca");
        const outs = created.outs;
        assert.equal(outs.activeRootId, start.ActiveRootID);
        assert.deepEqual(outs.configKeys, ["leafCertTtl"]);
        assert.equal(outs.config?.csrMaxConcurrent, 2, "outputs show what Consul holds");
        const held = await caConfig();
        assert.deepEqual(held.Config, { ...DEFAULT_CONFIG, CSRMaxConcurrent: 2, LeafCertTTL: "24h" });

        // Drift by hand: read reports it and realigns the input to what Consul holds.
        await consul("PUT", `${DC2}/v1/connect/ca/configuration`, { Provider: "consul", Config: { ...held.Config, LeafCertTTL: "12h" } });
        const read = await provider.read("connect-ca", outs);
        assert.equal((read.props as CaConfigurationOutputs).config?.leafCertTtl, "12h");
        assert.deepEqual((read.inputs as CaConfigurationInputs).config, { leafCertTtl: "12h" });
        assert.equal((await provider.diff("connect-ca", read.props as CaConfigurationOutputs, inputs)).changes, true);

        const updated = await provider.update("connect-ca", read.props as CaConfigurationOutputs, inputs);
        assert.equal((await caConfig()).Config.LeafCertTTL, "24h");
        assert.equal((await provider.diff("connect-ca", updated.outs, inputs)).changes, false);
    });

    it("rotates on a key type change and returns only once the new root is active", async () => {
        const before = await roots();
        const inputs: CaConfigurationInputs = { config: { privateKeyType: "rsa", privateKeyBits: 2048 }, connection };
        const started = Date.now();
        const { outs } = await provider.update("connect-ca", {} as CaConfigurationOutputs, inputs);
        console.log(`      update with rotation, PUT to new active root: ${Date.now() - started} ms`);
        const after = await roots();
        assert.notEqual(outs.activeRootId, before.ActiveRootID);
        assert.equal(outs.activeRootId, after.ActiveRootID);
        const active = after.Roots.find((r) => r.ID === after.ActiveRootID);
        assert.deepEqual([active?.PrivateKeyType, active?.PrivateKeyBits], ["rsa", 2048]);
        assert.equal(after.Roots.find((r) => r.ID === before.ActiveRootID)?.Active, false);
    });

    it("delete forgets by default, and resetOnDelete restores Consul's defaults (a rotation)", async () => {
        // A root of its own (RSA) that the reset must rotate away; set here, not left by an earlier test.
        const rsa = await consul("PUT", `${DC2}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...DEFAULT_CONFIG, PrivateKeyType: "rsa", PrivateKeyBits: 2048 },
        });
        assert.equal(rsa.status, 200);
        const before = await caConfig();
        const props = { provider: "consul", connection } as CaConfigurationOutputs;
        await provider.delete("connect-ca", props);
        assert.equal((await caConfig()).ModifyIndex, before.ModifyIndex, "plain delete leaves Consul alone");

        const rootBefore = (await roots()).ActiveRootID;
        await provider.delete("connect-ca", { ...props, resetOnDelete: true });
        assert.deepEqual((await caConfig()).Config, DEFAULT_CONFIG);
        const after = await roots();
        assert.notEqual(after.ActiveRootID, rootBefore);
        assert.equal(after.Roots.find((r) => r.ID === after.ActiveRootID)?.PrivateKeyType, "ec");
    });

    // Issue 15, defect 3: destroy waited 30 s for a rotation that never comes, then failed.
    it("resetOnDelete when only TTLs differ from the defaults resets them at once, without waiting for a rotation", async () => {
        await consul("PUT", `${DC2}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...DEFAULT_CONFIG, LeafCertTTL: "24h" },
        });
        const rootBefore = (await roots()).ActiveRootID;
        const props = { provider: "consul", resetOnDelete: true, connection } as CaConfigurationOutputs;
        const started = Date.now();
        await provider.delete("connect-ca", props);
        assert.ok(Date.now() - started < 10_000, `delete took ${Date.now() - started} ms`);
        assert.deepEqual((await caConfig()).Config, DEFAULT_CONFIG);
        assert.equal((await roots()).ActiveRootID, rootBefore, "the root is kept");
        // Already the defaults: the same, and nothing is written.
        const index = (await caConfig()).ModifyIndex;
        await provider.delete("connect-ca", props);
        assert.equal((await caConfig()).ModifyIndex, index);
    });

    // Issue 31 item 15: check refused this config ("is a rsa 2048-bit key, but privateKeyType/privateKeyBits declare ec 256").
    it("takes the custom root of Consul's docs (RSA 2048, 72h/8760h, no privateKeyType) end to end", async () => {
        const { privateKey, rootCert } = rsaRoot();
        assert.match(privateKey, /^-----BEGIN RSA PRIVATE KEY-----/);
        const checked = await provider.check(
            {},
            { config: { privateKey, rootCert, leafCertTtl: "72h", intermediateCertTtl: "8760h" }, connection },
        );
        assert.deepEqual(checked.failures ?? [], []);
        const before = await roots();
        const inputs = caConfigurationSchema().parse(withoutComputedKeys(checked.inputs));
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, "connect-ca");
        const after = await roots();
        assert.notEqual(after.ActiveRootID, before.ActiveRootID, "the root is the supplied one now");
        const active = after.Roots.find((r) => r.ID === after.ActiveRootID);
        assert.deepEqual([active?.PrivateKeyType, active?.PrivateKeyBits], ["rsa", 2048], "Consul records the key's own type and length");
        assert.equal(outs.rootCertPem.trim(), rootCert.trim());
        // Consul signs leaf certificates with it.
        const leaf = await consul<{ CertPEM: string }>("GET", `${DC2}/v1/agent/connect/ca/leaf/web`);
        assert.equal(leaf.status, 200);
        assert.ok(
            new X509Certificate(leaf.body.CertPEM).verify(new X509Certificate(rootCert).publicKey),
            "the leaf is signed by the supplied root",
        );
        // No perpetual diff: neither right after the write nor after a refresh.
        assert.equal((await provider.diff(id, outs, checked.inputs)).changes, false);
        const read = await provider.read(id, outs);
        assert.equal((await provider.diff(id, read.props as CaConfigurationOutputs, checked.inputs)).changes, false);
    });

    // Issue 31 item 16: configs copied from older docs and Terraform set RotationPeriod.
    it("writes rotationPeriod as Consul's RotationPeriod, which 1.16.3 stores as written: no rotation, no perpetual diff", async () => {
        const before = await roots();
        for (const rotationPeriod of ["2160h", "90 days"]) {
            const news = { config: { leafCertTtl: "72h", rotationPeriod }, connection };
            const checked = await provider.check({}, news);
            assert.deepEqual(checked.failures ?? [], [], "any text, as Consul takes it");
            const { id, outs } = await provider.create(news);
            assert.equal((await caConfig()).Config.RotationPeriod, rotationPeriod);
            assert.equal(outs.config?.rotationPeriod, rotationPeriod);
            assert.equal((await roots()).ActiveRootID, before.ActiveRootID, "RotationPeriod rotates nothing");
            const read = await provider.read(id, outs);
            assert.deepEqual((read.inputs as CaConfigurationInputs).config, news.config);
            assert.equal((await provider.diff(id, read.props as CaConfigurationOutputs, news)).changes, false);
        }
        // A hand edit by value ("2160h0m0s") is no drift; another period is.
        const outs = (await provider.create({ config: { rotationPeriod: "2160h" }, connection })).outs;
        const held = await caConfig();
        await consul("PUT", `${DC2}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...held.Config, RotationPeriod: "2160h0m0s" },
        });
        const same = await provider.read("connect-ca", outs);
        assert.equal(
            (await provider.diff("connect-ca", same.props as CaConfigurationOutputs, { config: { rotationPeriod: "2160h" }, connection }))
                .changes,
            false,
        );
        await consul("PUT", `${DC2}/v1/connect/ca/configuration`, {
            Provider: "consul",
            Config: { ...held.Config, RotationPeriod: "720h" },
        });
        const drifted = await provider.read("connect-ca", outs);
        assert.equal(
            (
                await provider.diff("connect-ca", drifted.props as CaConfigurationOutputs, {
                    config: { rotationPeriod: "2160h" },
                    connection,
                })
            ).changes,
            true,
        );
    });

    it("an error from Consul never contains the private key", async () => {
        const key = "-----BEGIN EC PRIVATE KEY-----\nNOTAREALKEYBUTSECRET\n-----END EC PRIVATE KEY-----";
        await assert.rejects(
            provider.update("connect-ca", {} as CaConfigurationOutputs, { config: { privateKey: key }, connection }),
            (err: Error) => {
                assert.match(err.message, /500/);
                assert.ok(!err.message.includes("NOTAREALKEYBUTSECRET"), err.message);
                return true;
            },
        );
    });
});
