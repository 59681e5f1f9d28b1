// The type-checked lint needs no build: in tsconfig.dev.json, `consul-mesh` and its exports resolve
// to the sources, never to dist/ (which a fresh clone does not have) or the node_modules self-link
// (which only `npm run build` makes).
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as ts from "typescript";

const root = path.join(__dirname, "..", "..");

function devCompilerOptions(): ts.CompilerOptions {
    const file = path.join(root, "tsconfig.dev.json");
    const parsed = ts.getParsedCommandLineOfConfigFile(file, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    assert.ok(parsed, "tsconfig.dev.json parses");
    return parsed.options;
}

describe("lint and type-check without a build", () => {
    const options = devCompilerOptions();
    const from = path.join(root, "examples", "intentions", "index.ts");
    for (const [spec, source] of [
        ["consul-mesh", "sdk/index.ts"],
        ["consul-mesh/provider", "provider/index.ts"],
        ["consul-mesh/dist/provider/shim.js", "provider/shim.ts"],
    ] as const) {
        it(`resolves ${spec} to ${source}`, () => {
            const resolved = ts.resolveModuleName(spec, from, options, ts.sys).resolvedModule;
            assert.equal(resolved && path.relative(root, resolved.resolvedFileName), source);
        });
    }
});
