// Finding (high): a CaConfiguration declared with the built-in `consul` provider, refreshed while
// Consul holds a Vault configuration, must not copy the Vault token into plaintext: not into the
// checkpoint or its history, not into `pulumi stack export`, not into what refresh and
// `preview --refresh --diff` print. A real Consul agent (dc3) is switched to the Vault provider
// behind Pulumi's back; Vault itself is a loopback stand-in (tests/support/fake-vault.ts).
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { start, stop } from "../../scripts/lib/clusters";
import { DC3 } from "../support/acl";
import { consul } from "../support/consul";
import { startFakeVault, type FakeVault } from "../support/fake-vault";
import { PulumiProgram } from "../support/pulumi";

const log = (m: string) => console.error(`[clusters] ${m}`);

describe("security: CA provider credentials read from Consul stay secret", function () {
    this.timeout(300_000);
    let vault: FakeVault | undefined;
    let program: PulumiProgram | undefined;

    before(async () => {
        await stop("dc3", { log });
        await start("dc3", { log });
    });

    after(async () => {
        program?.cleanup();
        await vault?.close();
        await stop("dc3", { log });
    });

    it("refresh and preview --refresh --diff keep a Vault token found in Consul out of plaintext", async () => {
        const vaultToken = `hvs.${crypto.randomBytes(18).toString("base64url")}`;
        program = new PulumiProgram("examples/ca-configuration", "vault-drift");
        await program.init({ "consul-mesh-ca:address": DC3 });
        const printed: string[] = [];
        const run = async (args: string[]) => {
            const r = await program!.run(args);
            printed.push(`$ pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
            return r;
        };
        await run(["up", "--yes", "--skip-preview"]);

        // Someone moves the cluster to Vault outside Pulumi.
        const roots = await consul<{ TrustDomain: string }>("GET", `${DC3}/v1/connect/ca/roots`);
        vault = await startFakeVault({ trustDomain: roots.body.TrustDomain, rootPath: "connect-root", intermediatePath: "connect-int" });
        await consul("PUT", `${DC3}/v1/connect/ca/configuration`, {
            Provider: "vault",
            ForceWithoutCrossSigning: true,
            Config: { Address: vault.address, Token: vaultToken, RootPKIPath: "connect-root", IntermediatePKIPath: "connect-int" },
        });
        const held = await consul<{ Provider: string; Config: { Token?: string } }>("GET", `${DC3}/v1/connect/ca/configuration`);
        assert.equal(held.body.Provider, "vault");
        assert.equal(held.body.Config.Token, vaultToken, "Consul returns the Vault token in clear text");

        const refresh = await run(["refresh", "--yes", "--skip-preview"]);
        const preview = await run(["preview", "--refresh", "--diff"]);
        assert.match(preview.stdout, /provider/, "the preview shows the provider drift");
        assert.match(refresh.stdout + preview.stdout, /vault/, "the refresh saw Consul's Vault configuration");

        // The refresh did store what Consul holds, token included, as a secret.
        const revealed = (await program.run(["stack", "export", "--show-secrets"])).stdout;
        assert.ok(revealed.includes(vaultToken), "the state holds the token (encrypted)");

        const exported = await program.exportState();
        const stateDir = (program.env.PULUMI_BACKEND_URL ?? "").replace("file://", "");
        const files = fs
            .readdirSync(stateDir, { recursive: true, withFileTypes: true })
            .flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));
        assert.ok(
            files.some((f) => f.includes(`${path.sep}history${path.sep}`)),
            "the backend keeps a history",
        );
        const places = [
            { what: "pulumi stack export", text: exported },
            ...files.map((f) => ({ what: path.relative(stateDir, f), text: fs.readFileSync(f, "utf8") })),
            ...printed.map((text) => ({ what: text.split("\n")[0], text })),
        ];
        const leaks = places.filter((p) => p.text.includes(vaultToken)).map((p) => p.what);
        assert.deepEqual(leaks, [], "the Vault token is in plaintext in these places");
    });
});
