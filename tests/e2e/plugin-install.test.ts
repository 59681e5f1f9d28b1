// The plugin as a user installs it into Pulumi's plugin cache: `npm run plugin:package` builds a
// self-contained archive, `pulumi plugin install resource consul-mesh <version> --file` installs it,
// and a Pulumi YAML program with no `plugins.providers` path deploys through it.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DC1, listIntentions, uniqueSuffix } from "../support/consul";
import { repoRoot, yamlProgram } from "../support/plugin";

describe("e2e: the plugin installed with pulumi plugin install --file", function () {
    this.timeout(600_000);
    const suffix = uniqueSuffix();
    const archive = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-plugin-archive-")), "plugin.tar.gz");
    const prog = yamlProgram(
        "consul-mesh-plugin-installed",
        `resources:
  web-to-api:
    type: consul-mesh:index:Intention
    properties:
      source: web-${suffix}
      destination: api-${suffix}
      action: allow
`,
        { findPlugin: false },
    );

    after(async () => {
        await prog.destroy().catch(() => undefined);
        prog.cleanup();
        fs.rmSync(path.dirname(archive), { recursive: true, force: true });
    });

    it("installs from the archive and deploys through it", async () => {
        await promisify(execFile)("bash", [path.join(repoRoot, "scripts", "plugin-package.sh"), archive], { env: prog.env });
        const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
        await prog.run(["plugin", "install", "resource", "consul-mesh", version, "--file", archive]);
        const listed = await prog.run(["plugin", "ls"]);
        assert.match(listed.stdout, new RegExp(`consul-mesh\\s+resource\\s+${version.replace(/\./g, "\\.")}`));
        await prog.init({ "consul-mesh:address": DC1 });
        await prog.up();
        assert.deepEqual(
            (await listIntentions(DC1, suffix)).map((i) => `${i.SourceName}=>${i.DestinationName}`),
            [`web-${suffix}=>api-${suffix}`],
        );
        await prog.destroy();
        assert.deepEqual(await listIntentions(DC1, suffix), []);
    });
});
