import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { formatDuration, parseDuration, sameDuration } from "../../provider/model/durations";
import {
    CaConfigurationProvider,
    configChanges,
    mergeConfig,
    rotationReason,
    type CaConfigurationOutputs,
} from "../../provider/resources/ca-configuration";
import { UNKNOWN } from "../../provider/model/validation";
import { belowMinimum, securityStrength, weaker } from "../../provider/model/ca-keys";

const provider = new CaConfigurationProvider();
const H = 3_600_000_000_000n;

describe("Go durations", () => {
    it("parses every unit, fractions, signs and compound values like time.ParseDuration", () => {
        assert.equal(parseDuration("72h"), 72n * H);
        assert.equal(parseDuration("72h0m0s"), 72n * H);
        assert.equal(parseDuration("4320m"), 72n * H);
        assert.equal(parseDuration("1.5h"), 90n * 60_000_000_000n);
        assert.equal(parseDuration("1h30m"), parseDuration("90m"));
        assert.equal(parseDuration("-2s"), -2_000_000_000n);
        assert.equal(parseDuration("0"), 0n);
        assert.equal(parseDuration("300ms"), 300_000_000n);
        assert.equal(parseDuration("5us"), 5_000n);
        assert.equal(parseDuration("5µs"), 5_000n);
        assert.equal(parseDuration("7ns"), 7n);
        assert.equal(parseDuration(".5s"), 500_000_000n);
        assert.equal(parseDuration("87600h"), 87600n * H, "beyond float precision, still exact");
    });

    it("rejects what Go rejects", () => {
        for (const bad of ["", "72", "h", "1d", "abc", "1.h5", ".s", "1h 30m", "--1h"]) {
            assert.equal(parseDuration(bad), undefined, bad);
        }
    });

    it("formats like Go's Duration.String and compares by value", () => {
        assert.equal(formatDuration(72n * H), "72h0m0s");
        assert.equal(formatDuration(90n * 60_000_000_000n), "1h30m0s");
        assert.equal(formatDuration(1_500_000_000n), "1.5s");
        assert.equal(formatDuration(250_000_000n), "250ms");
        assert.equal(formatDuration(0n), "0s");
        assert.ok(sameDuration("72h", "72h0m0s"));
        assert.ok(sameDuration("72h", "4320m"));
        assert.ok(sameDuration("72h", 259_200_000_000_000), "a JSON number is nanoseconds, as Consul reads it");
        assert.ok(!sameDuration("72h", "73h"));
        assert.ok(!sameDuration("nonsense", "72h"));
    });
});

