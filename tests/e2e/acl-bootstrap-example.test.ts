import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { consul } from "../support/consul";
import { DC3, freshAclCluster, intentionPairs, stopAclCluster, tokenSelf } from "../support/acl";
import { changingSteps, PulumiProgram, type RunResult } from "../support/pulumi";

// examples/acl-bootstrap through the real Pulumi CLI against a fresh ACL-enabled agent (dc3): the
// chicken-and-egg program, re-runs (same stack, fresh stack with the same secret, fresh stack with
// another secret) and a scan of every state export and CLI output for plaintext secrets.
describe("examples/acl-bootstrap with the Pulumi CLI on a fresh ACL-enabled cluster", function () {
    this.timeout(600_000);
    const secret = randomUUID();
    const wrongSecret = randomUUID();
    const project = "consul-mesh-acl-bootstrap";
    const expectedPairs = ["api=>db:allow", "web=>api:allow", "web=>db:deny"];
    const programs: PulumiProgram[] = [];
    /** Every CLI output of these runs (stdout and stderr), for the secrets scan. */
    const cliOutput: Array<{ what: string; text: string }> = [];
    const exports: Array<{ what: string; text: string }> = [];

    const newProgram = (stack: string) => {
        const p = new PulumiProgram("examples/acl-bootstrap", stack);
        programs.push(p);
        return p;
    };
    async function run(p: PulumiProgram, args: string[], allowFailure = false): Promise<RunResult> {
        const result = await p.run(args, { allowFailure });
        cliOutput.push({ what: `${p.stack}: pulumi ${args.join(" ")}`, text: `${result.stdout}\n${result.stderr}` });
        return result;
    }
    async function init(p: PulumiProgram, bootstrapSecret: string): Promise<void> {
        await run(p, ["stack", "init", p.stack]);
        await run(p, ["config", "set", `${project}:address`, DC3]);
        await run(p, ["config", "set", "--secret", `${project}:bootstrapSecret`, bootstrapSecret]);
    }
    async function exportState(p: PulumiProgram): Promise<string> {
        const text = await p.exportState();
        exports.push({ what: `${p.stack}: pulumi stack export`, text });
        return text;
    }

    const main = newProgram("main");
    let accessorId: string;
    /** Peering tokens seen in stack outputs (secrets too: scanned for). */
    const peeringTokens: string[] = [];

    before(async () => {
        await freshAclCluster();
        await init(main, secret);
    });
    after(async () => {
        // Only the main stack is destroyed: the others adopted (or never made) the same objects.
        for (const p of programs) p.cleanup();
        await stopAclCluster();
    });

    it("bootstraps the fresh cluster and creates intentions with the new token in one up", async () => {
        await run(main, ["up", "--yes", "--skip-preview"]);
        const outputs = await main.outputs();
        accessorId = outputs.bootstrapAccessorId as string;
        assert.equal(outputs.bootstrapSecretId, secret, "bootstrapSecret became the token's SecretID");
        assert.deepEqual(outputs.bootstrapPolicies, ["global-management"]);
        // The bootstrap token works against Consul...
        assert.equal((await tokenSelf(secret))?.AccessorID, accessorId);
        // ...the intentions are there...
        assert.deepEqual(await intentionPairs(secret), expectedPairs);
        // ...and ACLs are enforced (so they were written with the token).
        assert.equal((await consul("GET", `${DC3}/v1/config/service-intentions/api`)).status, 403);
        // The CA configuration and the peering token were made with the bootstrap token too.
        const ca = await consul<{ Config: { LeafCertTTL: string } }>("GET", `${DC3}/v1/connect/ca/configuration`, undefined, secret);
        assert.equal(ca.body.Config.LeafCertTTL, "72h");
        const roots = await consul<{ ActiveRootID: string }>("GET", `${DC3}/v1/connect/ca/roots`, undefined, secret);
        assert.equal(outputs.activeRootId, roots.body.ActiveRootID);
        const peering = await consul<{ State: string }>("GET", `${DC3}/v1/peering/dc1`, undefined, secret);
        assert.equal(peering.body.State, "PENDING");
        assert.equal(typeof outputs.peeringTokenForDc1, "string");
        peeringTokens.push(outputs.peeringTokenForDc1 as string);
    });

    it("shows no changes on preview and refresh, and up again (with --debug) succeeds", async () => {
        const preview = await run(main, ["preview", "--json", "--expect-no-changes"]);
        assert.deepEqual(changingSteps((JSON.parse(preview.stdout) as { steps: [] }).steps), []);
        await run(main, ["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        const again = await run(main, ["up", "--yes", "--skip-preview", "--debug"]);
        assert.match(again.stdout, /7 unchanged/);
        const outputs = await main.outputs();
        assert.equal(outputs.bootstrapAccessorId, accessorId);
        assert.equal(outputs.peeringTokenForDc1, peeringTokens[0], "no new peering token on a re-run");
    });

    it("adopts the bootstrap from a fresh stack with the same bootstrapSecret", async () => {
        const same = newProgram("same-secret");
        await init(same, secret);
        await run(same, ["up", "--yes", "--skip-preview"]);
        const outputs = await same.outputs();
        assert.equal(outputs.bootstrapAccessorId, accessorId, "the same token, adopted");
        peeringTokens.push(outputs.peeringTokenForDc1 as string);
        assert.deepEqual(await intentionPairs(secret), expectedPairs);
        await exportState(same);
    });

    it("fails from a fresh stack with another bootstrapSecret with the one clear message, and changes nothing", async () => {
        const tokensBefore = await consul<unknown[]>("GET", `${DC3}/v1/acl/tokens`, undefined, secret);
        const other = newProgram("other-secret");
        await init(other, wrongSecret);
        const result = await run(other, ["up", "--yes", "--skip-preview"], true);
        assert.notEqual(result.code, 0);
        const text = `${result.stdout}\n${result.stderr}`;
        assert.match(
            text,
            /Consul at http:\/\/127\.0\.0\.1:\d+ is already ACL-bootstrapped \(reset index: \d+\), and bootstrapSecret is not the SecretID of a token there/,
        );
        assert.match(text, /\(1\) Adopt it .*: set bootstrapSecret to the SecretID of the existing bootstrap/);
        assert.match(text, /reading it from standard input/);
        assert.match(
            text,
            /\(2\) Only if no management token is left: reset the bootstrap by writing \d+ to the file <data_dir>\/acl-bootstrap-reset/,
        );
        assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
        // Nothing else changed: same intentions, same tokens, and the stack holds no resource.
        assert.deepEqual(await intentionPairs(secret), expectedPairs);
        const tokensAfter = await consul<unknown[]>("GET", `${DC3}/v1/acl/tokens`, undefined, secret);
        assert.deepEqual(tokensAfter.body, tokensBefore.body);
        const state = JSON.parse(await exportState(other)) as { deployment: { resources?: Array<{ type: string }> } };
        assert.deepEqual(
            (state.deployment.resources ?? []).map((r) => r.type).filter((t) => t.includes("consul-mesh")),
            [],
        );
    });

    it("keeps every secret out of the state exports and the CLI output (secrets audit)", async () => {
        const state = await exportState(main);
        // The token is in the state, as ciphertext.
        const parsed = JSON.parse(state) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } };
        const boot = parsed.deployment.resources.find((r) => r.type.endsWith("consul-mesh:AclBootstrap"));
        const secretOut = boot?.outputs?.secretId as { "4dabf18193072939515e22adb298388d"?: string; ciphertext?: string };
        assert.equal(secretOut?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "secretId is a secret");
        assert.ok(secretOut?.ciphertext);

        const values: Array<[string, string]> = [
            ["bootstrapSecret / token", secret],
            ["the other bootstrapSecret", wrongSecret],
            ...peeringTokens.map((t, i): [string, string] => [`peering token ${i}`, t]),
        ];
        assert.ok(peeringTokens.length >= 2 && peeringTokens.every((t) => t.length > 100));
        assert.ok(
            cliOutput.some((o) => o.what.includes("--debug")),
            "the --debug run is scanned",
        );

        // Known upstream leak, not ours: with --debug, @pulumi/pulumi (3.248 to 3.270 at least,
        // runtime/resource.js) logs every RegisterResource response, secret output values included.
        // Values that are also config secrets (bootstrapSecret) are masked by the CLI; others (peering
        // tokens) are not. Those SDK messages are set aside and counted; everything else must be clean.
        let upstreamLeaks = 0;
        const withoutSdkRpcDumps = (text: string) =>
            text
                .split(/\n(?=\s*debug: )/)
                .filter((msg) => {
                    const dump = /^\s*debug: (RegisterResource|ReadResource) RPC finished/.test(msg);
                    if (dump && values.some(([, v]) => msg.includes(v))) upstreamLeaks++;
                    return !dump;
                })
                .join("\n");
        const haystacks = [...exports, ...cliOutput];
        for (const [name, value] of values) {
            for (const { what, text } of haystacks) {
                assert.ok(!withoutSdkRpcDumps(text).includes(value), `${name} appears in plaintext in ${what}`);
            }
        }
        // The bootstrap token is a config secret: the CLI masks it even in the SDK's RPC dumps.
        for (const { what, text } of haystacks) assert.ok(!text.includes(secret), `the bootstrap token appears in ${what}`);
        console.log(`      upstream --debug RPC dumps holding a (non-config) secret: ${upstreamLeaks}`);
        console.log(
            `      scanned ${exports.length} state exports and ${cliOutput.length} CLI outputs (${haystacks.reduce((n, h) => n + h.text.length, 0)} bytes)`,
        );
    });

    it("destroys the intentions and the peering and forgets (does not revoke) the bootstrap token", async () => {
        await run(main, ["destroy", "--yes", "--skip-preview"]);
        assert.deepEqual(await intentionPairs(secret), []);
        assert.equal((await consul("GET", `${DC3}/v1/peering/dc1`, undefined, secret)).status, 404);
        assert.equal((await tokenSelf(secret))?.AccessorID, accessorId);
        for (const { what, text } of cliOutput.slice(-1)) {
            for (const value of [secret, ...peeringTokens]) assert.ok(!text.includes(value), what);
        }
    });
});
