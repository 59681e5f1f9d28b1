// The effective policy change in the preview on the plugin path (a Pulumi YAML program): the plugin
// runs the same `check` as the dynamic path, and what it prints reaches the CLI's output. Names made
// secret in the program (`fn::secret`) are printed as [secret] there too: the plugin derives the
// masked names from the inputs that arrive as secrets.
import { strict as assert } from "node:assert";
import { DC1, uniqueSuffix } from "../support/consul";
import { yamlProgram } from "../support/plugin";

describe("e2e: plugin, the effective policy change in pulumi preview (YAML)", function () {
    this.timeout(600_000);
    const suffix = uniqueSuffix();
    const hidden = `vault-${suffix}`;
    const prog = yamlProgram(
        "consul-mesh-plugin-effect",
        `config:
  action:
    type: string
resources:
  orders:
    type: consul-mesh:index:ServiceIntentions
    properties:
      destination: orders-${suffix}
      sources:
        - name: web-${suffix}
          action: \${action}
  batch-to-hidden:
    type: consul-mesh:index:Intention
    properties:
      source: batch-${suffix}
      destination:
        fn::secret: ${hidden}
      action: \${action}
`,
    );

    after(async () => {
        await prog.destroy().catch(() => undefined);
        prog.cleanup();
    });

    // `--diff` only before the create: once the pair exists, its ID (never secret in Pulumi, and an
    // Intention's ID holds both names) is printed by `--diff`, as on the dynamic path.
    const printed = async (...extra: string[]) => {
        const r = await prog.run(["preview", ...extra]);
        return `${r.stdout}\n${r.stderr}`;
    };

    it("shows what a create allows, with the secret name masked", async () => {
        await prog.init({ "consul-mesh:address": DC1, action: "allow" });
        const out = await printed("--diff");
        assert.match(
            out,
            new RegExp(
                `ServiceIntentions for orders-${suffix}: this change flips who may call whom:\\s+web-${suffix} -> orders-${suffix}: default => allow`,
            ),
        );
        assert.match(
            out,
            new RegExp(
                `Intention batch-${suffix}=>\\[secret\\]: this change flips who may call whom:\\s+batch-${suffix} -> \\[secret\\]: default => allow`,
            ),
        );
        assert.ok(!out.includes(hidden), "the name made secret is not printed");
        await prog.up();
    });

    it("shows allow => deny for a change, and nothing once it is applied", async () => {
        await prog.run(["config", "set", "action", "deny"]);
        const out = await printed();
        assert.match(out, new RegExp(`web-${suffix} -> orders-${suffix}: allow => deny`));
        assert.match(out, new RegExp(`batch-${suffix} -> \\[secret\\]: allow => deny`));
        assert.ok(!out.includes(hidden), "the name made secret is not printed");
        await prog.up();
        const after = await printed();
        assert.doesNotMatch(after, /this change flips who may call whom/);
    });
});
