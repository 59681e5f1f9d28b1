// Licence gate of the tool builds (scripts/lib/go-build.sh): reads the build list of a Go main
// package, one module per line as `path version dir` (from `go list -deps -f ...`), finds each
// module's licence file in the module cache and refuses the build when one of them is not an
// open-source licence (the Business Source License of Consul 1.17+ and its newer sibling modules,
// and the other source-available licences below). Modules without a licence file are listed, not
// refused: the gate is for licences we know to be non-open, not a licence audit.
//
//   node scripts/lib/licenses.js TOOL < build-list.txt
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** Source-available licences that are not open source, by a phrase each one's text carries. */
const NON_OPEN = [
    { name: "Business Source License", pattern: /Business Source License/i },
    { name: "Server Side Public License", pattern: /Server Side Public License/i },
    { name: "Elastic License", pattern: /Elastic License/i },
    { name: "Commons Clause", pattern: /Commons Clause/i },
];

/** The non-open licence a licence text is under, or undefined. */
function nonOpenLicence(text) {
    const hit = NON_OPEN.find((l) => l.pattern.test(text));
    return hit ? hit.name : undefined;
}

/** Licence files at a module's root (LICENSE, LICENCE, COPYING, with any case and extension). */
function licenceFiles(dir) {
    let names;
    try {
        names = fs.readdirSync(dir);
    } catch {
        return [];
    }
    return names
        .filter((n) => /^(licen[cs]e|copying|unlicense)([._-].*)?$/i.test(n))
        .map((n) => path.join(dir, n))
        .filter((f) => fs.statSync(f).isFile());
}

/** Parses `path version dir` lines (blank lines and the main module, which has no version, skipped). */
function parseBuildList(text) {
    const seen = new Map();
    for (const line of text.split("\n")) {
        const [modulePath, version, ...rest] = line.trim().split(" ");
        if (!modulePath || !version) continue;
        seen.set(`${modulePath}@${version}`, { path: modulePath, version, dir: rest.join(" ") });
    }
    return [...seen.values()];
}

/** Checks every module: { refused: [{module, licence, file}], unlicensed: [module] , checked }. */
function checkModules(modules) {
    const refused = [];
    const unlicensed = [];
    for (const m of modules) {
        const id = `${m.path}@${m.version}`;
        const files = m.dir ? licenceFiles(m.dir) : [];
        if (files.length === 0) {
            unlicensed.push(id);
            continue;
        }
        for (const file of files) {
            const licence = nonOpenLicence(fs.readFileSync(file, "utf8"));
            if (licence) refused.push({ module: id, licence, file });
        }
    }
    return { refused, unlicensed, checked: modules.length };
}

module.exports = { nonOpenLicence, licenceFiles, parseBuildList, checkModules };

if (require.main === module) {
    const tool = process.argv[2] ?? "the tool";
    const result = checkModules(parseBuildList(fs.readFileSync(0, "utf8")));
    for (const r of result.refused) {
        console.error(
            `licence check: refusing to build ${tool}: module ${r.module} is under the ${r.licence} (${r.file}), not an open-source licence`,
        );
    }
    if (result.refused.length > 0) process.exit(1);
    const note = result.unlicensed.length ? `; no licence file found in ${result.unlicensed.join(", ")}` : "";
    console.error(`licence check: ${tool}: ${result.checked} modules, none under a non-open-source licence${note}`);
}
