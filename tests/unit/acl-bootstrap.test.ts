import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
    aclDisabledError,
    alreadyBootstrappedError,
    AclBootstrapProvider,
    BOOTSTRAP_CALL_TIMEOUT_MS,
    type AclBootstrapOutputs,
} from "../../provider/resources/acl-bootstrap";
import { UNKNOWN } from "../../provider/model/validation";
import { providerShim } from "../../sdk/provider-shim";

const provider = new AclBootstrapProvider();
const SECRET = "6f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d55";

async function failures(news: Record<string, unknown>) {
    const res = await provider.check({}, { __provider: "exports.handler = ...", ...news });
    return res.failures ?? [];
}

describe("AclBootstrap check", () => {
    it("accepts no inputs at all, a UUID bootstrapSecret, revokeOnDelete and a connection", async () => {
        assert.deepEqual(await failures({}), []);
        assert.deepEqual(await failures({ bootstrapSecret: SECRET, revokeOnDelete: true, connection: { address: "127.0.0.1:8500" } }), []);
        assert.deepEqual(await failures({ bootstrapSecret: SECRET.toUpperCase() }), []);
    });

    it("names the property and the reason, and never quotes the secret", async () => {
        const notUuid = "my-bootstrap-password-123";
        const cases: Array<[Record<string, unknown>, string, RegExp]> = [
            [{ bootstrapSecret: notUuid }, "bootstrapSecret", /must be a UUID/],
            [{ bootstrapSecret: `${SECRET}0` }, "bootstrapSecret", /must be a UUID/],
            [{ bootstrapSecret: 42 }, "bootstrapSecret", /must be a string/],
            [{ revokeOnDelete: "yes" }, "revokeOnDelete", /boolean/],
            [{ connection: { timeoutMs: 5 } }, "connection.timeoutMs", /100/],
            [{ token: SECRET }, "token", /unknown field "token"/],
        ];
        for (const [news, property, reason] of cases) {
            const f = await failures(news);
            assert.equal(f.length, 1, JSON.stringify(f));
            assert.equal(f[0].property, property);
            assert.match(f[0].reason, reason);
            assert.ok(!f[0].reason.includes(notUuid), "the reason must not quote the secret");
        }
    });

    // Issue 31 item 10: the reason offered a concrete UUID, which users copied as their secret.
    it("describes the UUID form with a placeholder, never a UUID to copy", async () => {
        const [f] = await failures({ bootstrapSecret: "not-a-uuid" });
        assert.match(f.reason, /xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/);
        assert.match(f.reason, /uuidgen/);
        assert.doesNotMatch(f.reason, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    });

    it("does not fail on values unknown during preview (a secret from another resource)", async () => {
        assert.deepEqual(await failures({ bootstrapSecret: UNKNOWN, connection: { address: UNKNOWN } }), []);
    });
});

describe("AclBootstrap diff", () => {
    const olds: AclBootstrapOutputs = {
        accessorId: "a",
        secretId: SECRET,
        description: "Bootstrap Token (Global Management)",
        policies: [{ id: "00000000-0000-0000-0000-000000000001", name: "global-management" }],
        connection: { address: "http://127.0.0.1:7500" },
    };

    it("shows no change for the same inputs, whatever bootstrapSecret says (it is used only at create)", async () => {
        for (const bootstrapSecret of [undefined, SECRET, "0d7e1f60-5a55-4b9e-8f3b-5d1c6c2d9e01"]) {
            const d = await provider.diff("a", olds, { bootstrapSecret, connection: { address: "http://127.0.0.1:7500" } });
            assert.equal(d.changes, false);
            assert.deepEqual(d.replaces, []);
        }
    });

    it("replaces when the cluster changes, updates in place for credentials and revokeOnDelete", async () => {
        const moved = await provider.diff("a", olds, { connection: { address: "http://127.0.0.1:9500" } });
        assert.deepEqual([moved.changes, moved.replaces], [true, ["cluster"]]);
        const token = await provider.diff("a", olds, { connection: { address: "http://127.0.0.1:7500", token: "t" } });
        assert.deepEqual([token.changes, token.replaces], [true, []]);
        const revoke = await provider.diff("a", olds, { connection: olds.connection, revokeOnDelete: true });
        assert.deepEqual([revoke.changes, revoke.replaces], [true, []]);
        const revokeFalse = await provider.diff("a", olds, { connection: olds.connection, revokeOnDelete: false });
        assert.equal(revokeFalse.changes, false, "revokeOnDelete false is the default");
    });
});

describe("AclBootstrap errors and limits", () => {
    it("already bootstrapped: one line with the reset index and both ways out", () => {
        const m = alreadyBootstrappedError("http://127.0.0.1:7500", "17", false).message;
        assert.match(m, /^Consul at http:\/\/127\.0\.0\.1:7500 is already ACL-bootstrapped \(reset index: 17\)/);
        assert.match(m, /\(1\) Adopt it .*: set bootstrapSecret to the SecretID/);
        assert.match(
            m,
            /\(2\) Only if no management token is left: reset the bootstrap by writing 17 to the file <data_dir>\/acl-bootstrap-reset/,
        );
        assert.doesNotMatch(m, /\n/);
        assert.match(alreadyBootstrappedError("x", "17", true).message, /bootstrapSecret is not the SecretID of a token there/);
    });

    it("ACLs disabled: says so and how to enable them", () => {
        assert.match(aclDisabledError("http://h:1").message, /ACLs are not enabled .* 401 ACL support disabled.*acl \{ enabled = true/);
    });

    it("gives the bootstrap call a generous timeout (Consul may take seconds)", () => {
        assert.ok(BOOTSTRAP_CALL_TIMEOUT_MS >= 60_000);
    });

    it("forgets on delete by default without calling Consul", async () => {
        // No cluster at this address: a call would fail.
        await provider.delete("a", {
            accessorId: "a",
            secretId: SECRET,
            description: "",
            policies: [],
            connection: { address: "http://127.0.0.1:1" },
        });
    });

    it("serialises to the small shim, without secrets", async () => {
        const shim = providerShim("AclBootstrap");
        const text = (await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: false })).text;
        assert.ok(text.length < 4096, `${text.length} bytes`);
        assert.match(text, /AclBootstrap/);
    });
});
