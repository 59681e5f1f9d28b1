import { strict as assert } from "node:assert";
import {
    normalizeSource,
    permissionFromConsul,
    permissionToConsul,
    sourceFromConsul,
    sourceToConsul,
    type Permission,
} from "../../provider/model/intention-model";
import { sameSources, ServiceIntentionsProvider } from "../../provider/resources/service-intentions";
import { meshPolicyRules } from "../../sdk/components/mesh-policy";

const everyMatcher: Permission = {
    action: "deny",
    http: {
        pathRegex: "^/admin/.*$",
        methods: ["GET", "POST"],
        header: [
            { name: "x-present", present: true },
            { name: "x-exact", exact: "1" },
            { name: "x-prefix", prefix: "pre" },
            { name: "x-suffix", suffix: "fix" },
            { name: "x-regex", regex: "^a+$" },
            { name: "x-contains", contains: "mid", ignoreCase: true },
            { name: "x-inverted", exact: "no", invert: true },
        ],
    },
    jwt: { providers: [{ name: "okta", verifyClaims: [{ path: ["perms", "role"], value: "admin" }] }] },
};

describe("intention model conversions", () => {
    it("round-trips every L7 field through Consul's JSON exactly", () => {
        const consul = permissionToConsul(everyMatcher);
        assert.deepEqual(consul, {
            Action: "deny",
            HTTP: {
                PathRegex: "^/admin/.*$",
                Methods: ["GET", "POST"],
                Header: [
                    { Name: "x-present", Present: true },
                    { Name: "x-exact", Exact: "1" },
                    { Name: "x-prefix", Prefix: "pre" },
                    { Name: "x-suffix", Suffix: "fix" },
                    { Name: "x-regex", Regex: "^a+$" },
                    { Name: "x-contains", Contains: "mid", IgnoreCase: true },
                    { Name: "x-inverted", Exact: "no", Invert: true },
                ],
            },
            JWT: { Providers: [{ Name: "okta", VerifyClaims: [{ Path: ["perms", "role"], Value: "admin" }] }] },
        });
        assert.deepEqual(permissionFromConsul(consul), everyMatcher);
        // pathRegex stays a regex (the bridged provider writes it into PathPrefix).
        assert.equal(
            (permissionToConsul({ action: "allow", http: { pathRegex: "/x.*" } }).HTTP as Record<string, unknown>).PathPrefix,
            undefined,
        );
    });

    it("normalises what Consul changes: methods upper-cased, type consul, peer kept", () => {
        const declared = {
            name: "web",
            peer: "dc2",
            permissions: [{ action: "allow" as const, http: { pathPrefix: "/", methods: ["get"] } }],
        };
        const stored = sourceToConsul(declared);
        assert.deepEqual(stored, {
            Name: "web",
            Peer: "dc2",
            Type: "consul",
            Permissions: [{ Action: "allow", HTTP: { PathPrefix: "/", Methods: ["GET"] } }],
        });
        assert.deepEqual(normalizeSource(declared), sourceFromConsul({ ...stored, Precedence: 9 }));
    });
});

describe("ServiceIntentions diff", () => {
    const provider = new ServiceIntentionsProvider();
    const sources = [
        { name: "web", action: "allow" as const },
        { name: "admin", permissions: [{ action: "allow" as const, http: { pathPrefix: "/", methods: ["get"] } }] },
        { name: "*", action: "deny" as const },
    ];

    it("compares sources as a set: Consul's precedence order and upper-cased methods are no change", async () => {
        const asStored = [
            { name: "admin", permissions: [{ action: "allow" as const, http: { pathPrefix: "/", methods: ["GET"] } }] },
            { name: "web", action: "allow" as const },
            { name: "*", action: "deny" as const },
        ];
        assert.equal(sameSources(sources, asStored), true);
        const d = await provider.diff("api", { destination: "api", sources: asStored }, { destination: "api", sources });
        assert.equal(d.changes, false);
    });

    it("sees an added, removed or changed source, and replaces on a new destination", async () => {
        assert.equal(sameSources(sources, [...sources, { name: "extra", action: "allow" }]), false);
        assert.equal(sameSources(sources, sources.slice(1)), false);
        assert.equal(sameSources(sources, [{ ...sources[0], action: "deny" }, ...sources.slice(1)]), false);
        assert.equal(sameSources(sources, [{ ...sources[0], peer: "dc2" }, ...sources.slice(1)]), false);
        const d = await provider.diff("api", { destination: "api", sources }, { destination: "db", sources });
        assert.deepEqual(d.replaces, ["destination"]);
    });
});

