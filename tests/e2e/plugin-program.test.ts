// The provider plugin from a Pulumi YAML program: two explicit providers (dc1 and dc2) in one
// program, a token given as a secret provider setting, secrets kept secret in state, no
// `__provider` anywhere, no change on a refreshing preview, bad provider config refused by key,
// and the state bytes per Intention compared with the dynamic path's.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { consul, DC1, DC2, eventually, listIntentions, uniqueSuffix } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";
import { bytesPer, exportedResources, yamlProgram } from "../support/plugin";

const TOKEN = "a7c1b2d4-plugin-e2e-token";

function program(suffix: string): string {
    return `config:
  dc1Address:
    type: string
  dc2Address:
    type: string
  dc2Token:
    type: string
    secret: true
resources:
  dc1:
    type: pulumi:providers:consul-mesh
    properties:
      address: \${dc1Address}
  dc2:
    type: pulumi:providers:consul-mesh
    properties:
      address: \${dc2Address}
      token: \${dc2Token}
      timeoutMs: 20000
  web-to-api:
    type: consul-mesh:index:Intention
    properties:
      source: web-${suffix}
      destination: api-${suffix}
      action: allow
    options:
      provider: \${dc1}
  batch-to-api:
    type: consul-mesh:index:Intention
    properties:
      source: batch-${suffix}
      destination: api-${suffix}
      action: deny
      description: no batch jobs
    options:
      provider: \${dc1}
  api-defaults:
    type: consul-mesh:index:ServiceDefaults
    properties:
      name: api-${suffix}
      protocol: http
    options:
      provider: \${dc2}
  web-to-api-dc2:
    type: consul-mesh:index:Intention
    properties:
      source: web-${suffix}
      destination: api-${suffix}
      permissions:
        - action: allow
          http:
            pathPrefix: /v1/
    options:
      provider: \${dc2}
      dependsOn:
        - \${api-defaults}
  dc2-token:
    type: consul-mesh:index:PeeringToken
    properties:
      peerName: dc2-${suffix}
    options:
      provider: \${dc1}
  dc1-peering:
    type: consul-mesh:index:Peering
    properties:
      peerName: dc1-${suffix}
      peeringToken: \${dc2-token.peeringToken}
    options:
      provider: \${dc2}
variables:
  dc2Roots:
    fn::invoke:
      function: consul-mesh:index:getCaRoots
      arguments: {}
      options:
        provider: \${dc2}
  dc1Peerings:
    fn::invoke:
      function: consul-mesh:index:getPeerings
      arguments: {}
      options:
        provider: \${dc1}
        dependsOn:
          - \${dc1-peering}
outputs:
  dc2Precedence: \${web-to-api-dc2.precedence}
  peeringToken: \${dc2-token.peeringToken}
  dc2TrustDomain: \${dc2Roots.trustDomain}
  dc1Peerings: \${dc1Peerings.peerings}
`;
}

