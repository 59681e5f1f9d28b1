import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { compareVersions } from "../../provider/model/versions";
import { consul, DC1, listIntentions } from "../support/consul";
import { changingSteps, PulumiProgram } from "../support/pulumi";

interface StoredEntry {
    Meta?: Record<string, string>;
    Sources: Array<Record<string, unknown>>;
}

// What examples/service-intentions declares for "api", in Consul's JSON: the stored entry must
// equal it field by field (computed fields aside).
const expectedApiSources = [
    { Name: "web", Action: "allow", Description: "the storefront", Type: "consul" },
    { Name: "frontend", Peer: "dc2", Action: "allow", Description: "dc2's frontend, through the peering", Type: "consul" },
    {
        Name: "admin",
        Type: "consul",
        Permissions: [
            {
                Action: "deny",
                HTTP: {
                    PathRegex: "^/internal/.*$",
                    Header: [
                        { Name: "x-break-glass", Present: true, Invert: true },
                        { Name: "x-env", Exact: "prod" },
                        { Name: "user-agent", Prefix: "curl/" },
                        { Name: "x-host", Suffix: ".internal" },
                        { Name: "x-trace", Regex: "^[0-9a-f]{32}$" },
                    ],
                },
            },
            {
                Action: "allow",
                HTTP: { PathPrefix: "/admin", Methods: ["GET", "POST"] },
                JWT: { Providers: [{ Name: "test-jwt", VerifyClaims: [{ Path: ["role"], Value: "admin" }] }] },
            },
            { Action: "allow", HTTP: { PathExact: "/healthz" } },
        ],
    },
];

function withoutComputed(entry: StoredEntry) {
    return entry.Sources.map(({ Precedence: _p, ...rest }) => rest).sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
}

