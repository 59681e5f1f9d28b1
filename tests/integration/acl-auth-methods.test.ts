// AclAuthMethod (jwt) and AclBindingRule against a fresh ACL-enabled agent (dc3): a JWT signed with
// a key generated here logs in through the rule and gets the service identity it names; drift made
// by hand is read back; the kubernetes credential never shows in errors.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createSign, generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AclAuthMethodProvider, type AclAuthMethodInputs } from "../../provider/resources/acl-auth-method";
import { AclBindingRuleProvider } from "../../provider/resources/acl-binding-rule";
import { AclBootstrapProvider } from "../../provider/resources/acl-bootstrap";
import { AclPolicyProvider } from "../../provider/resources/acl-policy";
import { AclRoleProvider } from "../../provider/resources/acl-role";
import { LossyProxy } from "../support/lossy-proxy";
import { consul } from "../support/consul";
import { DC3, freshAclCluster, stopAclCluster } from "../support/acl";
import { toolsDir } from "../../scripts/lib/clusters";

const methods = new AclAuthMethodProvider();
const rules = new AclBindingRuleProvider();
const policies = new AclPolicyProvider();
const roles = new AclRoleProvider();

function signJwt(privateKey: string, claims: Record<string, unknown>): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const head = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}`;
    return `${head}.${createSign("RSA-SHA256").update(head).sign(privateKey).toString("base64url")}`;
}

describe("AclAuthMethod and AclBindingRule providers against a real ACL-enabled Consul agent (dc3)", function () {
    this.timeout(120_000);
    let connection: { address: string; token: string };
    const { publicKey, privateKey } = generateKeyPairSync("rsa", {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });

    before(async () => {
        await freshAclCluster();
        const boot = await new AclBootstrapProvider().create({ connection: { address: DC3 } });
        connection = { address: DC3, token: boot.outs.secretId };
    });
    after(async () => {
        await stopAclCluster();
    });

    it("refuses a method without its type's block, or jwt without exactly one key source, naming the property", async () => {
        const k = await methods.check({}, { name: "k8s", type: "kubernetes", jwt: { jwksUrl: "https://x/jwks" } });
        assert.deepEqual(k.failures?.map((f) => f.property).sort(), ["jwt", "kubernetes"]);
        const j = await methods.check({}, { name: "j", type: "jwt", jwt: { boundIssuer: "me" } });
        assert.match(j.failures?.[0]?.reason ?? "", /exactly one key source/);
        const secret = "eyJhbGciOi.not-a-real.service-account-jwt";
        const c = await methods.check(
            {},
            { name: "k8s", type: "kubernetes", kubernetes: { host: "", caCert: "x", serviceAccountJwt: secret } },
        );
        assert.ok((c.failures ?? []).length >= 2);
        assert.ok(!JSON.stringify(c.failures).includes(secret), "the credential is never in a failure");
    });

    it("creates a kubernetes method whose service-account JWT reads back unchanged (no perpetual diff) and never shows in errors", async () => {
        // A CA certificate for the (unreachable) API server: Consul checks it parses; it calls the API only at login.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-k8s-ca-"));
        execFileSync(path.join(toolsDir(), "consul"), ["tls", "ca", "create", "-days", "1"], { cwd: dir, stdio: "ignore" });
        const caCert = fs.readFileSync(path.join(dir, "consul-agent-ca.pem"), "utf8");
        fs.rmSync(dir, { recursive: true, force: true });
        const serviceAccountJwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjb25zdWwtbWVzaCJ9.c2lnbmF0dXJlLW5vdC1jaGVja2Vk";
        const inputs: AclAuthMethodInputs = {
            name: "k8s",
            type: "kubernetes",
            kubernetes: { host: "https://127.0.0.1:6443", caCert, serviceAccountJwt },
            connection,
        };
        const { id, outs } = await methods.create(inputs);
        const read = await methods.read(id, outs);
        assert.equal(read.props?.kubernetes?.serviceAccountJwt, serviceAccountJwt);
        assert.equal((await methods.diff(id, read.props ?? outs, inputs)).changes, false);
        // A write refused by Consul (a bad CA) carries Consul's message, never the credential.
        let message = "";
        try {
            await methods.update(id, outs, {
                ...inputs,
                kubernetes: {
                    host: "https://127.0.0.1:6443",
                    caCert: "-----BEGIN CERTIFICATE-----\nbad\n-----END CERTIFICATE-----",
                    serviceAccountJwt,
                },
            });
        } catch (err) {
            message = err instanceof Error ? err.message : String(err);
        }
        assert.ok(message !== "", "the bad CA is refused");
        assert.ok(!message.includes(serviceAccountJwt));
        await methods.delete(id, outs);
    });

    it("creates a jwt method and a binding rule; a login with a signed JWT gets the service identity", async () => {
        const inputs: AclAuthMethodInputs = {
            name: "ci-jwt",
            type: "jwt",
            maxTokenTtl: "1h",
            jwt: { jwtValidationPubKeys: [publicKey], boundIssuer: "ci", claimMappings: { service: "service" } },
            connection,
        };
        const { id, outs } = await methods.create(inputs);
        assert.equal(id, "ci-jwt");
        assert.deepEqual(outs.jwt?.claimMappings, { service: "service" });
        assert.equal((await methods.diff(id, (await methods.read(id, outs)).props ?? outs, inputs)).changes, false);

        const rule = await rules.create({
            authMethod: "ci-jwt",
            bindType: "service",
            bindName: "${value.service}",
            selector: "",
            connection,
        });
        const jwt = signJwt(privateKey, {
            iss: "ci",
            service: "billing",
            iat: Math.floor(Date.now() / 1000) - 60,
            nbf: Math.floor(Date.now() / 1000) - 60,
            exp: Math.floor(Date.now() / 1000) + 600,
        });
        const login = await consul<{ ServiceIdentities: Array<{ ServiceName: string }>; AuthMethod: string }>(
            "POST",
            `${DC3}/v1/acl/login`,
            {
                AuthMethod: "ci-jwt",
                BearerToken: jwt,
            },
        );
        assert.equal(login.status, 200, JSON.stringify(login.body));
        assert.deepEqual(
            login.body.ServiceIdentities.map((s) => s.ServiceName),
            ["billing"],
        );

        // Drift by hand on the rule: read shows it, update puts it back.
        const put = await consul(
            "PUT",
            `${DC3}/v1/acl/binding-rule/${rule.id}`,
            { AuthMethod: "ci-jwt", BindType: "service", BindName: "other" },
            connection.token,
        );
        assert.equal(put.status, 200);
        const read = await rules.read(rule.id, rule.outs);
        assert.equal(read.props?.bindName, "other");
        assert.deepEqual((await rules.diff(rule.id, read.props ?? rule.outs, rule.outs)).replaces, []);
        const fixed = await rules.update(rule.id, read.props ?? rule.outs, rule.outs);
        assert.equal(fixed.outs.bindName, "${value.service}");

        // Drift by hand on the method: read shows the new issuer.
        const method = await consul<Record<string, unknown>>("GET", `${DC3}/v1/acl/auth-method/ci-jwt`, undefined, connection.token);
        const edited = { ...method.body, Config: { ...(method.body.Config as object), BoundIssuer: "someone-else" } };
        assert.equal((await consul("PUT", `${DC3}/v1/acl/auth-method/ci-jwt`, edited, connection.token)).status, 200);
        const drifted = await methods.read(id, outs);
        assert.equal(drifted.props?.jwt?.boundIssuer, "someone-else");
        assert.deepEqual((await methods.diff(id, drifted.props ?? outs, inputs)).changes, true);
        await methods.update(id, drifted.props ?? outs, inputs);
        assert.equal((await methods.read(id, outs)).props?.jwt?.boundIssuer, "ci");

        await rules.delete(rule.id, rule.outs);
        await methods.delete(id, outs);
        assert.equal((await consul("GET", `${DC3}/v1/acl/auth-method/ci-jwt`, undefined, connection.token)).status, 404);
        await rules.delete(rule.id, rule.outs); // already gone: fine
    });

    it("AclBindingRule adopt: takes the method's rule granting the same logins (no second rule), refuses without adopt or with two", async () => {
        const method = await methods.create({
            name: "adopt-jwt",
            type: "jwt",
            jwt: { jwtValidationPubKeys: [publicKey], boundIssuer: "ci", claimMappings: { service: "service", team: "team" } },
            connection,
        });
        const listed = async () =>
            (
                await consul<Array<{ ID: string; Description?: string }>>(
                    "GET",
                    `${DC3}/v1/acl/binding-rules?authmethod=adopt-jwt`,
                    undefined,
                    connection.token,
                )
            ).body;
        const byHand = await consul<{ ID: string }>(
            "PUT",
            `${DC3}/v1/acl/binding-rule`,
            {
                AuthMethod: "adopt-jwt",
                BindType: "service",
                BindName: "${value.service}",
                Selector: "value.team==web",
                Description: "by hand",
            },
            connection.token,
        );
        assert.equal(byHand.status, 200);
        const declared = {
            authMethod: "adopt-jwt",
            bindType: "service" as const,
            bindName: "${value.service}",
            selector: "value.team==web",
            description: "by hand",
            connection,
        };

        await assert.rejects(
            rules.create(declared),
            (err: Error) => err.message.includes(byHand.body.ID) && /set adopt: true/.test(err.message),
        );
        // Another selector grants other logins: not the same rule.
        const other = await rules.create({ ...declared, selector: "value.team==api" });
        assert.notEqual(other.id, byHand.body.ID);

        const adopted = await rules.create({ ...declared, adopt: true });
        assert.equal(adopted.id, byHand.body.ID, "the existing rule is taken");
        assert.equal((await listed()).length, 2, "no rule was added");
        assert.equal(
            (await rules.diff(adopted.id, (await rules.read(adopted.id, adopted.outs)).props ?? adopted.outs, { ...declared, adopt: true }))
                .changes,
            false,
        );

        // A description that differs is written onto the adopted rule.
        await rules.delete(adopted.id, adopted.outs);
        const again = await consul<{ ID: string }>(
            "PUT",
            `${DC3}/v1/acl/binding-rule`,
            { AuthMethod: "adopt-jwt", BindType: "service", BindName: "${value.service}", Selector: "value.team==web", Description: "old" },
            connection.token,
        );
        const redescribed = await rules.create({ ...declared, description: "managed", adopt: true });
        assert.equal(redescribed.id, again.body.ID);
        assert.equal((await listed()).find((r) => r.ID === again.body.ID)?.Description, "managed");

        // Two rules granting the same logins: adopting one would leave the other granting them.
        const twin = await consul<{ ID: string }>(
            "PUT",
            `${DC3}/v1/acl/binding-rule`,
            { AuthMethod: "adopt-jwt", BindType: "service", BindName: "${value.service}", Selector: "value.team==web" },
            connection.token,
        );
        await assert.rejects(
            rules.create({ ...declared, adopt: true }),
            (err: Error) =>
                err.message.includes(again.body.ID) && err.message.includes(twin.body.ID) && /2 binding rules/.test(err.message),
        );
        await methods.delete(method.id, method.outs);
    });

    // Issue 15, defects 5 and 8, their siblings in the ACL resources: a create whose answer was lost
    // (Consul applied it, the connection was cut) neither fails with "already exists" nor leaves a
    // second object behind (a duplicate binding rule would keep granting logins after a destroy).
    describe("creates whose answers are lost", () => {
        let proxy: LossyProxy;
        let lossy: { address: string; token: string };
        const loseFirstPut = (path: string) => {
            let first = true;
            proxy.lose = (method, url) => method === "PUT" && url.split("?")[0] === path && (first ? !(first = false) : false);
        };
        /** The ID in the answer the caller never saw. */
        const lostId = (i: number) => (JSON.parse(proxy.lost[i].body) as { ID: string }).ID;
        beforeEach(async () => {
            proxy = new LossyProxy(DC3);
            lossy = { address: await proxy.start(), token: connection.token };
        });
        afterEach(async () => {
            await proxy.stop();
        });

        it("AclPolicy and AclRole: the object made by the lost call is taken, once", async () => {
            loseFirstPut("/v1/acl/policy");
            const policy = await policies.create({ name: "lost-policy", rules: 'service "api" { policy = "read" }', connection: lossy });
            assert.equal(proxy.lost.length, 1, "one answer was lost");
            assert.equal(policy.id, lostId(0));

            loseFirstPut("/v1/acl/role");
            const role = await roles.create({ name: "lost-role", policies: ["lost-policy"], connection: lossy });
            assert.equal(proxy.lost.length, 2, "one more answer was lost");
            assert.equal(role.id, lostId(1));
            const all = await consul<Array<{ Name: string }>>("GET", `${DC3}/v1/acl/roles`, undefined, connection.token);
            assert.deepEqual(all.body.filter((r) => r.Name === "lost-role").length, 1);
            await roles.delete(role.id, role.outs);
            await policies.delete(policy.id, policy.outs);
        });

        it("AclAuthMethod and AclBindingRule: found as written, and exactly one binding rule", async () => {
            loseFirstPut("/v1/acl/auth-method");
            const method = await methods.create({
                name: "lost-jwt",
                type: "jwt",
                jwt: { jwtValidationPubKeys: [publicKey], boundIssuer: "ci" },
                connection: lossy,
            });
            assert.equal(proxy.lost.length, 1, "one answer was lost");
            assert.equal(method.outs.jwt?.boundIssuer, "ci");

            loseFirstPut("/v1/acl/binding-rule");
            const rule = await rules.create({ authMethod: "lost-jwt", bindType: "service", bindName: "lost", connection: lossy });
            assert.equal(proxy.lost.length, 2, "one more answer was lost");
            assert.equal(rule.id, lostId(1));
            const listed = await consul<Array<{ ID: string }>>(
                "GET",
                `${DC3}/v1/acl/binding-rules?authmethod=lost-jwt`,
                undefined,
                connection.token,
            );
            assert.deepEqual(
                listed.body.map((r) => r.ID),
                [rule.id],
            );
            await rules.delete(rule.id, rule.outs);
            await methods.delete(method.id, method.outs);
        });
    });
});