describe("e2e: the provider plugin from Pulumi YAML (explicit providers for dc1 and dc2)", function () {
    this.timeout(600_000);
    const suffix = uniqueSuffix();
    const prog = yamlProgram("consul-mesh-plugin-yaml", program(suffix));

    before(async () => {
        await prog.init({ dc1Address: DC1, dc2Address: DC2 }, { dc2Token: TOKEN });
    });

    after(async () => {
        await prog.destroy().catch(() => undefined);
        prog.cleanup();
    });

    it("a first preview plans every create (the peering token still unknown)", async () => {
        const { steps } = await prog.preview();
        const creates = steps.filter((s) => s.op === "create").map((s) => s.urn.split("::").pop());
        for (const name of ["dc1", "dc2", "web-to-api", "batch-to-api", "api-defaults", "web-to-api-dc2", "dc2-token", "dc1-peering"]) {
            assert.ok(creates.includes(name), `${name} is not planned: ${creates.join(", ")}`);
        }
        assert.deepEqual(await listIntentions(DC1, suffix), [], "a preview wrote to Consul");
    });

    it("up writes to each provider's cluster", async () => {
        await prog.up();
        const dc1 = await listIntentions(DC1, suffix);
        assert.deepEqual(dc1.map((i) => `${i.SourceName}=>${i.DestinationName}:${i.Action}`).sort(), [
            `batch-${suffix}=>api-${suffix}:deny`,
            `web-${suffix}=>api-${suffix}:allow`,
        ]);
        const dc2 = await consul<{ Sources: Array<{ Name: string; Permissions?: unknown[] }> }>(
            "GET",
            `${DC2}/v1/config/service-intentions/api-${suffix}`,
        );
        assert.equal(dc2.status, 200);
        assert.equal(dc2.body.Sources.length, 1);
        assert.equal(dc2.body.Sources[0].Permissions?.length, 1);
        const defaults = await consul<{ Protocol: string }>("GET", `${DC2}/v1/config/service-defaults/api-${suffix}`);
        assert.equal(defaults.body.Protocol, "http");
        const outputs = await prog.outputs();
        assert.equal(typeof outputs.dc2Precedence, "number");
        // A peering across the two providers' clusters, and invokes through each provider.
        const peering = await consul<{ State: string }>("GET", `${DC2}/v1/peering/dc1-${suffix}`);
        assert.equal(peering.status, 200);
        assert.match(peering.body.State, /^(ACTIVE|ESTABLISHING)$/);
        const roots = await consul<{ TrustDomain: string }>("GET", `${DC2}/v1/connect/ca/roots`);
        assert.equal(outputs.dc2TrustDomain, roots.body.TrustDomain);
        // Invoked after the peering was made (dependsOn), through dc1's provider.
        const listed: unknown[] = Array.isArray(outputs.dc1Peerings) ? outputs.dc1Peerings : [];
        const names = listed.map((p): unknown => (typeof p === "object" && p !== null ? Reflect.get(p, "name") : undefined));
        assert.ok(names.includes(`dc2-${suffix}`), `dc1's peerings: ${names.join(", ")}`);
    });

    it("state: plugin type tokens, no __provider, the token only as ciphertext", async () => {
        const exported = await prog.exportState();
        assert.ok(!exported.includes("__provider"), "a plugin-managed resource holds __provider");
        assert.ok(!exported.includes(TOKEN), "the provider token is in the state in plaintext");
        const { peeringToken } = await prog.outputs();
        assert.equal(typeof peeringToken, "string");
        assert.ok(!exported.includes(String(peeringToken)), "the peering token is in the state in plaintext");
        const resources = exportedResources(exported);
        const types = new Set(resources.map((r) => r.type));
        assert.ok(types.has("consul-mesh:index:Intention"));
        assert.ok(types.has("pulumi:providers:consul-mesh"));
        const dc2 = resources.find((r) => r.type === "pulumi:providers:consul-mesh" && r.urn.endsWith("::dc2"));
        assert.ok(dc2?.inputs && typeof dc2.inputs.token === "object", "the provider's token is not a secret in state");
        const intention = resources.find((r) => r.urn.endsWith("::web-to-api"));
        assert.equal(intention?.outputs?.cluster, DC1.replace(/\/$/, ""));
    });

    it("a refreshing preview shows no change", async () => {
        const { steps } = await prog.preview(["--refresh"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("bad provider config is refused naming the key, without the token", async () => {
        const bad = yamlProgram(
            "consul-mesh-plugin-bad-config",
            `resources:
  broken:
    type: pulumi:providers:consul-mesh
    properties:
      address: ${DC1}
      token: ${TOKEN}
      timeoutMs: soon
  x:
    type: consul-mesh:index:Intention
    properties:
      source: a
      destination: b
      action: allow
    options:
      provider: \${broken}
`,
        );
        try {
            await bad.init();
            const { result } = await bad.preview([], true);
            assert.notEqual(result.code, 0);
            const text = result.stdout + result.stderr;
            assert.match(text, /timeoutMs/);
            assert.ok(!text.includes(TOKEN), "the refusal shows the token");
        } finally {
            bad.cleanup();
        }
    });

    it("state bytes per Intention: plugin path below the dynamic path", async () => {
        const plugin = bytesPer(await prog.exportState(), "consul-mesh:index:Intention");
        const dynamic = new PulumiProgram(path.join("tests", "e2e", "programs", "many-intentions"));
        try {
            await dynamic.init({ count: "3", destination: `bytes-${suffix}` });
            await dynamic.up();
            const measured = bytesPer(await dynamic.exportState(), "pulumi-nodejs:dynamic/consul-mesh:Intention");
            console.log(
                `state bytes per Intention: plugin ${plugin.mean} (n=${plugin.count}), dynamic ${measured.mean} (n=${measured.count})`,
            );
            assert.equal(measured.count, 3);
            assert.ok(plugin.mean < measured.mean, `plugin ${plugin.mean} B is not below dynamic ${measured.mean} B`);
            await dynamic.destroy();
        } finally {
            dynamic.cleanup();
        }
    });

    it("destroy removes everything from both clusters", async () => {
        await prog.destroy();
        assert.deepEqual(await listIntentions(DC1, suffix), []);
        assert.deepEqual(await listIntentions(DC2, suffix), []);
        for (const [address, name] of [
            [DC1, `dc2-${suffix}`],
            [DC2, `dc1-${suffix}`],
        ]) {
            const gone = await eventually(async () => (await consul("GET", `${address}/v1/peering/${name}`)).status === 404);
            assert.ok(gone, `peering ${name} still in ${address}`);
        }
        const defaults = await consul("GET", `${DC2}/v1/config/service-defaults/api-${suffix}`);
        assert.equal(defaults.status, 404);
    });
});
