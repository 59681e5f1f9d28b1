import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DC3, freshAclCluster, narrowToken, stopAclCluster } from "../support/acl";
import { consul, DC1, DC2, eventually, listIntentions } from "../support/consul";
import { changingSteps, PulumiProgram, type RunResult } from "../support/pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");
const project = "consul-mesh-yaml";

interface ApiPeering {
    Name: string;
    State: string;
}
interface ApiPolicy {
    ID: string;
    Name: string;
    Rules: string;
}
interface ApiToken {
    AccessorID: string;
    Description: string;
    Policies?: Array<{ ID: string; Name: string }>;
}
interface ExportedServicesEntry {
    Services?: Array<{ Name: string; Consumers?: Array<{ Peer?: string }> }>;
}

const states = async (address: string) =>
    (await consul<ApiPeering[]>("GET", `${address}/v1/peerings`)).body.map((p) => `${p.Name}:${p.State}`).sort();
/** dc1's intentions as `source[@peer] -> destination: action`, sorted. */
const dc1Intentions = async () =>
    (await listIntentions(DC1))
        .map((i) => `${i.SourceName}${i.SourcePeer ? `@${i.SourcePeer}` : ""} -> ${i.DestinationName}: ${i.Action ?? "L7"}`)
        .sort();
const steps = (list: Array<{ op: string; urn: string }>) => list.map((s) => `${s.op}:${s.urn.split("::").pop() ?? s.urn}`).sort();

const API_RULES = 'service "api" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n';

