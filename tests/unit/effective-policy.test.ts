// The effective policy change shown at preview: which callers' L4 outcome flips when a destination's
// sources change, with Consul's precedence (the README's precedence surprises are the first two).
import { strict as assert } from "node:assert";
import { outcome, policyFlips, precedence } from "../../provider/model/effective-policy";

describe("effective policy: flips between the old and the new sources", () => {
    it("shows that a wildcard deny added beside an exact allow shadows nothing named", () => {
        assert.deepEqual(
            policyFlips(
                "db",
                [{ name: "web", action: "allow" }],
                [
                    { name: "web", action: "allow" },
                    { name: "*", action: "deny" },
                ],
            ),
            ["* (any other service) -> db: default => deny"],
        );
    });

    it("shows that an exact allow overrides a wildcard deny", () => {
        assert.deepEqual(
            policyFlips(
                "db",
                [{ name: "*", action: "deny" }],
                [
                    { name: "*", action: "deny" },
                    { name: "web", action: "allow" },
                ],
            ),
            ["web -> db: deny => allow"],
        );
    });

    it("keeps peers apart: a local wildcard deny does not cover a peer's service", () => {
        assert.deepEqual(
            policyFlips(
                "db",
                [{ name: "*", action: "deny" }],
                [
                    { name: "*", action: "deny" },
                    { name: "web", peer: "dc2", action: "allow" },
                ],
            ),
            ["peer dc2/web -> db: default => allow"],
        );
    });

    it("reports L4 to L7, removals and new entries", () => {
        assert.deepEqual(
            policyFlips(
                "db",
                [{ name: "web", action: "allow" }],
                [{ name: "web", permissions: [{ action: "allow", http: { pathPrefix: "/" } }] }],
            ),
            ["web -> db: allow => L7"],
        );
        assert.deepEqual(policyFlips("db", [{ name: "web", action: "allow" }], []), ["web -> db: allow => default"]);
        assert.deepEqual(policyFlips("db", undefined, [{ name: "web", action: "deny" }]), ["web -> db: default => deny"]);
    });

    it("reports nothing when the outcome of every caller stays (reordering, descriptions)", () => {
        const before = [
            { name: "web", action: "allow" as const, description: "old" },
            { name: "*", action: "deny" as const },
        ];
        const after = [
            { name: "*", action: "deny" as const },
            { name: "web", action: "allow" as const, description: "new" },
        ];
        assert.deepEqual(policyFlips("db", before, after), []);
    });

    it("uses Consul's precedence for the wildcard destination", () => {
        assert.deepEqual([precedence("web", "db"), precedence("*", "db"), precedence("web", "*"), precedence("*", "*")], [9, 8, 6, 5]);
        assert.equal(
            outcome(
                "*",
                [
                    { name: "*", action: "deny" },
                    { name: "web", action: "allow" },
                ],
                { name: "web" },
            ),
            "allow",
        );
    });
});
