import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { connectionInputs } from "../../sdk/connection";
import { secretNamesInput } from "../../sdk/secret-names";

// What the SDK's resources register besides the program's inputs: `connection` (every kind) and
// `secretNames` (Intention, ServiceIntentions) only when there is one (a key registered as undefined
// still costs the Node SDK tracked promises, each with a stack trace, per resource; issue 30).
describe("SDK inputs registered only when present", () => {
    it("leaves secretNames out when no name is an Output, and lists it when one is", async () => {
        assert.deepEqual(
            secretNamesInput([
                ["destination", "db"],
                ["sources.0.name", "web"],
                ["sources.0.peer", undefined],
            ]),
            {},
        );
        const withOutput = secretNamesInput([["destination", pulumi.secret("db")]]);
        assert.ok(pulumi.Output.isInstance(withOutput.secretNames));
        const value = await new Promise((resolve) => withOutput.secretNames!.apply(resolve));
        assert.deepEqual(value, ["destination"]);
    });

    it("leaves connection out when not given, and registers it secret when given", async () => {
        assert.deepEqual(connectionInputs(undefined), {});
        const given = connectionInputs({ address: "http://127.0.0.1:8500" }).connection;
        assert.ok(pulumi.Output.isInstance(given));
        assert.equal(await pulumi.isSecret(given as pulumi.Output<unknown>), true);
    });

    it("every resource kind registers its connection through connectionInputs", () => {
        const dir = path.join(__dirname, "..", "..", "sdk", "resources");
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts"));
        assert.ok(files.length >= 19, `${files.length} resource files`);
        for (const f of files) {
            const text = fs.readFileSync(path.join(dir, f), "utf8");
            assert.match(text, /\.\.\.connectionInputs\(args\.connection\)/, `${f} registers connection otherwise`);
            assert.doesNotMatch(text, /^\s+connection: /m, `${f} registers a connection key even when none is given`);
        }
    });
});
