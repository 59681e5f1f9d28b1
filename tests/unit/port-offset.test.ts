// Defect: commit 10cc183 documented port offsets in steps of 5000 but portOffset() still refused
// 5000 and 15000 ("must be 0, 10000 or 20000"), so two of the five documented layouts could not run.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { portOffset } from "../../scripts/lib/clusters";

const root = path.resolve(__dirname, "..", "..");

describe("CONSUL_MESH_PORT_OFFSET", () => {
    const saved = process.env.CONSUL_MESH_PORT_OFFSET;
    after(() => {
        if (saved === undefined) delete process.env.CONSUL_MESH_PORT_OFFSET;
        else process.env.CONSUL_MESH_PORT_OFFSET = saved;
    });

    it("accepts every documented offset (steps of 5000 up to 20000)", () => {
        for (const offset of [0, 5000, 10000, 15000, 20000]) {
            process.env.CONSUL_MESH_PORT_OFFSET = String(offset);
            assert.equal(portOffset(), offset);
        }
    });

    it("refuses offsets off the 5000 grid or beyond 20000", () => {
        for (const bad of ["2500", "25000", "-5000", "abc"]) {
            process.env.CONSUL_MESH_PORT_OFFSET = bad;
            assert.throws(() => portOffset(), /must be 0, 5000, 10000, 15000 or 20000/);
        }
    });

    // Issue 31 item 14: users learnt the allowed offsets only by trying one that was refused.
    it("npm run cluster -- --help lists the allowed offsets and why, and the README's Local clusters says the same", () => {
        const help = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/cluster.ts", "--help"], {
            cwd: root,
            encoding: "utf8",
            env: { ...process.env, CONSUL_MESH_PORT_OFFSET: "30000" },
        });
        assert.equal(help.status, 0, help.stderr);
        assert.match(help.stdout, /Allowed: 0, 5000, 10000, 15000 or 20000/);
        assert.match(help.stdout, /ephemeral range\s+\(32768-60999 by default\)/);
        assert.match(help.stdout, /steps of 5000/);
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Local clusters"), readme.indexOf("\n## ", readme.indexOf("## Local clusters") + 1));
        assert.match(section, /npm run cluster -- --help/);
        assert.match(section, /0, 5000, 10000, 15000 or 20000/);
        assert.match(section, /ephemeral (port )?range/);
        assert.match(section, /6300-9543/);
    });

    it("the refusal points to --help", () => {
        process.env.CONSUL_MESH_PORT_OFFSET = "30000";
        assert.throws(() => portOffset(), /npm run cluster -- --help/);
    });
});
