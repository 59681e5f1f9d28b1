// Finding (medium): Pulumi's dynamic-provider host logs every secret at -v=3 and above and with
// PULUMI_DEBUG_GRPC (upstream behaviour); the README's warning covered only --debug. Issue 31:
// `pulumi preview --tracing=file:trace.json` writes every secret stack config value too (checked
// with the CLI 3.276.0: a planted token 116 times in the trace). The README's
// security section now names every switch that leaks, what it prints, and the Pulumi versions it
// was checked with. (The leak is upstream; what we own is that the warning is complete and true.)
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");

function section(heading: string): string {
    const start = readme.indexOf(heading);
    assert.ok(start >= 0, `README has "${heading}"`);
    const next = readme.indexOf("\n## ", start + heading.length);
    return readme.slice(start, next < 0 ? undefined : next);
}

describe("security: the README warns about every log switch that prints secrets", () => {
    it("names --debug, -v=3 and higher (log files and --logtostderr), PULUMI_DEBUG_GRPC and --tracing, with the versions checked", () => {
        const text = section("### Log switches that print secrets");
        for (const sw of ["`--debug`", "`-v=3` and higher", "--logtostderr", "`PULUMI_DEBUG_GRPC=<file>`", "`--tracing=file:<file>`"]) {
            assert.ok(text.includes(sw), `the section names ${sw}`);
        }
        assert.match(text, /Pulumi CLI 3\.\d+\.\d+/, "says which CLI version it was checked with");
        assert.match(text, /`@pulumi\/pulumi` 3\.\d+\.\d+/, "and which SDK version");
        assert.match(text, /At the default verbosity nothing secret reaches the output/);
        // The versions named are the ones the project pins.
        const sdkPackage = fs.readFileSync(
            path.resolve(__dirname, "..", "..", "node_modules", "@pulumi", "pulumi", "package.json"),
            "utf8",
        );
        const pinned = z.object({ version: z.string() }).parse(JSON.parse(sdkPackage));
        assert.ok(text.includes(`\`@pulumi/pulumi\` ${pinned.version}`), `the SDK version named is the installed ${pinned.version}`);
    });
});
