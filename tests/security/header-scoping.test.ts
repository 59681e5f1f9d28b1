// Finding (medium, issue 31 item 5): `Authorization: Bearer <token>` in consul-mesh:headers
// authenticated without `token` (Consul takes a Bearer value as the ACL token), and stack-config
// headers were sent to every address, so a ServiceDefaults and a function aimed at another server
// received the management token. Authorization is refused like X-Consul-Token (input, stack config,
// check), and stack-config headers go to the stack's address only. Recording servers see what was sent.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { providers } from "../../provider";
import { getCaRoots } from "../../sdk/functions/ca";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider } from "../support/probe-provider";

describe("security: Authorization headers refused, stack-config headers to the stack's address only", () => {
    let stack: RecordingServer;
    let other: RecordingServer;
    before(async () => {
        [stack, other] = await Promise.all([startRecordingServer(), startRecordingServer()]);
    });
    after(() => Promise.all([stack.close(), other.close()]));
    beforeEach(() => {
        for (const s of [stack, other]) s.requests.length = 0;
    });
    afterEach(() => {
        for (const key of ["address", "token", "headers"]) pulumi.runtime.setConfig(`consul-mesh:${key}`, "");
    });

    it("refuses Authorization from the stack config, a resource's connection and a function's, before any request", async () => {
        for (const name of ["Authorization", "authorization", "AUTHORIZATION"]) {
            const headers = JSON.stringify({ [name]: "Bearer management-secret" });
            assert.throws(() => new ProbeProvider({ address: stack.address, headers }).clientFor(undefined), /must not set Authorization/);
            const serviceDefaults = providers.ServiceDefaults;
            const checked = await serviceDefaults.check(
                {},
                { name: "api", protocol: "http", connection: { address: other.address, headers: { [name]: "Bearer management-secret" } } },
            );
            const failures = z.array(z.object({ property: z.string(), reason: z.string() })).parse(checked.failures);
            assert.deepEqual(
                failures.map((f) => f.property),
                ["connection.headers"],
            );
            assert.match(failures[0].reason, /must not set Authorization/);
            assert.ok(!JSON.stringify(failures).includes("management-secret"));
            pulumi.runtime.setConfig("consul-mesh:headers", headers);
            await assert.rejects(getCaRoots({ connection: { address: other.address } }), /must not set Authorization/);
            pulumi.runtime.setConfig("consul-mesh:headers", "");
            await assert.rejects(
                getCaRoots({ connection: { address: other.address, headers: { [name]: "Bearer management-secret" } } }),
                /must not set Authorization/,
            );
        }
        assert.equal(stack.requests.length + other.requests.length, 0, "nothing was sent");
    });

    it("sends stack-config headers to the stack's address only, from resources and functions", async () => {
        const headers = JSON.stringify({ "X-Proxy-Key": "stack-proxy-key" });
        const provider = new ProbeProvider({ address: stack.address, token: "stack-token", headers });
        await provider.clientFor(undefined).get("/v1/agent/self", z.unknown());
        await provider.clientFor({ address: other.address }).get("/v1/agent/self", z.unknown());
        await provider.clientFor({ address: other.address, headers: { "X-Own": "own" } }).get("/v1/agent/self", z.unknown());
        pulumi.runtime.setConfig("consul-mesh:address", stack.address);
        pulumi.runtime.setConfig("consul-mesh:headers", headers);
        // What the functions sent is the point: their answer ({}) is not a roots list, and they say so.
        await assert.rejects(getCaRoots({}), /unexpected shape/);
        await assert.rejects(getCaRoots({ connection: { address: other.address } }), /unexpected shape/);

        assert.equal(stack.requests.length, 2);
        for (const r of stack.requests) assert.equal(r.headers["x-proxy-key"], "stack-proxy-key", r.path);
        assert.equal(other.requests.length, 3);
        for (const r of other.requests) {
            assert.equal(r.headers["x-proxy-key"], undefined, `${r.path}: no stack-config header at another address`);
            assert.equal(r.token, undefined, `${r.path}: no stack token at another address`);
        }
        assert.equal(other.requests[1].headers["x-own"], "own", "the resource's own headers go where it points");
    });
});
