// Fails when provider/ or sdk/ has an import cycle, type-only imports included (eslint-plugin-import-x's
// no-cycle skips `import type` by design, and a cycle of types is still a tangle that pins two modules
// together). Reads each file's imports with TypeScript's own pre-processor, resolves relative ones
// to files, and reports every strongly connected component of more than one module (or a module
// importing itself). Run by `npm run lint`.
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.join(__dirname, "..");
const roots = ["provider", "sdk"];

function listTs(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return listTs(p);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
    });
}

function resolve(from, spec) {
    if (!spec.startsWith(".")) return undefined;
    const base = path.resolve(path.dirname(from), spec);
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
        if (candidate.endsWith(".ts") && fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

const files = roots.flatMap((r) => listTs(path.join(root, r)));
const graph = new Map(
    files.map((f) => {
        const info = ts.preProcessFile(fs.readFileSync(f, "utf8"), true, true);
        const targets = info.importedFiles.map((i) => resolve(f, i.fileName)).filter((t) => t !== undefined);
        return [f, [...new Set(targets)]];
    }),
);

// Tarjan's strongly connected components.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function visit(v) {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
        if (!meta.has(w)) {
            visit(w);
            meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
        } else if (meta.get(w).onStack) {
            meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
        }
    }
    if (meta.get(v).low === meta.get(v).index) {
        const component = [];
        let w;
        do {
            w = stack.pop();
            meta.get(w).onStack = false;
            component.push(w);
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
    }
}
for (const f of files) if (!meta.has(f)) visit(f);

if (cycles.length > 0) {
    for (const c of cycles)
        console.error(
            `import cycle: ${c
                .map((f) => path.relative(root, f))
                .sort()
                .join(" <-> ")}`,
        );
    console.error(`${cycles.length} import cycle(s) in ${roots.join("/, ")}/ (type-only imports count)`);
    process.exit(1);
}
console.log(`no import cycle among ${files.length} modules of ${roots.join("/, ")}/ (type-only imports included)`);
