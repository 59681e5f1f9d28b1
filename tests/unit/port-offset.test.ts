// Defect: commit 10cc183 documented port offsets in steps of 5000 but portOffset() still refused
// 5000 and 15000 ("must be 0, 10000 or 20000"), so two of the five documented layouts could not run.
import { strict as assert } from "node:assert";
import { portOffset } from "../../scripts/lib/clusters";

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
});
