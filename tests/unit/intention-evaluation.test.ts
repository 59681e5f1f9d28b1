// The L7 side of the intention evaluation (what Consul's check endpoint does not answer): the first
// source-matching intention decides, its first matching permission gives the action, and a request
// no permission matches falls to the cluster's default.
import { strict as assert } from "node:assert";
import type { MatchedIntention } from "../../provider/functions/intentions";
import { evaluate, permissionMatches } from "../../provider/model/intention-evaluation";
import type { Permission } from "../../provider/model/intention-model";

const l7 = (source: string, permissions: Permission[], precedence = 9): MatchedIntention => ({
    source,
    destination: "api",
    permissions,
    precedence,
    meta: {},
});
const l4 = (source: string, action: "allow" | "deny", precedence: number): MatchedIntention => ({
    source,
    destination: "api",
    permissions: [],
    precedence,
    meta: {},
    action,
});

describe("intention evaluation: L7 permissions", () => {
    const admin: Permission = { action: "deny", http: { pathPrefix: "/admin" } };
    const reads: Permission = { action: "allow", http: { pathPrefix: "/", methods: ["GET", "HEAD"] } };
    const intentions = [l7("web", [admin, reads]), l4("*", "deny", 8)];

    it("takes the first permission that matches, in order", () => {
        const r = evaluate(intentions, { source: "web" }, { path: "/admin/users", method: "GET" }, true);
        assert.equal(r.allowed, false);
        assert.match(r.reason, /^web => api \(precedence 9\), permission 1: deny$/);
        assert.equal(evaluate(intentions, { source: "web" }, { path: "/orders", method: "get" }, false).allowed, true);
    });

    it("falls to the cluster's default when no permission matches, not to a lower intention", () => {
        const r = evaluate(intentions, { source: "web" }, { path: "/orders", method: "POST" }, false);
        assert.equal(r.allowed, false);
        assert.match(r.reason, /no permission matches the request: the cluster's default \(deny\)/);
        assert.equal(evaluate(intentions, { source: "web" }, { path: "/orders", method: "POST" }, true).allowed, true);
    });

    it("denies at L4 through an L7 intention, as Consul's check does", () => {
        const r = evaluate(intentions, { source: "web" }, undefined, true);
        assert.equal(r.allowed, false);
        assert.match(r.reason, /is an L7 intention, which denies at L4/);
    });

    it("lets the wildcard decide for other sources", () => {
        assert.equal(evaluate(intentions, { source: "batch" }, { path: "/orders", method: "GET" }, true).allowed, false);
    });

    it("skips permissions that need a JWT and says so", () => {
        const jwt: Permission = { action: "allow", http: { pathPrefix: "/" }, jwt: { providers: [{ name: "okta" }] } };
        const r = evaluate([l7("web", [jwt])], { source: "web" }, { path: "/x", method: "GET" }, false);
        assert.equal(r.allowed, false);
        assert.match(r.reason, /1 permission\(s\) requiring a JWT not evaluated/);
    });
});

describe("intention evaluation: HTTP rules", () => {
    const allow = (http: Permission["http"]): Permission => ({ action: "allow", http });

    it("matches exact, prefix and full-match regex paths", () => {
        assert.equal(permissionMatches(allow({ pathExact: "/a" }), { path: "/a" }), true);
        assert.equal(permissionMatches(allow({ pathExact: "/a" }), { path: "/a/b" }), false);
        assert.equal(permissionMatches(allow({ pathPrefix: "/a" }), { path: "/ab" }), true);
        assert.equal(permissionMatches(allow({ pathRegex: "/v[0-9]+/.*" }), { path: "/v2/x" }), true);
        assert.equal(permissionMatches(allow({ pathRegex: "/v[0-9]+" }), { path: "/v2/x" }), false, "a regex matches the whole path");
        assert.equal(permissionMatches(allow({ pathPrefix: "/" }), {}), false, "no path given: a path rule cannot match");
    });

    it("needs every rule to match: path, method and headers together", () => {
        const p = allow({ pathPrefix: "/api", methods: ["POST"], header: [{ name: "x-env", exact: "prod" }] });
        assert.equal(permissionMatches(p, { path: "/api/x", method: "POST", headers: { "X-Env": "prod" } }), true);
        assert.equal(permissionMatches(p, { path: "/api/x", method: "POST", headers: { "x-env": "dev" } }), false);
        assert.equal(permissionMatches(p, { path: "/api/x", method: "GET", headers: { "x-env": "prod" } }), false);
    });

    it("applies each header matcher kind, ignoreCase and invert", () => {
        const h = (m: NonNullable<Permission["http"]>["header"]) => allow({ header: m });
        const headers = { "X-Team": "Payments-EU" };
        assert.equal(permissionMatches(h([{ name: "x-team", present: true }]), { headers }), true);
        assert.equal(permissionMatches(h([{ name: "x-other", present: true }]), { headers }), false);
        assert.equal(permissionMatches(h([{ name: "x-team", prefix: "Pay" }]), { headers }), true);
        assert.equal(permissionMatches(h([{ name: "x-team", suffix: "-EU" }]), { headers }), true);
        assert.equal(permissionMatches(h([{ name: "x-team", contains: "ments" }]), { headers }), true);
        assert.equal(permissionMatches(h([{ name: "x-team", regex: "Pay.*" }]), { headers }), true);
        assert.equal(permissionMatches(h([{ name: "x-team", exact: "payments-eu" }]), { headers }), false);
        assert.equal(permissionMatches(h([{ name: "x-team", exact: "payments-eu", ignoreCase: true }]), { headers }), true);
        assert.equal(permissionMatches(h([{ name: "x-team", exact: "Payments-EU", invert: true }]), { headers }), false);
        assert.equal(permissionMatches(h([{ name: "x-missing", exact: "a", invert: true }]), { headers }), true);
    });
});