describe("CaConfiguration check", () => {
    const failures = async (news: Record<string, unknown>) =>
        ((await provider.check({}, news)).failures ?? []).map((f) => `${f.property}: ${f.reason}`);

    it("accepts Consul's defaults and the edges Consul accepts", async () => {
        assert.deepEqual(await failures({}), []);
        assert.deepEqual(await failures({ config: { leafCertTtl: "1h", intermediateCertTtl: "3h", rootCertTtl: "3h" } }), []);
        assert.deepEqual(await failures({ config: { leafCertTtl: "8760h", intermediateCertTtl: "26280h", rootCertTtl: "87600h" } }), []);
        assert.deepEqual(await failures({ config: { privateKeyType: "rsa", privateKeyBits: 4096 } }), []);
        assert.deepEqual(await failures({ provider: "vault", providerConfig: { Address: "http://vault:8200", Token: "t" } }), []);
    });

    it("applies Consul's TTL rules, with defaults for the keys left unset", async () => {
        assert.match((await failures({ config: { leafCertTtl: "30m" } }))[0], /^config\.leafCertTtl: must be at least 1h/);
        assert.match(
            (await failures({ config: { leafCertTtl: "8761h", intermediateCertTtl: "30000h", rootCertTtl: "90000h" } }))[0],
            /^config\.leafCertTtl: must be at most 8760h/,
        );
        assert.match(
            (await failures({ config: { intermediateCertTtl: "2h", leafCertTtl: "1h" } }))[0],
            /^config\.intermediateCertTtl: must be at least 3h/,
        );
        // 5000h leaf against the default 8760h intermediate: the key the user set is named.
        assert.match((await failures({ config: { leafCertTtl: "5000h" } }))[0], /^config\.leafCertTtl: .*>= 15000h0m0s/);
        assert.match(
            (await failures({ config: { leafCertTtl: "24h", intermediateCertTtl: "48h" } }))[0],
            /^config\.intermediateCertTtl: .*3 x leafCertTtl/,
        );
        assert.match((await failures({ config: { rootCertTtl: "100h" } }))[0], /^config\.rootCertTtl: .*intermediateCertTtl \(8760h0m0s\)/);
        assert.match((await failures({ config: { leafCertTtl: "72" } }))[0], /^config\.leafCertTtl: must be a Go duration/);
        assert.match(
            (await failures({ provider: "vault", providerConfig: { LeafCertTTL: "10m" } }))[0],
            /^providerConfig\.LeafCertTTL: must be at least 1h/,
        );
    });

    it("applies Consul's key rules and the provider list", async () => {
        assert.match((await failures({ config: { privateKeyBits: 2048 } }))[0], /^config\.privateKeyBits: EC key length/);
        // Issue 31 item 10: Consul takes ec 224 (a P-224 root); consul-mesh refuses it, saying what Consul accepts.
        assert.match(
            (await failures({ config: { privateKeyType: "ec", privateKeyBits: 224 } }))[0],
            /^config\.privateKeyBits: 224 makes Consul generate a P-224 root, which consul-mesh refuses: .*Consul 1\.16\.3 generates ec 224\/256\/384\/521/,
        );
        assert.match(
            (await failures({ config: { privateKeyType: "rsa" } }))[0],
            /^config\.privateKeyBits: RSA key length must be 2048 or 4096 bits \(set privateKeyBits\)/,
        );
        assert.match(
            (await failures({ config: { privateKeyType: "RSA", privateKeyBits: 2048 } }))[0],
            /^config\.privateKeyType: must be "ec" or "rsa"/,
        );
        assert.match((await failures({ provider: "letsencrypt" }))[0], /^provider: must be one of consul, vault, aws-pca/);
        assert.match((await failures({ config: { rootCert: "x" } }))[0], /^config\.rootCert: needs config\.privateKey/);
        assert.match((await failures({ config: { leafCertTtl: "72h", bogus: 1 } }))[0], /^config\.bogus: unknown field "bogus"/);
        assert.match((await failures({ provider: "vault", config: { leafCertTtl: "72h" } }))[0], /^config: is for the "consul" provider/);
    });

    it("checks key material without ever echoing it", async () => {
        const secretText = "-----BEGIN EC PRIVATE KEY-----\nTOPSECRETNOTAKEY\n-----END EC PRIVATE KEY-----";
        const out = await failures({ config: { privateKey: secretText } });
        assert.deepEqual(out, ["config.privateKey: is not a PEM-encoded private key"]);
        const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        assert.deepEqual(await failures({ config: { privateKey: pem } }), []);
        assert.deepEqual(await failures({ config: { privateKey: pem, rootCert: "not a cert" } }), [
            "config.rootCert: is not a PEM-encoded X.509 certificate",
        ]);
    });

    it("tolerates unknown values during preview", async () => {
        const res = await provider.check({}, { config: { leafCertTtl: UNKNOWN, privateKeyType: "ec" } });
        assert.deepEqual(res.failures ?? [], []);
    });

    it("labels changes that rotate the root in the computed rootRotation input", async () => {
        const olds = { config: { leafCertTtl: "72h" }, rootRotation: "none" };
        const label = async (news: Record<string, unknown>) => (await provider.check(olds, news)).inputs.rootRotation;
        assert.equal(await label({ config: { leafCertTtl: "24h" } }), "none");
        assert.equal(await label({ config: { privateKeyType: "ec", privateKeyBits: 256 } }), "none", "explicit defaults do not rotate");
        assert.equal(
            await label({ config: { privateKeyType: "rsa", privateKeyBits: 2048 } }),
            "rotates the root CA: privateKeyType ec => rsa, privateKeyBits 256 => 2048",
        );
        const keyLabel = rotationReason(olds, { config: { privateKey: "-----BEGIN KEY-----\nSECRETBODY\n-----END KEY-----" } });
        assert.equal(keyLabel, "rotates the root CA: privateKey changes");
        assert.match(
            rotationReason({}, { config: { privateKeyType: "rsa", privateKeyBits: 4096 } }),
            /^rotates the root CA unless Consul already uses/,
        );
    });
});