describe("ServiceIntentions check", () => {
    const provider = new ServiceIntentionsProvider();
    const ok = { destination: "api", sources: [{ name: "web", action: "allow" }] };
    const failuresOf = async (news: Record<string, unknown>) => (await provider.check({}, news)).failures ?? [];
    const perm = (http: Record<string, unknown>) => [{ action: "allow", http }];

    it("accepts a valid entry", async () => {
        assert.deepEqual(await failuresOf(ok), []);
        assert.deepEqual(
            await failuresOf({ destination: "api", sources: [{ name: "web", permissions: [everyMatcher] }], meta: { team: "a" } }),
            [],
        );
    });

    it("rejects each of Consul's rules, naming the property", async () => {
        const cases: Array<[Record<string, unknown>, string, RegExp]> = [
            [{ ...ok, destination: "" }, "destination", /must not be empty/],
            [{ ...ok, sources: [{ name: "web*", action: "allow" }] }, "sources.0.name", /no partial wildcards/],
            [{ ...ok, sources: [{ name: "web", peer: "*", action: "allow" }] }, "sources.0.peer", /no wildcard/],
            [
                { ...ok, sources: [{ name: "web", action: "allow", permissions: perm({ pathExact: "/" }) }] },
                "sources.0.permissions",
                /mutually exclusive/,
            ],
            [{ ...ok, sources: [{ name: "web" }] }, "sources.0.action", /either action/],
            [
                { destination: "*", sources: [{ name: "web", permissions: perm({ pathExact: "/" }) }] },
                "sources.0.permissions",
                /wildcard destination/,
            ],
            [
                { ...ok, sources: [{ name: "web", permissions: perm({ methods: ["FETCH"] }) }] },
                "sources.0.permissions.0.http.methods.0",
                /invalid HTTP method/,
            ],
            [
                { ...ok, sources: [{ name: "web", permissions: perm({ pathPrefix: "api" }) }] },
                "sources.0.permissions.0.http.pathPrefix",
                /must start with "\/"/,
            ],
            [
                { ...ok, sources: [{ name: "web", permissions: perm({ pathExact: "/a", pathRegex: "/b" }) }] },
                "sources.0.permissions.0.http",
                /at most one of/,
            ],
            [
                { ...ok, sources: [{ name: "web", permissions: perm({ header: [{ name: "x", exact: "1", prefix: "2" }] }) }] },
                "sources.0.permissions.0.http.header.0",
                /exactly one of/,
            ],
            [{ ...ok, sources: [{ name: "web", action: "allow", description: "d".repeat(513) }] }, "sources.0.description", /512/],
            [{ ...ok, meta: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) }, "meta", /64 pairs/],
            [{ ...ok, meta: { ["k".repeat(129)]: "v" } }, `meta.${"k".repeat(129)}`, /128/],
            [{ ...ok, meta: { k: "v".repeat(513) } }, "meta.k", /512/],
            [{ ...ok, meta: { "managed-by": "me" } }, "meta", /reserved/],
            [
                {
                    ...ok,
                    sources: [
                        { name: "web", action: "allow" },
                        { name: "web", action: "deny" },
                    ],
                },
                "sources.1.name",
                /duplicate source "web"/,
            ],
        ];
        for (const [news, property, reason] of cases) {
            const f = await failuresOf(news);
            const hit = f.find((x) => x.property === property);
            assert.ok(hit, `expected a failure on ${property}, got ${JSON.stringify(f)}`);
            assert.match(hit.reason, reason);
        }
        // The same name from a peer is a different source, not a duplicate.
        assert.deepEqual(
            await failuresOf({
                ...ok,
                sources: [
                    { name: "web", action: "allow" },
                    { name: "web", peer: "dc2", action: "deny" },
                ],
            }),
            [],
        );
    });
});

describe("MeshPolicy graph", () => {
    it("flattens allow, deny and peer rules", () => {
        const rules = meshPolicyRules({
            allow: { web: ["api"], api: ["db"] },
            deny: { web: ["db"] },
            peers: { dc2: { allow: { frontend: ["api"] } } },
        });
        assert.deepEqual(rules.map((r) => `${r.peer ?? ""}/${r.source}=>${r.destination}:${r.action}`).sort(), [
            "/api=>db:allow",
            "/web=>api:allow",
            "/web=>db:deny",
            "dc2/frontend=>api:allow",
        ]);
    });

    it("refuses a pair that is both allowed and denied", () => {
        assert.throws(() => meshPolicyRules({ allow: { web: ["api"] }, deny: { web: ["api"] } }), /web -> api is both allowed and denied/);
    });
});
