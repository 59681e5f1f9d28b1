import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

// The licence gate of the tool builds (scripts/lib/licenses.js, run by scripts/lib/go-build.sh
// between downloading a tool's build list and building it), on fake module directories.
interface Module {
    path: string;
    version: string;
    dir: string;
}
interface Licenses {
    nonOpenLicence(text: string): string | undefined;
    parseBuildList(text: string): Module[];
    checkModules(modules: Module[]): { refused: Array<{ module: string; licence: string }>; unlicensed: string[]; checked: number };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script that setup runs with node
const licenses = require("../../scripts/lib/licenses.js") as Licenses;
const script = path.resolve(__dirname, "..", "..", "scripts", "lib", "licenses.js");

const MPL = "Copyright (c) 2013 HashiCorp, Inc.\n\nMozilla Public License, version 2.0\n";
const BSL =
    'License text copyright (c) 2020 MariaDB Corporation Ab, All Rights Reserved.\n"Business Source License" is a trademark of MariaDB Corporation Ab.\n\nParameters\n\nLicensor: HashiCorp, Inc.\n';

describe("licence gate of the tool builds", () => {
    let root: string;
    const mod = (name: string, version: string, files: Record<string, string>): Module => {
        const dir = path.join(root, `${name.replace(/\//g, "_")}@${version}`);
        fs.mkdirSync(dir, { recursive: true });
        for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
        return { path: name, version, dir };
    };
    before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-licences-"))));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("recognises the Business Source License and other source-available licences, not open ones", () => {
        assert.equal(licenses.nonOpenLicence(BSL), "Business Source License");
        assert.equal(licenses.nonOpenLicence("Server Side Public License\nVERSION 1"), "Server Side Public License");
        assert.equal(licenses.nonOpenLicence(MPL), undefined);
        assert.equal(licenses.nonOpenLicence("Apache License\nVersion 2.0, January 2004"), undefined);
    });

    it("parses the build list, skipping the main module and duplicates", () => {
        const list = licenses.parseBuildList("consulmesh.local/x  \ngithub.com/a/b v1.0.0 /m/a\ngithub.com/a/b v1.0.0 /m/a\n\nstd\n");
        assert.deepEqual(list, [{ path: "github.com/a/b", version: "v1.0.0", dir: "/m/a" }]);
    });

    it("refuses a build list with a BSL module, naming the module and version; finds licence files by any common name", () => {
        const modules = [
            mod("github.com/hashicorp/consul", "v1.16.3", { LICENSE: MPL }),
            mod("github.com/hashicorp/consul/envoyextensions", "v0.9.6", { LICENSE: BSL }),
            mod("github.com/josharian/intern", "v1.0.0", { "license.md": "MIT License" }),
            mod("github.com/kr/text", "v0.2.0", { License: "Copyright 2012 Keith Rarick\nMIT" }),
            mod("github.com/no/licence", "v0.0.1", { "README.md": "hello" }),
        ];
        const result = licenses.checkModules(modules);
        assert.deepEqual(
            result.refused.map((r) => [r.module, r.licence]),
            [["github.com/hashicorp/consul/envoyextensions@v0.9.6", "Business Source License"]],
        );
        assert.deepEqual(result.unlicensed, ["github.com/no/licence@v0.0.1"]);
        assert.equal(result.checked, 5);
    });

    it("as a command: exits 1 with a message naming the module, 0 for an open build list", () => {
        const good = mod("github.com/good/one", "v1.2.3", { LICENSE: MPL });
        const bad = mod("github.com/hashicorp/consul/troubleshoot", "v0.8.7", { LICENSE: BSL });
        const line = (m: Module) => `${m.path} ${m.version} ${m.dir}\n`;
        const refused = spawnSync(process.execPath, [script, "consul"], { input: line(good) + line(bad), encoding: "utf8" });
        assert.equal(refused.status, 1);
        assert.match(
            refused.stderr,
            /refusing to build consul: module github\.com\/hashicorp\/consul\/troubleshoot@v0\.8\.7 is under the Business Source License/,
        );
        const accepted = spawnSync(process.execPath, [script, "consul"], { input: line(good), encoding: "utf8" });
        assert.equal(accepted.status, 0, accepted.stderr);
        assert.match(accepted.stderr, /1 modules, none under a non-open-source licence/);
    });
});