describe("CaConfiguration diff", () => {
    const olds = (config: Record<string, unknown>, extra: Partial<CaConfigurationOutputs> = {}): CaConfigurationOutputs => ({
        provider: "consul",
        config,
        configKeys: Object.keys(config),
        rootRotation: "none",
        activeRootId: "a",
        trustDomain: "t.consul",
        rootCertPem: "",
        roots: [],
        forceWithoutCrossSigning: false,
        ...extra,
    });
    const held = { leafCertTtl: "72h", intermediateCertTtl: "8760h", rootCertTtl: "87600h", privateKeyType: "ec", privateKeyBits: 256 };

    it("compares durations by value and only the keys the program sets", async () => {
        assert.equal((await provider.diff("connect-ca", olds(held), { config: { leafCertTtl: "72h0m0s" } })).changes, false);
        assert.equal(
            (await provider.diff("connect-ca", olds(held), { config: { leafCertTtl: "4320m", privateKeyType: "ec" } })).changes,
            false,
        );
        assert.equal((await provider.diff("connect-ca", olds(held), {})).changes, false, "Consul's own keys are not drift");
        assert.equal((await provider.diff("connect-ca", olds(held), { config: { leafCertTtl: "24h" } })).changes, true);
        assert.equal(
            (await provider.diff("connect-ca", olds(held), { rootRotation: "none" })).changes,
            false,
            "the computed label is no change",
        );
    });

    it("sees a changed private key, provider, forceWithoutCrossSigning; replaces on another cluster", async () => {
        const withKey = olds({ ...held, privateKey: "-----BEGIN A-----\nx\n-----END A-----\n" });
        assert.equal(
            (await provider.diff("connect-ca", withKey, { config: { privateKey: "-----BEGIN A-----\nx\n-----END A-----" } })).changes,
            false,
        );
        assert.equal(
            (await provider.diff("connect-ca", withKey, { config: { privateKey: "-----BEGIN A-----\ny\n-----END A-----" } })).changes,
            true,
        );
        assert.equal(
            (await provider.diff("connect-ca", olds(held), { provider: "vault", providerConfig: { Address: "a" } })).changes,
            true,
        );
        assert.equal((await provider.diff("connect-ca", olds(held), { forceWithoutCrossSigning: true })).changes, true);
        const moved = await provider.diff("connect-ca", olds(held), { connection: { address: "http://other:8500" } });
        assert.deepEqual(moved.replaces, ["cluster"]);
        assert.deepEqual(configChanges({ LeafCertTTL: "72h" }, { LeafCertTTL: "72h0m0s", RootCertTTL: "90000h" }), ["RootCertTTL"]);
    });

    it("merges the program's keys over what Consul holds (same provider only)", () => {
        const current = {
            Provider: "consul",
            Config: { LeafCertTTL: "72h", leaf_cert_ttl: "71h", PrivateKeyType: "rsa", PrivateKeyBits: 2048 },
        };
        assert.deepEqual(mergeConfig(current, { config: { leafCertTtl: "24h" } }), {
            PrivateKeyType: "rsa",
            PrivateKeyBits: 2048,
            LeafCertTTL: "24h",
        });
        assert.deepEqual(mergeConfig(current, { provider: "vault", providerConfig: { Address: "a" } }), { Address: "a" });
    });
});

