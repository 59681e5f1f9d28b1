// Makes `import "consul-mesh"` resolve inside this repo (examples, demo, tests) exactly as it does
// in a user's program: node_modules/consul-mesh -> the repo root, whose package.json points at dist/.
const fs = require("node:fs");
const path = require("node:path");
const link = path.join(__dirname, "..", "node_modules", "consul-mesh");
try {
    if (fs.readlinkSync(link) === "..") process.exit(0);
    fs.rmSync(link, { recursive: true, force: true });
} catch {
    /* not there yet */
}
fs.symlinkSync("..", link, "dir");
