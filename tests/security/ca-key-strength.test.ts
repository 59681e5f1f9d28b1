// Finding (low): a custom CA root whose key is weaker than (or of another type than) the config
// declares was accepted and installed. check now compares the supplied key with privateKeyType and
// privateKeyBits (Consul's defaults when unset) at preview, naming the property, never the key.
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

describe("security: a custom CA key must be the type and length the config declares", () => {
    const rsa1024 = pemKey("rsa", 1024);

    it("refuses an RSA 1024 key declared as RSA 2048, naming config.privateKey and not echoing the key", async () => {
        const out = await failures({ privateKeyType: "rsa", privateKeyBits: 2048, privateKey: rsa1024 });
        assert.deepEqual(
            out.map((f) => f.property),
            ["config.privateKey"],
        );
        assert.match(out[0].reason, /rsa 1024-bit key.*declare rsa 2048/);
        const body = rsa1024.split("\n")[1];
        assert.ok(!JSON.stringify(out).includes(body), "the reason must not contain the key");
    });

    it("refuses a key of another type than declared, or than Consul's default (ec 256)", async () => {
        const rsa2048 = pemKey("rsa", 2048);
        assert.deepEqual(
            (await failures({ privateKey: rsa2048 })).map((f) => f.property),
            ["config.privateKey"],
        );
        const p384 = pemKey("ec", "secp384r1");
        assert.match((await failures({ privateKeyType: "ec", privateKeyBits: 256, privateKey: p384 }))[0]?.reason ?? "", /ec 384-bit/);
        assert.match(
            (await failures({ privateKeyType: "rsa", privateKeyBits: 2048, privateKey: pemKey("ec", "prime256v1") }))[0]?.reason ?? "",
            /ec 256-bit key.*declare rsa 2048/,
        );
    });

    it("accepts keys that match the declaration", async () => {
        assert.deepEqual(await failures({ privateKey: pemKey("ec", "prime256v1") }), []);
        assert.deepEqual(await failures({ privateKeyType: "ec", privateKeyBits: 384, privateKey: pemKey("ec", "secp384r1") }), []);
        assert.deepEqual(await failures({ privateKeyType: "rsa", privateKeyBits: 2048, privateKey: pemKey("rsa", 2048) }), []);
    });
});
