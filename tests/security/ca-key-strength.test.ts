// Finding (low): a custom CA root whose key is weaker than the config declares was accepted and
// installed. check compares the supplied key with privateKeyType/privateKeyBits at preview (when
// neither is declared, the key's own type and length are taken, as Consul does), and refuses keys
// below rsa 2048 / ec P-256 whatever is declared, naming the property, never the key.
// Issue 31 (item 15): the rule refused what Consul accepts (Consul's own docs' RSA 2048 root with no
// PrivateKeyType); (item 10): it accepted a P-224 key declared as ec 224.
import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { CaConfigurationProvider } from "../../provider/resources/ca-configuration";

const provider = new CaConfigurationProvider();

function pemKey(type: "rsa" | "ec", size: number | string): string {
    const pair =
        type === "rsa"
            ? generateKeyPairSync("rsa", { modulusLength: Number(size) })
            : generateKeyPairSync("ec", { namedCurve: String(size) });
    return pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

async function failures(config: Record<string, unknown>): Promise<Array<{ property: string; reason: string }>> {
    return (await provider.check({}, { config })).failures ?? [];
}

describe("security: a custom CA key must not be weaker than declared, nor than rsa 2048 / ec P-256", () => {
    const rsa1024 = pemKey("rsa", 1024);

    it("refuses an RSA 1024 key, declared or not, naming config.privateKey and not echoing the key", async () => {
        for (const declared of [{ privateKeyType: "rsa", privateKeyBits: 2048 }, {}]) {
            const out = await failures({ ...declared, privateKey: rsa1024 });
            assert.deepEqual(
                out.map((f) => f.property),
                ["config.privateKey"],
            );
            assert.match(out[0].reason, /rsa 1024-bit key, weaker than/);
            const body = rsa1024.split("\n")[1];
            assert.ok(!JSON.stringify(out).includes(body), "the reason must not contain the key");
        }
    });

    it("refuses a key weaker than the declared type and length", async () => {
        const rsa2048 = pemKey("rsa", 2048);
        // rsa 2048 (112-bit security) is weaker than a declared ec 256 (128-bit).
        assert.match(
            (await failures({ privateKeyType: "ec", privateKeyBits: 256, privateKey: rsa2048 }))[0]?.reason ?? "",
            /rsa 2048-bit key, weaker than the ec 256 that privateKeyType\/privateKeyBits declare/,
        );
        // Declaring only the length takes Consul's default type (ec) with it.
        assert.match(
            (await failures({ privateKeyBits: 384, privateKey: pemKey("ec", "prime256v1") }))[0]?.reason ?? "",
            /weaker than the ec 384/,
        );
        assert.match(
            (await failures({ privateKeyType: "rsa", privateKeyBits: 4096, privateKey: rsa2048 }))[0]?.reason ?? "",
            /rsa 2048-bit key, weaker than the rsa 4096/,
        );
    });

    it("refuses a P-224 key even when declared, saying what Consul accepts", async () => {
        const p224 = pemKey("ec", "secp224r1");
        for (const declared of [{ privateKeyType: "ec", privateKeyBits: 224 }, {}]) {
            const out = await failures({ ...declared, privateKey: p224 });
            assert.ok(out.length > 0, `a P-224 key with ${JSON.stringify(declared)} is refused`);
            const reasons = out.map((f) => `${f.property}: ${f.reason}`).join("\n");
            assert.match(reasons, /P-224/);
            assert.match(reasons, /Consul 1\.16\.3 generates ec 224\/256\/384\/521 or rsa 2048\/4096 keys and takes any EC or RSA key/);
        }
    });

    it("accepts keys as strong as declared or stronger, and undeclared keys at their own strength", async () => {
        assert.deepEqual(await failures({ privateKey: pemKey("ec", "prime256v1") }), []);
        assert.deepEqual(await failures({ privateKey: pemKey("rsa", 2048) }), [], "Consul's docs: an RSA 2048 root, nothing declared");
        assert.deepEqual(await failures({ privateKey: pemKey("rsa", 3072) }), [], "any RSA length from 2048 up, as Consul takes it");
        assert.deepEqual(await failures({ privateKeyType: "ec", privateKeyBits: 384, privateKey: pemKey("ec", "secp384r1") }), []);
        assert.deepEqual(await failures({ privateKeyType: "ec", privateKeyBits: 256, privateKey: pemKey("ec", "secp384r1") }), []);
        assert.deepEqual(await failures({ privateKeyType: "rsa", privateKeyBits: 2048, privateKey: pemKey("rsa", 2048) }), []);
        assert.deepEqual(await failures({ privateKeyType: "rsa", privateKeyBits: 2048, privateKey: pemKey("ec", "prime256v1") }), []);
    });
});
