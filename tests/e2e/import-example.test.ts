import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consul, DC1 } from "../support/consul";
import { runImport } from "../support/import-cli";
import { LossyProxy } from "../support/lossy-proxy";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// `consul-mesh import` of what one of this repository's example programs deployed: examples/
// service-intentions (a JwtProvider, ServiceDefaults and two ServiceIntentions with L7 permissions) is
// deployed on dc1 with the Pulumi CLI; the import of dc1 is deployed into a fresh stack on adopt (the
// key set, a credential to consul-mesh, given as the secret config the generated README names). That
// up sends no write at all (the entries already carry the ownership mark and every declared field),
// previews no change, and leaves every entry byte for byte (indexes aside) as the example wrote it.
const KINDS = ["jwt-provider", "service-defaults", "service-intentions"];

/** Every entry of the example's kinds on dc1, indexes left out: what must not change. */
async function entries(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const kind of KINDS) {
        const res = await consul<Array<Record<string, unknown>>>("GET", `${DC1}/v1/config/${kind}`);
        assert.equal(res.status, 200);
        for (const { CreateIndex: _c, ModifyIndex: _m, Hash: _h, ...entry } of res.body) out[`${kind}/${String(entry.Name)}`] = entry;
    }
    return out;
}

describe("consul-mesh import of an example program's deployment (examples/service-intentions on dc1)", function () {
    this.timeout(600_000);
    const example = new PulumiProgram("examples/service-intentions", "example");
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-import-example-"));
    let adopted: PulumiProgram | undefined;
    /** Every write the adopting stack sends, through a recording proxy in front of dc1. */
    const writes: string[] = [];
    const proxy = new LossyProxy(DC1, (method, url) => {
        if (method !== "GET") writes.push(`${method} ${url.split("?")[0]}`);
        return false;
    });

    const jwks = Buffer.from(JSON.stringify({ keys: [] })).toString("base64");

    before(async () => {
        await example.init({ "consul-mesh-service-intentions:jwks": jwks });
        await example.up();
    });
    after(async () => {
        if (adopted) {
            await adopted.destroy().catch(() => undefined);
            adopted.cleanup();
        }
        await example.destroy().catch(() => undefined);
        example.cleanup();
        await proxy.stop();
        fs.rmSync(outDir, { recursive: true, force: true });
    });

    it("declares every entry the example made, and its second stack adopts them with no write and no change", async () => {
        const deployed = await entries();
        assert.deepEqual(Object.keys(deployed).sort(), [
            "jwt-provider/test-jwt",
            "service-defaults/api",
            "service-intentions/api",
            "service-intentions/db",
        ]);
        const imported = await runImport([
            "--address",
            DC1,
            "--kinds",
            "config-entries,intentions",
            "--services",
            "api,db",
            "--out",
            outDir,
            "--project",
            "from-example",
        ]);
        assert.equal(imported.code, 0, imported.stderr);
        const index = fs.readFileSync(path.join(outDir, "index.ts"), "utf8");
        for (const declared of [
            /new mesh\.JwtProvider\(\s*"jwt-provider-test-jwt"/,
            /new mesh\.ServiceDefaults\(\s*"service-defaults-api"/,
            /new mesh\.ServiceIntentions\(\s*"intentions-api"/,
            /new mesh\.ServiceIntentions\(\s*"intentions-db"/,
        ])
            assert.match(index, declared, `${imported.stderr}\n${index}`);

        // The JWT provider's key set is a credential to consul-mesh: read from secret config, never copied.
        assert.match(index, /jwks: config\.requireSecret\("jwks-test-jwt"\)/);
        assert.match(fs.readFileSync(path.join(outDir, "README.md"), "utf8"), /pulumi config set --secret jwks-test-jwt/);
        assert.ok(!index.includes(jwks), "the key set is not in the program");

        adopted = new PulumiProgram(outDir, "adopt");
        await adopted.init({ "from-example:address": await proxy.start() }, { "from-example:jwks-test-jwt": jwks });
        const { steps } = await adopted.preview();
        assert.ok(
            changingSteps(steps).every((s) => s.op === "create"),
            "the first preview only creates (each adopts)",
        );
        await adopted.up();
        assert.deepEqual(writes, [], "adopting what consul-mesh already marked sends no write");
        assert.deepEqual(await entries(), deployed, "Consul holds every entry as the example wrote it");
        assert.deepEqual(changingSteps((await adopted.preview(["--refresh", "--expect-no-changes"])).steps), []);
        // The adopted stack retains on destroy: the example's own stack still owns and deletes them.
        await adopted.destroy();
        assert.deepEqual(await entries(), deployed, "destroying the adopting stack leaves every entry");
        assert.deepEqual(writes, [], "nor did its destroy write anything");
    });
});
