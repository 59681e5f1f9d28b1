import { strict as assert } from "node:assert";
import { categoryOf, summarise } from "../../bench/profile";

// The CPU-profile summary of bench/profile.ts: where a frame's code lives, self time per place, and
// the inclusive time of consul-mesh's entry points.
describe("bench profile summary", () => {
    const frame = (url: string, functionName = "f") => ({ url, functionName, lineNumber: 1 });

    it("files frames under consul-mesh's files, packages, @pulumi/pulumi's parts, Node and the VM", () => {
        assert.equal(
            categoryOf(frame("file:///t/program/node_modules/consul-mesh/dist/provider/model/validation.js")),
            "consul-mesh provider/model/validation.js",
        );
        assert.equal(categoryOf(frame("file:///t/program/node_modules/zod/v4/core/schemas.js")), "zod");
        assert.equal(categoryOf(frame("/t/node_modules/@pulumi/pulumi/runtime/closure/serialize.js")), "@pulumi/pulumi runtime/closure/");
        assert.equal(
            categoryOf(frame("/t/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js")),
            "@pulumi/pulumi cmd/dynamic-provider/",
        );
        assert.equal(categoryOf(frame("node:internal/modules/cjs/loader")), "node internals");
        assert.equal(categoryOf(frame("", "(garbage collector)")), "GC");
        assert.equal(categoryOf(frame("", "(idle)")), "(idle)");
    });

    it("sums self time by place (idle left out) and inclusive time of consul-mesh's entry points", () => {
        const cm = "/p/node_modules/consul-mesh/dist/provider/resources/service-intentions.js";
        const profile = {
            nodes: [
                { id: 1, callFrame: frame("", "(root)"), children: [2, 5, 6] },
                { id: 2, callFrame: frame("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "checkRPC"), children: [3] },
                { id: 3, callFrame: frame(cm, "check"), children: [4] },
                { id: 4, callFrame: frame("/p/node_modules/zod/v4/core/schemas.js", "parse") },
                { id: 5, callFrame: frame("", "(idle)") },
                { id: 6, callFrame: frame("", "(garbage collector)") },
            ],
            samples: [3, 4, 4, 5, 6],
            timeDeltas: [1000, 2000, 2000, 9000, 1000],
        };
        const s = summarise(profile);
        assert.equal(s.role, "dynamic-provider host");
        assert.equal(s.totalMs, 6);
        assert.equal(s.byCategory.get("zod"), 4);
        assert.equal(s.byCategory.get("consul-mesh provider/resources/service-intentions.js"), 1);
        assert.equal(s.byCategory.get("GC"), 1);
        assert.equal(s.inclusive.get("check (service-intentions.js)"), 5);
    });
});
