import { strict as assert } from "node:assert";
import { createPublicKey, createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import * as http from "node:http";
import { consul } from "../support/consul";
import { DC3, freshAclCluster, intentionPairs, managementToken, stopAclCluster, tokenSelf } from "../support/acl";
import { changingSteps, PulumiProgram, type RunResult } from "../support/pulumi";

// examples/acl through the real Pulumi CLI against a fresh ACL-enabled agent (dc3): bootstrap,
// policies, a role, service tokens, a narrow token used by an Intention in the same program; no
// changes on re-runs; drift (rules edited, token policies changed, token deleted) shown by refresh
// and repaired by up; rotation in one up; every token secret kept out of state and CLI output;
// destroy leaves only what Consul builds in.
describe("examples/acl with the Pulumi CLI on a fresh ACL-enabled cluster", function () {
    this.timeout(600_000);
    const bootstrapSecret = randomUUID();
    const project = "consul-mesh-acl";
    const program = new PulumiProgram("examples/acl", "main");
    const cliOutput: Array<{ what: string; text: string }> = [];
    const exports: Array<{ what: string; text: string }> = [];
    /** Every token secret the stack produced (scanned for at the end). */
    const secrets = new Set<string>([bootstrapSecret]);
    let outputs: Record<string, string>;
    /** The CI issuer's key pair: the auth method trusts the public key; the test signs logins. */
    const jwtKeys = generateKeyPairSync("rsa", {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    let checker: string; // a management token made behind Pulumi's back, to look at Consul
    /** The CI issuer's JSON Web Key Set, served on loopback: the auth method fetches its keys from here. */
    const jwks = { keys: [{ ...createPublicKey(jwtKeys.publicKey).export({ format: "jwk" }), kid: "ci-1", alg: "RS256", use: "sig" }] };
    let jwksFetches = 0;
    const jwksServer = http.createServer((req, res) => {
        jwksFetches++;
        res.writeHead(req.url === "/.well-known/jwks.json" ? 200 : 404, { "content-type": "application/json" });
        res.end(req.url === "/.well-known/jwks.json" ? JSON.stringify(jwks) : "{}");
    });

    async function run(args: string[]): Promise<RunResult> {
        const result = await program.run(args);
        cliOutput.push({ what: `pulumi ${args.join(" ")}`, text: `${result.stdout}\n${result.stderr}` });
        return result;
    }
    async function readOutputs(): Promise<void> {
        outputs = Object.fromEntries(
            Object.entries(await program.outputs()).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        for (const key of ["webSecretId", "apiSecretId", "intentionsSecretId"]) secrets.add(outputs[key]);
    }
    async function previewSteps(extra: string[] = []) {
        const result = await run(["preview", "--json", ...extra]);
        return changingSteps((JSON.parse(result.stdout) as { steps?: [] }).steps ?? []);
    }
    const get = <T>(path: string) => consul<T>("GET", `${DC3}${path}`, undefined, checker);
    const names = (steps: Array<{ urn: string; op: string }>) => steps.map((s) => `${s.op}:${s.urn.split("::").pop()}`).sort();

    before(async () => {
        await freshAclCluster();
        await run(["stack", "init", "main"]);
        await run(["config", "set", `${project}:address`, DC3]);
        await run(["config", "set", "--secret", `${project}:bootstrapSecret`, bootstrapSecret]);
        await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
        const bound = jwksServer.address();
        const port = bound !== null && typeof bound === "object" ? bound.port : assert.fail("the JWKS server has no port");
        const jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
        await run(["config", "set", `${project}:jwksUrl`, jwksUrl]);
    });
    after(async () => {
        jwksServer.close();
        program.cleanup();
        await stopAclCluster();
    });

    it("bootstraps, declares policies, a role and tokens, and writes an intention with the narrow token in one up", async () => {
        await run(["up", "--yes", "--skip-preview"]);
        await readOutputs();
        checker = (await managementToken(bootstrapSecret)).SecretID;
        secrets.add(checker);
        const web = await tokenSelf(outputs.webSecretId);
        assert.equal(web?.AccessorID, outputs.webAccessorId);
        const webFull = await get<{ ServiceIdentities: Array<{ ServiceName: string }>; Roles: Array<{ Name: string }> }>(
            `/v1/acl/token/${outputs.webAccessorId}`,
        );
        assert.deepEqual(
            webFull.body.ServiceIdentities.map((s) => s.ServiceName),
            ["web"],
        );
        assert.deepEqual(
            webFull.body.Roles.map((r) => r.Name),
            ["app"],
        );
        const api = await get<{ ServiceIdentities: Array<{ ServiceName: string }> }>(`/v1/acl/token/${outputs.apiAccessorId}`);
        assert.deepEqual(
            api.body.ServiceIdentities.map((s) => s.ServiceName),
            ["api"],
        );
        assert.deepEqual(await intentionPairs(checker), ["web=>api:allow"]);
        // The narrow token really is narrow: it cannot write ACLs.
        const denied = await consul("PUT", `${DC3}/v1/acl/policy`, { Name: "nope" }, outputs.intentionsSecretId);
        assert.equal(denied.status, 403);
    });

    it("lets a workload log in with a JWT through the auth method (keys from a JWKS URL) and binding rule", async () => {
        const now = Math.floor(Date.now() / 1000);
        const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const head = `${b64({ alg: "RS256", typ: "JWT", kid: "ci-1" })}.${b64({ iss: "ci", service: "billing", iat: now - 60, nbf: now - 60, exp: now + 600 })}`;
        const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(jwtKeys.privateKey).toString("base64url")}`;
        const login = await consul<{ SecretID: string; ServiceIdentities: Array<{ ServiceName: string }> }>("POST", `${DC3}/v1/acl/login`, {
            AuthMethod: "ci-jwt",
            BearerToken: jwt,
        });
        assert.equal(login.status, 200, JSON.stringify(login.body));
        assert.deepEqual(
            login.body.ServiceIdentities.map((s) => s.ServiceName),
            ["billing"],
        );
        assert.ok(jwksFetches > 0, "Consul fetched the issuer's keys from the JWKS URL");
        secrets.add(login.body.SecretID);
    });

    it("shows no changes on preview and on refresh", async () => {
        assert.deepEqual(await previewSteps(["--expect-no-changes"]), []);
        await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    });

    it("shows drift made by hand (policy rules, token policies, a deleted token, a binding rule) on refresh, and up repairs it", async () => {
        const policyId = JSON.parse(outputs.policyIds) as { appConfig: string };
        const edited = await consul(
            "PUT",
            `${DC3}/v1/acl/policy/${policyId.appConfig}`,
            { Name: "app-config-read", Rules: 'key_prefix "" { policy = "write" }' },
            checker,
        );
        assert.equal(edited.status, 200);
        const retoken = await consul(
            "PUT",
            `${DC3}/v1/acl/token/${outputs.webAccessorId}`,
            { Policies: [{ Name: "intentions-writer" }] },
            checker,
        );
        assert.equal(retoken.status, 200);
        assert.equal((await consul("DELETE", `${DC3}/v1/acl/token/${outputs.apiAccessorId}`, undefined, checker)).status, 200);
        const oldApiSecret = outputs.apiSecretId;

        const bindingRules = await get<Array<{ ID: string }>>("/v1/acl/binding-rules");
        const ruleId = bindingRules.body[0]?.ID ?? "";
        const ruleEdit = await consul(
            "PUT",
            `${DC3}/v1/acl/binding-rule/${ruleId}`,
            { AuthMethod: "ci-jwt", BindType: "role", BindName: "app" },
            checker,
        );
        assert.equal(ruleEdit.status, 200);

        const steps = await previewSteps(["--refresh"]);
        assert.deepEqual(names(steps), ["create:api", "update:app-config", "update:ci-services", "update:web"]);

        await run(["up", "--yes", "--skip-preview", "--refresh"]);
        await readOutputs();
        const rules = await get<{ Rules: string }>(`/v1/acl/policy/${policyId.appConfig}`);
        assert.match(rules.body.Rules, /key_prefix "config\/"/);
        const web = await get<{ Policies?: unknown[]; ServiceIdentities: Array<{ ServiceName: string }>; Roles: Array<{ Name: string }> }>(
            `/v1/acl/token/${outputs.webAccessorId}`,
        );
        assert.equal(web.body.Policies, undefined);
        assert.deepEqual(
            web.body.ServiceIdentities.map((s) => s.ServiceName),
            ["web"],
        );
        assert.deepEqual(
            web.body.Roles.map((r) => r.Name),
            ["app"],
        );
        assert.notEqual(outputs.apiSecretId, oldApiSecret, "the re-created token has a new secret");
        const rule = await get<{ BindType: string; BindName: string }>(`/v1/acl/binding-rule/${ruleId}`);
        assert.deepEqual([rule.body.BindType, rule.body.BindName], ["service", "${value.service}"]);
        assert.ok(await tokenSelf(outputs.apiSecretId));
        assert.deepEqual(await previewSteps(["--refresh", "--expect-no-changes"]), []);
    });

    it("rotates the intentions token in one up: new secret, old token deleted after the new one exists", async () => {
        const old = { accessor: outputs.intentionsAccessorId, secret: outputs.intentionsSecretId };
        await run(["config", "set", `${project}:rotation`, "2"]);
        const steps = names(await previewSteps());
        assert.equal(steps[0], "replace:intentions");
        // The Intention's token is unknown in this preview (its token is being replaced). Intention's
        // own diff (not the ACL resources') shows an unknown connection as a replacement in preview;
        // the real diff at up time sees the same address and updates it (asserted below).
        assert.match(steps[1] ?? "", /^(update|replace):web-to-api$/);
        assert.equal(steps.length, 2);
        const up = await run(["up", "--yes", "--skip-preview"]);
        await readOutputs();
        assert.notEqual(outputs.intentionsAccessorId, old.accessor);
        assert.notEqual(outputs.intentionsSecretId, old.secret);
        assert.equal(await tokenSelf(old.secret), undefined, "the old token is gone");
        assert.equal((await tokenSelf(outputs.intentionsSecretId))?.AccessorID, outputs.intentionsAccessorId);
        // Pulumi's create-before-delete order: the new token is created before the old one is deleted.
        const text = up.stdout;
        const created = text.search(/\+\+ \S*AclToken intentions created replacement/);
        const deleted = text.search(/-- \S*AclToken intentions deleted original/);
        assert.ok(created >= 0 && deleted > created, text);
        assert.match(text, /~ {2}\S*Intention web-to-api updated/, "the intention is updated with the new token, not replaced");
        assert.deepEqual(await intentionPairs(checker), ["web=>api:allow"]);
        assert.deepEqual(await previewSteps(["--expect-no-changes"]), []);
    });

    it("keeps every token secret out of the state export and the CLI output", async () => {
        const state = await program.exportState();
        exports.push({ what: "pulumi stack export", text: state });
        const parsed = JSON.parse(state) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } };
        const tokenStates = parsed.deployment.resources.filter((r) => r.type.endsWith("consul-mesh:AclToken"));
        assert.equal(tokenStates.length, 3);
        for (const t of tokenStates)
            assert.ok((t.outputs?.secretId as { ciphertext?: string } | undefined)?.ciphertext, "secretId is encrypted");
        assert.ok(secrets.size >= 6);
        for (const secret of secrets) {
            for (const { what, text } of [...exports, ...cliOutput])
                assert.ok(!text.includes(secret), `a token secret appears in plaintext in ${what}`);
        }
    });

    it("destroys everything it made: only what Consul builds in is left (and the checker's own token)", async () => {
        await run(["destroy", "--yes", "--skip-preview"]);
        const tokens = await get<Array<{ AccessorID: string; Description: string; ExpirationTime?: string }>>("/v1/acl/tokens");
        const checkerAccessor = (await tokenSelf(checker))?.AccessorID;
        // AclBootstrap's revokeOnDelete revokes the bootstrap token with a one-minute management token
        // that expires by itself (a token cannot delete itself): it is left to expire.
        const revoker = (t: { Description: string; ExpirationTime?: string }) =>
            t.Description.startsWith("consul-mesh: revokes bootstrap token") && t.ExpirationTime !== undefined;
        assert.deepEqual(
            tokens.body.filter((t) => t.AccessorID !== checkerAccessor && !revoker(t)).map((t) => t.AccessorID),
            ["00000000-0000-0000-0000-000000000002"],
        );
        assert.equal(await tokenSelf(bootstrapSecret), undefined, "the bootstrap token was revoked");
        const policies = await get<Array<{ Name: string }>>("/v1/acl/policies");
        assert.deepEqual(policies.body.map((p) => p.Name).sort(), ["builtin/global-read-only", "global-management"]);
        assert.deepEqual((await get<unknown[]>("/v1/acl/roles")).body, []);
        assert.deepEqual((await get<unknown[]>("/v1/acl/auth-methods")).body, []);
        assert.deepEqual((await get<unknown[]>("/v1/acl/binding-rules")).body, []);
        assert.deepEqual(await intentionPairs(checker), []);
        for (const { what, text } of cliOutput.slice(-1)) for (const s of secrets) assert.ok(!text.includes(s), what);
    });
});
