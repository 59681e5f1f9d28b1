// Finding (low): Consul's answers were cast, not validated, so a malformed answer (another version,
// a proxy's page, a truncated body) became a TypeError later or a string stored where a list
// belongs. The client now parses every answer with the caller's zod schema: a malformed one is an
// AnswerShapeError naming the method, endpoint, address and fields, never the values (an answer may
// hold a token). A loopback server gives the answers; the parsing is the client's own, pure behaviour.
import { strict as assert } from "node:assert";
import { getAcl, consulLinkSchema } from "../../provider/engine/acl-common";
import { readCa } from "../../provider/engine/ca-api";
import { AnswerShapeError } from "../../provider/consul/client";
import { getPeering } from "../../provider/engine/peering-api";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider } from "../support/probe-provider";

const LEAKED = "b1946ac9-secret-token-in-a-bad-answer";

const answers: Record<string, string> = {
    // Provider a number, Config a string: not a CA configuration.
    "/v1/connect/ca/configuration": JSON.stringify({ Provider: 42, Config: `Token=${LEAKED}` }),
    "/v1/connect/ca/roots": JSON.stringify({ ActiveRootID: "x", TrustDomain: "t", Roots: [] }),
    // A proxy's HTML page instead of JSON.
    "/v1/acl/role/r1": `<html><body>login required ${LEAKED}</body></html>`,
    // Peering with its state where a list belongs and an ID missing.
    "/v1/peering/dc2": JSON.stringify({ Name: "dc2", State: ["ACTIVE"], PeerServerAddresses: LEAKED }),
};

describe("security: malformed answers from Consul are clear errors, without their values", () => {
    let server: RecordingServer;
    before(async () => {
        server = await startRecordingServer((req) => {
            const body = answers[req.path.split("?")[0]];
            return body === undefined ? { status: 404, body: "not found" } : { status: 200, body, contentType: "application/json" };
        });
    });
    after(() => server.close());

    const client = () => new ProbeProvider().clientFor({ address: server.address });

    function shapeError(endpoint: string, fields: RegExp) {
        return (err: unknown) => {
            assert.ok(err instanceof AnswerShapeError, `an AnswerShapeError, not ${String(err)}`);
            assert.match(
                err.message,
                new RegExp(`^Consul GET ${endpoint} at http://127\\.0\\.0\\.1:\\d+ answered in an unexpected shape \\(`),
            );
            assert.match(err.message, fields);
            assert.ok(!err.message.includes(LEAKED), "no value of the answer in the message");
            return true;
        };
    }

    it("the CA configuration: names Provider and Config", async () => {
        await assert.rejects(readCa(client()), shapeError("/v1/connect/ca/configuration", /Provider: .*expected string.*Config: /));
    });

    it("an ACL object answered with a non-JSON page: names the answer", async () => {
        const schema = consulLinkSchema();
        await assert.rejects(
            getAcl(client(), "/v1/acl/role/r1", schema),
            shapeError("/v1/acl/role/r1", /\(the answer\): .*expected object/),
        );
    });

    it("a peering with a list where a string belongs: names ID, State and PeerServerAddresses", async () => {
        await assert.rejects(getPeering(client(), "dc2"), shapeError("/v1/peering/dc2", /ID: .*State: .*PeerServerAddresses: /));
    });

    it("a 404 is still 'gone', not a shape error", async () => {
        server.requests.length = 0;
        assert.equal(await getPeering(client(), "nope"), undefined);
        assert.equal(server.requests.length, 1);
    });
});