describe("examples/service-intentions with the Pulumi CLI (L7, drift, repair)", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("examples/service-intentions");

    before(async () => {
        // The example declares a JwtProvider for the per-permission JWT requirement when given a key set.
        const jwks = Buffer.from(JSON.stringify({ keys: [] })).toString("base64");
        await program.init({ "consul-mesh-service-intentions:jwks": jwks });
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("stores exactly the declared entry, every L7 field included", async () => {
        await program.up();
        const api = (await consul<StoredEntry>("GET", `${DC1}/v1/config/service-intentions/api`)).body;
        const sort = (xs: Array<Record<string, unknown>>) => [...xs].sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
        assert.deepEqual(withoutComputed(api), sort(expectedApiSources));
        assert.deepEqual(api.Meta, { team: "payments", "managed-by": "consul-mesh" });
        const defaults = (await consul<{ Protocol: string }>("GET", `${DC1}/v1/config/service-defaults/api`)).body;
        assert.equal(defaults.Protocol, "http");
        const provider = (await consul<{ Issuer: string; Meta: Record<string, string> }>("GET", `${DC1}/v1/config/jwt-provider/test-jwt`))
            .body;
        assert.deepEqual([provider.Issuer, provider.Meta["managed-by"]], ["https://issuer.test", "consul-mesh"]);
    });

    it("agrees with Consul's own intention check for the L4 pairs", async () => {
        const check = async (source: string, destination: string) =>
            (await consul<{ Allowed: boolean }>("GET", `${DC1}/v1/connect/intentions/check?source=${source}&destination=${destination}`))
                .body.Allowed;
        assert.equal(await check("web", "api"), true);
        assert.equal(await check("api", "db"), true);
        assert.equal(await check("web", "db"), false);
    });

    it("shows no changes on preview --refresh of the untouched stack", async () => {
        const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(steps), []);
    });

    it("detects sources edited by hand and puts the declared set back", async () => {
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=intruder&destination=api`, { Action: "allow" });
        await consul("PUT", `${DC1}/v1/connect/intentions/exact?source=web&destination=db`, { Action: "allow" });
        const refresh = await program.run(["refresh", "--preview-only", "--expect-no-changes"], { allowFailure: true });
        assert.notEqual(refresh.code, 0, "refresh must report the drift");
        const { steps } = await program.preview(["--refresh"]);
        assert.deepEqual(
            changingSteps(steps)
                .map((s) => [s.op, s.urn.split("::").pop()])
                .sort(),
            [
                ["update", "api"],
                ["update", "db"],
            ],
        );
        await program.up(["--refresh"]);
        const sources = (await listIntentions(DC1)).filter((i) => ["api", "db"].includes(i.DestinationName));
        assert.ok(!sources.some((i) => i.SourceName === "intruder"), "the hand-added source is gone");
        assert.equal(sources.find((i) => i.SourceName === "web" && i.DestinationName === "db")?.Action, "deny");
        const after = await program.preview(["--refresh", "--expect-no-changes"]);
        assert.deepEqual(changingSteps(after.steps), []);
    });

    it("re-creates an entry deleted by hand", async () => {
        await consul("DELETE", `${DC1}/v1/config/service-intentions/db`);
        const { steps } = await program.preview(["--refresh"]);
        assert.deepEqual(
            changingSteps(steps).map((s) => [s.op, s.urn.split("::").pop()]),
            [["create", "db"]],
        );
        await program.up(["--refresh"]);
        assert.equal((await consul("GET", `${DC1}/v1/config/service-intentions/db`)).status, 200);
    });

    it("destroys the entries, the service-defaults and the JWT provider", async () => {
        await program.destroy();
        for (const path of ["service-intentions/api", "service-intentions/db", "service-defaults/api", "jwt-provider/test-jwt"]) {
            assert.equal((await consul("GET", `${DC1}/v1/config/${path}`)).status, 404, path);
        }
    });
});

describe("header matchers newer than the server (contains, ignoreCase need Consul 1.20.1)", function () {
    this.timeout(300_000);
    const program = new PulumiProgram("tests/e2e/programs/from-json", "versions");

    before(async () => {
        const file = path.join(program.workDir, "declared.json");
        fs.writeFileSync(
            file,
            JSON.stringify([
                { kind: "ServiceDefaults", name: "v-defaults", args: { name: "versioned", protocol: "http" } },
                {
                    kind: "ServiceIntentions",
                    name: "versioned",
                    args: {
                        destination: "versioned",
                        sources: [
                            { name: "web", action: "allow" },
                            {
                                name: "ops",
                                permissions: [
                                    { action: "allow", http: { header: [{ name: "x-team", contains: "ops", ignoreCase: true }] } },
                                ],
                            },
                        ],
                    },
                },
            ]),
        );
        await program.init({ "consul-mesh-from-json:file": file });
    });
    after(async () => {
        await program.destroy().catch(() => undefined);
        program.cleanup();
    });

    it("are refused by name with the minimum version on an older server, before anything is written (stored as declared on a newer one)", async () => {
        const self = await consul<{ Config: { Version: string } }>("GET", `${DC1}/v1/agent/self`);
        const version = self.body.Config.Version;
        const up = await program.run(["up", "--yes", "--skip-preview"], { allowFailure: true });
        const entry = await consul<StoredEntry>("GET", `${DC1}/v1/config/service-intentions/versioned`);
        if (compareVersions(version, "1.20.1") < 0) {
            assert.notEqual(up.code, 0, "up must fail");
            const out = up.stdout + up.stderr;
            assert.match(out, new RegExp(`runs ${version.replace(/\./g, "\\.")}, which does not accept these fields`));
            assert.match(out, /sources\[1\]\.permissions\[0\]\.http\.header\[0\]\.contains needs Consul 1\.20\.1 or newer/);
            assert.match(out, /sources\[1\]\.permissions\[0\]\.http\.header\[0\]\.ignoreCase needs Consul 1\.20\.1 or newer/);
            assert.equal(entry.status, 404, "no service-intentions entry was written");
        } else {
            assert.equal(up.code, 0, up.stdout + up.stderr);
            const header = (entry.body.Sources.find((s) => s.Name === "ops") as { Permissions: Array<{ HTTP: { Header: unknown[] } }> })
                .Permissions[0].HTTP.Header;
            assert.deepEqual(header, [{ Name: "x-team", Contains: "ops", IgnoreCase: true }]);
        }
    });
});
