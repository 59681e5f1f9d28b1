import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as net from "node:net";
import { AclBootstrapProvider, type AclBootstrapOutputs } from "../../provider/resources/acl-bootstrap";
import { IntentionProvider } from "../../provider/resources/intention";
import { consul, DC1 } from "../support/consul";
import {
    DC3,
    freshAclCluster,
    intentionPairs,
    managementToken,
    narrowToken,
    stopAclCluster,
    tokenSelf,
    writeBootstrapReset,
} from "../support/acl";

const provider = new AclBootstrapProvider();

/**
 * A TCP proxy to `target` that lets the first `PUT /v1/acl/bootstrap` reach Consul but drops Consul's
 * answer (it closes the client's socket once the response starts): a lost response, as after a timeout.
 */
async function lossyProxy(target: string): Promise<{ address: string; dropped: () => number; close: () => void }> {
    const { hostname, port } = new URL(target);
    let dropped = 0;
    const server = net.createServer((client) => {
        const upstream = net.connect(Number(port), hostname);
        let dropThisOne = false;
        let first = true;
        client.on("data", (chunk: Buffer) => {
            if (first && dropped === 0 && chunk.toString("latin1").startsWith("PUT /v1/acl/bootstrap")) dropThisOne = true;
            first = false;
            upstream.write(chunk);
        });
        upstream.on("data", (chunk: Buffer) => {
            if (dropThisOne) {
                dropped++;
                dropThisOne = false;
                client.destroy();
                upstream.destroy();
                return;
            }
            client.write(chunk);
        });
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address() as net.AddressInfo;
    return { address: `http://127.0.0.1:${addr.port}`, dropped: () => dropped, close: () => server.close() };
}

async function createError(inputs: Parameters<AclBootstrapProvider["create"]>[0]): Promise<Error> {
    try {
        await provider.create(inputs);
    } catch (err) {
        return err as Error;
    }
    assert.fail("create should have failed");
}

describe("AclBootstrap provider against a real ACL-enabled Consul agent (dc3)", function () {
    this.timeout(120_000);
    const connection = { address: DC3 };
    let first: AclBootstrapOutputs & { id: string };
    let resetIndex: string;

    before(async () => {
        await freshAclCluster();
    });
    after(async () => {
        await stopAclCluster();
    });

    it("refuses a cluster without ACLs with a clear message (401 ACL support disabled)", async () => {
        const err = await createError({ connection: { address: DC1 } });
        assert.match(err.message, /ACLs are not enabled on the Consul agent at http:\/\/127\.0\.0\.1:\d+/);
        assert.match(err.message, /401 ACL support disabled/);
        assert.match(err.message, /acl \{ enabled = true/);
    });

    it("does not lose the token when Consul's answer to the bootstrap call is lost (no bootstrapSecret given)", async () => {
        const proxy = await lossyProxy(DC3);
        try {
            const created = await provider.create({ connection: { address: proxy.address } });
            assert.equal(proxy.dropped(), 1, "the proxy dropped the first answer");
            const outs = created.outs;
            first = { ...outs, id: created.id };
        } finally {
            proxy.close();
        }
        // The token consul-mesh reports is the one Consul made, and it works.
        const self = await tokenSelf(first.secretId);
        assert.equal(self?.AccessorID, first.id);
        assert.equal(first.accessorId, first.id);
        assert.equal(first.description, "Bootstrap Token (Global Management)");
        assert.deepEqual(first.policies, [{ id: "00000000-0000-0000-0000-000000000001", name: "global-management" }]);
        assert.match(first.secretId, /^[0-9a-f-]{36}$/);
    });

    it("fails a second bootstrap without bootstrapSecret with one message: reset index and both ways out, adoption first", async () => {
        const err = await createError({ connection });
        const m = /is already ACL-bootstrapped \(reset index: (\d+)\)/.exec(err.message);
        assert.ok(m, err.message);
        resetIndex = m[1];
        assert.match(err.message, /no bootstrapSecret was given/);
        assert.match(err.message, /set bootstrapSecret to the SecretID of the existing bootstrap/);
        assert.match(err.message, new RegExp(`writing ${resetIndex} to the file <data_dir>/acl-bootstrap-reset on the leader`));
        assert.doesNotMatch(err.message, /\n/, "one line, no stack");
        assert.ok(!err.message.includes(first.secretId));
    });

    it("fails the same way with a bootstrapSecret that is no token there, without quoting the secret", async () => {
        const wrong = randomUUID();
        const err = await createError({ connection, bootstrapSecret: wrong });
        assert.match(
            err.message,
            new RegExp(`already ACL-bootstrapped \\(reset index: ${resetIndex}\\), and bootstrapSecret is not the SecretID`),
        );
        assert.ok(!err.message.includes(wrong));
    });

    it("adopts the bootstrap token, or another management token, given as bootstrapSecret", async () => {
        const again = await provider.create({ connection, bootstrapSecret: first.secretId });
        assert.equal(again.id, first.id);
        const { id: _id, ...firstOuts } = first;
        assert.deepEqual(again.outs, { ...firstOuts, connection });
        const other = await managementToken(first.secretId);
        const adopted = await provider.create({ connection, bootstrapSecret: other.SecretID });
        assert.equal(adopted.id, other.AccessorID);

        const narrow = await narrowToken(first.secretId, "read-only-nodes", 'node_prefix "" { policy = "read" }');
        const err = await createError({ connection, bootstrapSecret: narrow.SecretID });
        assert.match(err.message, /not a management token/);
        assert.ok(!err.message.includes(narrow.SecretID));
    });

    it("reads the token back, and reports it gone once deleted behind Pulumi's back", async () => {
        const read = await provider.read(first.id, { ...first, connection });
        assert.equal(read.id, first.id);
        assert.equal((read.props as AclBootstrapOutputs).secretId, first.secretId);

        const other = await managementToken(first.secretId);
        const outs: AclBootstrapOutputs = {
            accessorId: other.AccessorID,
            secretId: other.SecretID,
            description: "",
            policies: [],
            connection,
        };
        assert.equal((await provider.read(other.AccessorID, outs)).id, other.AccessorID);
        assert.equal((await consul("DELETE", `${DC3}/v1/acl/token/${other.AccessorID}`, undefined, first.secretId)).status, 200);
        assert.deepEqual(await provider.read(other.AccessorID, outs), {});
    });

    it("bootstraps again with a chosen bootstrapSecret after the reset the message describes", async () => {
        writeBootstrapReset(resetIndex);
        const chosen = randomUUID();
        const created = await provider.create({ connection, bootstrapSecret: chosen });
        const outs = created.outs;
        assert.equal(outs.secretId, chosen);
        assert.notEqual(created.id, first.id);
        assert.equal((await tokenSelf(chosen))?.AccessorID, created.id);
        assert.equal((await tokenSelf(first.secretId))?.AccessorID, first.id, "the old token stays valid after a reset");
    });

    it("forgets the token on delete by default, and revokes it with revokeOnDelete", async () => {
        await provider.delete(first.id, { ...first, connection });
        assert.ok(await tokenSelf(first.secretId), "delete without revokeOnDelete leaves the token in Consul");

        // The token revokes itself through a temporary one-minute management token.
        const victim = await managementToken(first.secretId);
        const victimOuts: AclBootstrapOutputs = {
            accessorId: victim.AccessorID,
            secretId: victim.SecretID,
            description: "",
            policies: [],
            revokeOnDelete: true,
            connection,
        };
        await provider.delete(victim.AccessorID, victimOuts);
        assert.equal(await tokenSelf(victim.SecretID), undefined);
        await provider.delete(victim.AccessorID, victimOuts); // already gone: fine

        // With another token in the connection, that token revokes it.
        const second = await managementToken(first.secretId);
        await provider.delete(second.AccessorID, {
            ...victimOuts,
            accessorId: second.AccessorID,
            secretId: second.SecretID,
            connection: { address: DC3, token: first.secretId },
        });
        assert.equal(await tokenSelf(second.SecretID), undefined);
    });

    it("lets an Intention work with a token limited to service:read + intentions:write on its destination", async () => {
        const intentions = new IntentionProvider();
        const writer = await narrowToken(first.secretId, "api-lp-intentions", 'service "api-lp" { policy = "read" intentions = "write" }');
        const inputs = {
            source: "web-lp",
            destination: "api-lp",
            action: "allow" as const,
            connection: { address: DC3, token: writer.SecretID },
        };
        const created = await intentions.create(inputs);
        assert.deepEqual(await intentionPairs(first.secretId), ["web-lp=>api-lp:allow"]);
        assert.equal((await intentions.read(created.id, created.outs)).id, "web-lp=>api-lp");

        // A token that may read but not write intentions there: the error names the call and says
        // permission denied, and does not carry the token.
        const reader = await narrowToken(first.secretId, "api-lp-read", 'service "api-lp" { policy = "read" intentions = "read" }');
        let err: Error | undefined;
        try {
            await intentions.create({ ...inputs, source: "admin-lp", connection: { address: DC3, token: reader.SecretID } });
        } catch (e) {
            err = e as Error;
        }
        assert.ok(err, "create with a read-only token must fail");
        assert.match(err.message, /PUT \/v1\/config/);
        assert.match(err.message, /403 Permission denied/);
        assert.match(err.message, /lacks permission 'intention:write' on "api-lp"/);
        assert.ok(!err.message.includes(reader.SecretID), "the token must not appear in the error");

        await intentions.delete(created.id, created.outs);
        assert.deepEqual(await intentionPairs(first.secretId), []);
    });
});
