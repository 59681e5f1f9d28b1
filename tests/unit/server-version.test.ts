import { strict as assert } from "node:assert";
import { versionedPermissionFields } from "../../provider/model/intention-model";
import { compareVersions, unsupportedFields, unsupportedFieldsError } from "../../provider/model/versions";

describe("fields gated by the server's Consul version", () => {
    it("compares versions numerically, ignoring a leading v and pre-release or build suffixes", () => {
        assert.equal(compareVersions("1.16.3", "1.20.1"), -1);
        assert.equal(compareVersions("1.20.1", "1.20.1"), 0);
        assert.equal(compareVersions("v1.22.7", "1.20.1"), 1);
        assert.equal(compareVersions("1.9.0", "1.10.0"), -1, "numeric, not lexical");
        assert.equal(compareVersions("1.20.1-ent", "1.20.1"), 0);
        assert.equal(compareVersions("1.20", "1.20.0"), 0);
    });

    it("lists the header matchers newer than 1.16 with their property paths", () => {
        const fields = versionedPermissionFields(
            [
                { action: "allow", http: { pathPrefix: "/" } },
                {
                    action: "deny",
                    http: {
                        header: [
                            { name: "x-a", exact: "1" },
                            { name: "x-b", contains: "b", ignoreCase: true },
                            { name: "x-c", prefix: "c", ignoreCase: false },
                        ],
                    },
                },
            ],
            "sources[2].permissions",
        );
        assert.deepEqual(fields, [
            { path: "sources[2].permissions[1].http.header[1].contains", min: "1.20.1" },
            { path: "sources[2].permissions[1].http.header[1].ignoreCase", min: "1.20.1" },
        ]);
    });

    it("refuses them on 1.16.3 naming each field and its minimum version, and lets newer servers or unknown versions through", () => {
        const fields = [{ path: "permissions[0].http.header[0].contains", min: "1.20.1" }];
        const err = unsupportedFieldsError(fields, "1.16.3", "http://127.0.0.1:8500");
        assert.ok(err);
        assert.match(err.message, /http:\/\/127\.0\.0\.1:8500 runs 1\.16\.3/);
        assert.match(err.message, /permissions\[0\]\.http\.header\[0\]\.contains needs Consul 1\.20\.1 or newer/);
        assert.match(err.message, /Nothing was written/);
        assert.equal(unsupportedFieldsError(fields, "1.20.1", "x"), undefined);
        assert.equal(unsupportedFieldsError(fields, "1.22.7", "x"), undefined);
        assert.deepEqual(unsupportedFields(fields, undefined), [], "a token without agent:read: Consul decides");
        assert.equal(unsupportedFieldsError([], "1.16.3", "x"), undefined);
    });
});
