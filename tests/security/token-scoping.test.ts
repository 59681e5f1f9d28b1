// Finding (medium): with no token on a resource, the provider fell back to `consul-mesh:token` and
// then CONSUL_HTTP_TOKEN even when the resource named another address, so that cluster received the
// operator's token. The rule now: a stack-config token goes only to the stack's address
// (consul-mesh:address, else the environment's or the default address), an environment token only to
// the environment's address (CONSUL_HTTP_ADDR, else the default), a resource's own token wherever the
// resource points, and `token: ""` means anonymous. Three recording servers on loopback see what
// each address received.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider, withEnv } from "../support/probe-provider";

describe("security: a token reaches only the cluster it belongs to", () => {
    let stack: RecordingServer;
    let other: RecordingServer;
    let envCluster: RecordingServer;
    before(async () => {
        [stack, other, envCluster] = await Promise.all([startRecordingServer(), startRecordingServer(), startRecordingServer()]);
    });
    after(() => Promise.all([stack.close(), other.close(), envCluster.close()]));
    beforeEach(() => {
        for (const s of [stack, other, envCluster]) s.requests.length = 0;
    });

    /** The token (or "anonymous") each server saw for one GET made with the given connection input. */
    async function tokenSeen(provider: ProbeProvider, connection: Record<string, string> | undefined, server: RecordingServer) {
        const before = server.requests.length;
        await provider.clientFor(connection).get("/v1/agent/self", z.unknown(), { retry: false });
        assert.equal(server.requests.length, before + 1, "the request reached the expected server");
        return server.requests[before].token ?? "anonymous";
    }

    it("stack token to the stack address only, env token to the env address only, own token anywhere, token '' anonymous", async () => {
        await withEnv(
            { CONSUL_HTTP_ADDR: envCluster.address, CONSUL_HTTP_TOKEN: "env-token", CONSUL_HTTP_TOKEN_FILE: undefined },
            async () => {
                const provider = new ProbeProvider({ address: stack.address, token: "stack-token" });
                assert.equal(await tokenSeen(provider, undefined, stack), "stack-token", "no connection: the stack's cluster and token");
                assert.equal(await tokenSeen(provider, { address: `${stack.address.replace("http", "HTTP")}/` }, stack), "stack-token");
                assert.equal(
                    await tokenSeen(provider, { address: other.address }, other),
                    "anonymous",
                    "another cluster gets no stack token",
                );
                assert.equal(
                    await tokenSeen(provider, { address: envCluster.address }, envCluster),
                    "env-token",
                    "the env's cluster gets the env token",
                );
                assert.equal(
                    await tokenSeen(provider, { address: stack.address, token: "" }, stack),
                    "anonymous",
                    'token: "" is anonymous',
                );
                assert.equal(await tokenSeen(provider, { address: other.address, token: "own-token" }, other), "own-token");
                // Without a stack address the stack token goes with the environment's address.
                const tokenOnly = new ProbeProvider({ token: "stack-token" });
                assert.equal(await tokenSeen(tokenOnly, undefined, envCluster), "stack-token");
                assert.equal(await tokenSeen(tokenOnly, { address: other.address }, other), "anonymous");
            },
        );
        const everything = [...stack.requests, ...other.requests, ...envCluster.requests];
        assert.ok(
            !other.requests.some((r) => r.token === "stack-token" || r.token === "env-token"),
            "the other cluster never saw either token",
        );
        assert.ok(!stack.requests.some((r) => r.token === "env-token"), "the stack cluster never saw the env token");
        assert.equal(everything.length, 8);
    });
});
