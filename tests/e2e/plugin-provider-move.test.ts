// An explicit provider pointed at another cluster (plugin path): its resources move, as a changed
// `connection` moves them on the dynamic path. DiffConfig reports the changed setting without
// replacing the provider; each resource's own diff sees its recorded `cluster` change and replaces
// it: deleted on the old cluster (reached through the recorded cluster), created on the new one.
import { strict as assert } from "node:assert";
import { DC1, DC2, listIntentions, uniqueSuffix } from "../support/consul";
import { yamlProgram } from "../support/plugin";

describe("e2e: plugin, an explicit provider moved to another cluster", function () {
    this.timeout(600_000);
    const suffix = uniqueSuffix();
    const prog = yamlProgram(
        "consul-mesh-plugin-move",
        `config:
  address:
    type: string
resources:
  here:
    type: pulumi:providers:consul-mesh
    properties:
      address: \${address}
  web-to-api:
    type: consul-mesh:index:Intention
    properties:
      source: web-${suffix}
      destination: api-${suffix}
      action: allow
    options:
      provider: \${here}
`,
    );
    const pairs = async (address: string) => (await listIntentions(address, suffix)).map((i) => `${i.SourceName}=>${i.DestinationName}`);

    after(async () => {
        await prog.destroy().catch(() => undefined);
        prog.cleanup();
    });

    it("up on dc1, then the provider's address set to dc2: a replacement that moves the intention", async () => {
        await prog.init({ address: DC1 });
        await prog.up();
        assert.deepEqual(await pairs(DC1), [`web-${suffix}=>api-${suffix}`]);

        await prog.run(["config", "set", "address", DC2]);
        const { steps } = await prog.preview();
        const step = steps.find((s) => s.urn.endsWith("::web-to-api"));
        assert.match(step?.op ?? "", /replace/, `planned: ${steps.map((s) => `${s.op} ${s.urn}`).join(", ")}`);
        assert.ok(step?.replaceReasons?.includes("cluster"), `replace reasons: ${String(step?.replaceReasons)}`);

        await prog.up();
        assert.deepEqual(await pairs(DC2), [`web-${suffix}=>api-${suffix}`]);
        assert.deepEqual(await pairs(DC1), [], "the intention was left behind on dc1");

        await prog.destroy();
        assert.deepEqual(await pairs(DC2), []);
    });
});