// Issue 31 item 15: the key rule refused Consul's own documented custom root (RSA 2048, no
// PrivateKeyType). A key may be as strong as declared or stronger; undeclared, its own strength counts.
describe("CaConfiguration key strength rule", () => {
    it("ranks keys by NIST security strength across types, by length within a type", () => {
        assert.deepEqual(
            [
                { type: "rsa", bits: 1024 },
                { type: "rsa", bits: 2048 },
                { type: "rsa", bits: 3072 },
                { type: "rsa", bits: 4096 },
                { type: "ec", bits: 224 },
                { type: "ec", bits: 256 },
                { type: "ec", bits: 384 },
                { type: "ec", bits: 521 },
            ].map(securityStrength),
            [80, 112, 128, 128, 112, 128, 192, 256],
        );
        assert.equal(weaker({ type: "rsa", bits: 2048 }, { type: "ec", bits: 256 }), true);
        assert.equal(weaker({ type: "ec", bits: 256 }, { type: "rsa", bits: 2048 }), false);
        assert.equal(weaker({ type: "rsa", bits: 3072 }, { type: "rsa", bits: 4096 }), true, "same type: by length");
        assert.equal(weaker({ type: "ec", bits: 256 }, { type: "rsa", bits: 4096 }), false, "equal strength is not weaker");
        assert.equal(weaker({ type: "ec", bits: 384 }, { type: "ec", bits: 256 }), false);
    });

    it("sets the minimum at rsa 2048 and ec P-256, and refuses other key types", () => {
        assert.equal(belowMinimum({ type: "rsa", bits: 2048 }), undefined);
        assert.equal(belowMinimum({ type: "ec", bits: 256 }), undefined);
        assert.match(belowMinimum({ type: "rsa", bits: 1024 }) ?? "", /weaker than the minimum/);
        assert.match(belowMinimum({ type: "ec", bits: 224 }) ?? "", /P-224/);
        assert.match(belowMinimum({ type: "ed25519", bits: NaN }) ?? "", /only with EC or RSA keys/);
    });

    it("accepts the custom root of Consul's docs (RSA 2048 key, 72h/8760h, no privateKeyType)", async () => {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
        const res = await provider.check({}, { config: { privateKey: pem, leafCertTtl: "72h", intermediateCertTtl: "8760h" } });
        assert.deepEqual(res.failures ?? [], []);
    });
});

describe("CaConfiguration rotationPeriod (Consul's unused RotationPeriod)", () => {
    const olds: CaConfigurationOutputs = {
        provider: "consul",
        config: { rotationPeriod: "2160h" },
        configKeys: ["rotationPeriod"],
        rootRotation: "none",
        activeRootId: "a",
        trustDomain: "t.consul",
        rootCertPem: "",
        roots: [],
        forceWithoutCrossSigning: false,
    };

    it("is accepted as any text, as Consul accepts it, and written under Consul's name without a rotation", async () => {
        for (const rotationPeriod of ["2160h", "90d"]) {
            const res = await provider.check({ config: {}, rootRotation: "none" }, { config: { rotationPeriod } });
            assert.deepEqual(res.failures ?? [], []);
            assert.equal(res.inputs.rootRotation, "none");
        }
        assert.deepEqual(mergeConfig({ Provider: "consul", Config: { LeafCertTTL: "72h" } }, { config: { rotationPeriod: "2160h" } }), {
            LeafCertTTL: "72h",
            RotationPeriod: "2160h",
        });
        assert.match(
            (await provider.check({}, { config: { rotationPeriod: 5 } })).failures?.[0]?.property ?? "",
            /^config\.rotationPeriod$/,
        );
    });

    it("compares by value when it is a duration, as text otherwise", async () => {
        assert.equal((await provider.diff("connect-ca", olds, { config: { rotationPeriod: "2160h0m0s" } })).changes, false);
        assert.equal((await provider.diff("connect-ca", olds, { config: { rotationPeriod: "90d" } })).changes, true);
        assert.equal((await provider.diff("connect-ca", olds, { config: { rotationPeriod: "720h" } })).changes, true);
    });
});