// examples/yaml through the real Pulumi CLI, the YAML language host and the consul-mesh plugin
// (pulumi-resource-consul-mesh at the package root, named by a `plugins.providers` path as a user
// would), against the real dc1, dc2 and an ACL-enabled dc3: up, a refresh that finds nothing, drift
// made by hand and repaired, destroy. The ACL token reaches the program only as a secret config value.
describe("examples/yaml (Pulumi YAML through the consul-mesh plugin)", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/yaml", "test", { linkNodeModules: false });
    const printed: RunResult[] = [];
    let aclToken = "";
    const get = <T>(address: string, urlPath: string, token?: string) => consul<T>("GET", `${address}${urlPath}`, undefined, token);

    async function run(args: string[], opts: { allowFailure?: boolean } = {}): Promise<RunResult> {
        const result = await program.run(args, opts);
        printed.push(result);
        return result;
    }
    async function previewRefresh(): Promise<Array<{ op: string; urn: string }>> {
        const result = await run(["preview", "--refresh", "--json"]);
        return changingSteps((JSON.parse(result.stdout) as { steps?: Array<{ op: string; urn: string }> }).steps ?? []);
    }
    async function policy(): Promise<ApiPolicy | undefined> {
        const res = await get<ApiPolicy>(DC3, "/v1/acl/policy/name/api-service", aclToken);
        return res.status === 200 ? res.body : undefined;
    }

    before(async () => {
        assert.ok(fs.existsSync(path.join(repoRoot, "dist", "provider", "plugin", "main.js")), "the plugin is built (npm run build)");
        program.usePackagePlugin();
        await freshAclCluster();
        const boot = await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`);
        assert.equal(boot.status, 200);
        // The program's ACL objects need acl:write and nothing else.
        aclToken = (await narrowToken(boot.body.SecretID, "yaml-example", 'acl = "write"')).SecretID;
        await program.init(
            { [`${project}:dc1Address`]: DC1, [`${project}:dc2Address`]: DC2, [`${project}:aclAddress`]: DC3 },
            { [`${project}:aclToken`]: aclToken },
        );
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
        await stopAclCluster();
    });

    it("creates intentions, the dc1-dc2 peering and the ACL objects in one up, each on its provider's cluster", async () => {
        await run(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(await dc1Intentions(), ["* -> db: deny", "api -> db: allow", "frontend@dc2 -> api: allow", "web -> api: allow"]);
        assert.deepEqual(await states(DC1), ["dc2:ACTIVE"]);
        assert.deepEqual(await states(DC2), ["dc1:ACTIVE"]);
        assert.deepEqual((await listIntentions(DC2)).length, 0, "nothing of the program's intentions went to dc2");
        const exported = await get<ExportedServicesEntry>(DC1, "/v1/config/exported-services/default");
        assert.deepEqual(exported.body.Services, [{ Name: "api", Consumers: [{ Peer: "dc2" }] }]);

        const written = await policy();
        assert.equal(written?.Rules, API_RULES);
        const outputs = await program.outputs();
        assert.equal(outputs.peeringState, "ACTIVE");
        assert.equal(outputs.remoteDatacenter, "dc1");
        assert.equal(outputs.apiPolicyId, written?.ID);
        const token = await get<ApiToken>(DC3, `/v1/acl/token/${String(outputs.apiTokenAccessorId)}`, aclToken);
        assert.equal(token.status, 200);
        assert.deepEqual(
            token.body.Policies?.map((p) => p.Name),
            ["api-service"],
        );
        const secretId = outputs.apiTokenSecretId;
        assert.ok(typeof secretId === "string" && secretId.length === 36, "the token's secret is an output");

        // Real type tokens, no serialised provider in the state, the secrets only as ciphertext.
        const state = await program.exportState();
        const resources = (JSON.parse(state) as { deployment: { resources: Array<{ type: string }> } }).deployment.resources;
        assert.deepEqual([...new Set(resources.map((r) => r.type))].filter((t) => t.startsWith("consul-mesh:")).sort(), [
            "consul-mesh:index:AclPolicy",
            "consul-mesh:index:AclToken",
            "consul-mesh:index:ExportedServices",
            "consul-mesh:index:Intention",
            "consul-mesh:index:Peering",
            "consul-mesh:index:PeeringToken",
        ]);
        assert.equal(resources.filter((r) => r.type === "pulumi:providers:consul-mesh").length, 3, "three explicit providers");
        assert.ok(!state.includes("__provider"), "no serialised provider in the state");
        for (const secret of [aclToken, secretId]) {
            assert.ok(!state.includes(secret), "a token in plaintext in the state");
            assert.ok(!printed.some((r) => r.stdout.includes(secret) || r.stderr.includes(secret)), "a token in the CLI's output");
        }
    });

    it("previews no changes with --refresh --expect-no-changes right after up", async () => {
        await run(["preview", "--refresh", "--expect-no-changes"]);
        assert.deepEqual(await previewRefresh(), []);
    });

    it("sees an intention and a policy edited by hand in Consul as drift, and the next up writes them back", async () => {
        assert.equal(
            (await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=web&destination=api`, { Action: "deny" })).status,
            200,
        );
        const before = await policy();
        assert.ok(before);
        const edited = await consul(
            "PUT",
            `${DC3}/v1/acl/policy/${before.ID}`,
            { ...before, Rules: 'service "api" { policy = "read" }' },
            aclToken,
        );
        assert.equal(edited.status, 200);

        const drift = await run(["preview", "--refresh", "--expect-no-changes"], { allowFailure: true });
        assert.notEqual(drift.code, 0, "the preview refuses: the cluster drifted");
        assert.deepEqual(steps(await previewRefresh()), ["update:apiPolicy", "update:webToApi"]);

        await run(["up", "--yes", "--skip-preview", "--refresh"]);
        assert.ok((await dc1Intentions()).includes("web -> api: allow"), "the intention is allow again");
        assert.equal((await policy())?.Rules, API_RULES);
        await run(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("destroys everything: no intention, peering, export or ACL object of the program is left", async () => {
        const accessorId = String((await program.outputs()).apiTokenAccessorId);
        await run(["destroy", "--yes", "--skip-preview"]);
        assert.deepEqual(await dc1Intentions(), []);
        assert.deepEqual(await states(DC1), []);
        assert.deepEqual(await states(DC2), []);
        // The acceptor hears of the dialer's deletion a moment later: nothing TERMINATED stays behind.
        assert.ok(await eventually(async () => (await states(DC1)).length === 0));
        assert.equal((await get(DC1, "/v1/config/exported-services/default")).status, 404);
        assert.equal(await policy(), undefined);
        assert.ok([403, 404].includes((await get(DC3, `/v1/acl/token/${accessorId}`, aclToken)).status), "the token is gone");
    });
});
