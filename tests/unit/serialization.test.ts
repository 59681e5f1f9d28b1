import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../provider/model/validation";
import { providerShim } from "../../sdk/provider-shim";

// What Pulumi stores in every resource's state as `__provider`: the text must stay small and free of
// secrets, absolute paths and relative requires (it is re-run from the program's directory).
describe("serialised provider", () => {
    it("is a small shim that loads consul-mesh/provider and captures no secret or path", async () => {
        process.env.CONSUL_HTTP_TOKEN = "8f0c0a39-token-must-not-leak";
        try {
            const shim = providerShim("Intention");
            const serialized = await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: false });
            const text = serialized.text;
            assert.ok(text.length < 4096, `__provider is ${text.length} bytes`);
            assert.match(text, /require\("consul-mesh\/provider"\)/);
            assert.doesNotMatch(text, /8f0c0a39/);
            assert.doesNotMatch(text, /require\("\.\.?\//);
            assert.doesNotMatch(text, new RegExp(process.cwd().replace(/[/.]/g, "\\$&")));
        } finally {
            delete process.env.CONSUL_HTTP_TOKEN;
        }
    });

    it("knows Pulumi's unknown-value sentinel", () => {
        assert.equal(UNKNOWN, pulumi.runtime.unknownValue);
    });
});
