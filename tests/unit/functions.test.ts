// Pure parts of the read-side functions: the peer-source evaluation (Consul's precedence), the
// split of CA settings into plain settings and credentials, answer parsing and path segments.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { AnswerShapeError } from "../../provider/consul/client";
import { segment } from "../../provider/functions/answer";
import { isCredentialKey } from "../../provider/functions/ca";
import type { MatchedIntention } from "../../provider/functions/intentions";
import { evaluate } from "../../provider/model/intention-evaluation";

const intention = (source: string, precedence: number, extra: Partial<MatchedIntention> = {}): MatchedIntention => ({
    source,
    destination: "db",
    permissions: [],
    precedence,
    meta: {},
    action: "allow",
    ...extra,
});

/** The decision without its wording. */
function pick(e: { allowed: boolean; intention?: MatchedIntention }): { allowed: boolean; intention?: MatchedIntention } {
    return e.intention ? { allowed: e.allowed, intention: e.intention } : { allowed: e.allowed };
}

describe("functions: peer-source evaluation", () => {
    const intentions = [
        intention("web", 9),
        intention("api", 9, { sourcePeer: "dc2" }),
        intention("*", 8, { sourcePeer: "dc2", action: "deny" }),
        intention("*", 8, { action: "deny" }),
        intention("admin", 9, { sourcePeer: "dc2", action: undefined, permissions: [{ action: "allow", http: { pathPrefix: "/" } }] }),
    ];

    it("takes the exact intention of that peer over the peer's wildcard", () => {
        assert.deepEqual(pick(evaluate(intentions, { source: "api", peer: "dc2" }, undefined, false)), {
            allowed: true,
            intention: intentions[1],
        });
    });
    it("applies the peer's wildcard, never a local intention of the same name", () => {
        assert.deepEqual(pick(evaluate(intentions, { source: "web", peer: "dc2" }, undefined, true)), {
            allowed: false,
            intention: intentions[2],
        });
    });
    it("falls back to the default when nothing for that peer matches", () => {
        assert.deepEqual(pick(evaluate(intentions, { source: "web", peer: "dc3" }, undefined, true)), { allowed: true });
        assert.deepEqual(pick(evaluate(intentions, { source: "web", peer: "dc3" }, undefined, false)), { allowed: false });
    });
    it("does not allow at L4 through an L7 intention (as Consul's check)", () => {
        assert.equal(evaluate(intentions, { source: "admin", peer: "dc2" }, undefined, true).allowed, false);
    });
    it("orders by precedence even when the list comes unordered", () => {
        const shuffled = [intentions[2], intentions[1]];
        assert.equal(evaluate(shuffled, { source: "api", peer: "dc2" }, undefined, false).allowed, true);
    });
});

describe("functions: CA credentials are kept apart", () => {
    it("treats keys, tokens, auth methods and anything naming a secret as credentials", () => {
        for (const key of ["PrivateKey", "Token", "AuthMethod", "ClientKey", "SecretAccessKey", "VaultToken", "password"]) {
            assert.equal(isCredentialKey(key), true, key);
        }
    });
    it("keeps settings that are not credentials plain", () => {
        for (const key of ["LeafCertTTL", "PrivateKeyType", "PrivateKeyBits", "RootCert", "Address", "RootPKIPath", "KeyFile"]) {
            assert.equal(isCredentialKey(key), false, key);
        }
    });
});

describe("functions: answers and paths", () => {
    it("turns a malformed answer into an error naming the endpoint and the field, without the value", () => {
        const schema = z.object({ Roots: z.array(z.object({ ID: z.string() })) });
        const parsed = schema.safeParse({ Roots: [{ ID: 42 }], Secret: "s3cr3t-value" });
        assert.throws(
            () => {
                if (!parsed.success) throw new AnswerShapeError("GET", "/v1/x", "http://h:1", parsed.error.issues);
            },
            (err: Error) => {
                assert.match(err.message, /^Consul GET \/v1\/x at http:\/\/h:1 answered in an unexpected shape \(Roots\.0\.ID: /);
                assert.ok(!err.message.includes("42") && !err.message.includes("s3cr3t"));
                return true;
            },
        );
    });
    it("refuses path segments a URL parser would resolve away", () => {
        for (const bad of ["", ".", ".."]) assert.throws(() => segment(bad, "name"), /name must be a name/);
        assert.equal(segment("a/b c", "name"), "a%2Fb%20c");
    });
});
