// Finding (low): an empty token file yielded anonymous requests. A token file that is empty (or only
// whitespace) now fails clearly, naming the setting, before any request: from the resource's
// tokenFile, the stack's consul-mesh:tokenFile and CONSUL_HTTP_TOKEN_FILE.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider, withEnv } from "../support/probe-provider";

describe("security: an empty token file is an error, not anonymous access", () => {
    let server: RecordingServer;
    let dir: string;
    before(async () => {
        server = await startRecordingServer();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-empty-token-"));
    });
    after(async () => {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("names the setting whose file is empty, and sends nothing", async () => {
        for (const [i, content] of ["", "\n", "  \t\n"].entries()) {
            const file = path.join(dir, `token-${i}`);
            fs.writeFileSync(file, content);
            assert.throws(
                () => new ProbeProvider().clientFor({ address: server.address, tokenFile: file }),
                /tokenFile names an empty file/,
            );
            assert.throws(
                () => new ProbeProvider({ address: server.address, tokenFile: file }).clientFor(undefined),
                /consul-mesh:tokenFile names an empty file/,
            );
            await withEnv({ CONSUL_HTTP_ADDR: server.address, CONSUL_HTTP_TOKEN_FILE: file, CONSUL_HTTP_TOKEN: undefined }, () => {
                assert.throws(() => new ProbeProvider().clientFor(undefined), /CONSUL_HTTP_TOKEN_FILE names an empty file/);
                return Promise.resolve();
            });
        }
        assert.equal(server.requests.length, 0, "no anonymous request was made");
    });
});
