// The ACL resources' diff rules, without Consul: what replaces, what updates in place, and what is
// no change at all (order of links, unknown values during preview).
import { strict as assert } from "node:assert";
import { AclPolicyProvider, type AclPolicyOutputs } from "../../provider/resources/acl-policy";
import { AclRoleProvider, type AclRoleOutputs } from "../../provider/resources/acl-role";
import { AclTokenProvider, type AclTokenOutputs } from "../../provider/resources/acl-token";
import { AclBindingRuleProvider } from "../../provider/resources/acl-binding-rule";
import { UNKNOWN } from "../../provider/model/validation";

const connection = { address: "http://127.0.0.1:8500" };
const token: AclTokenOutputs = {
    accessorId: "5f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d55",
    secretId: "6f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d55",
    description: "web",
    policies: ["a", "b"],
    roles: [],
    local: false,
    serviceIdentities: [{ serviceName: "web" }],
    connection,
};

describe("ACL resources: diff", () => {
    const tokens = new AclTokenProvider();

    it("AclToken: a rotation bump replaces create-before-delete (the old token goes after the new one exists)", async () => {
        const diff = await tokens.diff(
            token.accessorId,
            { ...token, rotation: 1 },
            { ...token, rotation: 2, secretId: undefined, accessorId: undefined },
        );
        assert.deepEqual(diff.replaces, ["rotation"]);
        assert.equal(diff.deleteBeforeReplace, false);
    });

    it("AclToken: links in another order, and no secretId given, are no change", async () => {
        const diff = await tokens.diff(token.accessorId, token, {
            ...token,
            policies: ["b", "a"],
            secretId: undefined,
            accessorId: undefined,
        });
        assert.equal(diff.changes, false);
    });

    it("AclToken: a policy added updates in place; local and expirationTtl replace", async () => {
        const news = { ...token, secretId: undefined, accessorId: undefined };
        assert.deepEqual((await tokens.diff(token.accessorId, token, { ...news, policies: ["a", "b", "c"] })).replaces, []);
        assert.deepEqual((await tokens.diff(token.accessorId, token, { ...news, local: true })).replaces, ["local"]);
        assert.deepEqual((await tokens.diff(token.accessorId, token, { ...news, expirationTtl: "1h" })).replaces, ["expirationTtl"]);
    });

    it("AclToken: a connection whose token is unknown in preview (being rotated) updates, it does not replace", async () => {
        const diff = await tokens.diff(token.accessorId, token, {
            ...token,
            secretId: undefined,
            accessorId: undefined,
            connection: UNKNOWN as never,
        });
        assert.deepEqual(diff.replaces, []);
        assert.equal(diff.changes, true);
        const moved = await tokens.diff(token.accessorId, token, {
            ...token,
            secretId: undefined,
            accessorId: undefined,
            connection: { address: "http://10.0.0.1:8500" },
        });
        assert.deepEqual(moved.replaces, ["cluster"]);
    });

    it("AclPolicy: a rules change or a rename updates in place", async () => {
        const policies = new AclPolicyProvider();
        const olds: AclPolicyOutputs = { policyId: "p1", name: "p", description: "", rules: 'acl = "read"', datacenters: [], connection };
        const diff = await policies.diff("3f1a4c1e-0d4b-4c39-9e3c-2b1f0e6a7d55", olds, { name: "q", rules: 'acl = "write"', connection });
        assert.deepEqual(diff.replaces, []);
        assert.equal(diff.changes, true);
    });

    it("AclRole: identities compared as sets", async () => {
        const roles = new AclRoleProvider();
        const olds: AclRoleOutputs = {
            roleId: "r1",
            name: "r",
            description: "",
            policies: [],
            policyLinks: [],
            serviceIdentities: [{ serviceName: "api" }, { serviceName: "web", datacenters: ["dc1", "dc2"] }],
            connection,
        };
        const news = {
            name: "r",
            serviceIdentities: [{ serviceName: "web", datacenters: ["dc2", "dc1"] }, { serviceName: "api" }],
            connection,
        };
        assert.equal((await roles.diff("r1", olds, news)).changes, false);
    });

    it("AclBindingRule: another auth method replaces; a new bind name updates", async () => {
        const rules = new AclBindingRuleProvider();
        const olds = { authMethod: "a", bindType: "service" as const, bindName: "x", connection };
        assert.deepEqual((await rules.diff("b1", olds, { ...olds, authMethod: "b" })).replaces, ["authMethod"]);
        const renamed = await rules.diff("b1", olds, { ...olds, bindName: "y" });
        assert.deepEqual([renamed.replaces, renamed.changes], [[], true]);
    });
});
