// Issue 29: npm run cluster starts fleets of up to six clusters; their ports must stay apart from
// each other, from every other offset's layout, and below Linux's ephemeral range at every offset.
import { strict as assert } from "node:assert";
import { CLUSTER_NAMES, PORT_OFFSETS, clusterSpecs, fleetNames, serverPorts } from "../../scripts/lib/clusters";

describe("local cluster layout (dc1..dc6)", () => {
    const saved = process.env.CONSUL_MESH_PORT_OFFSET;
    after(() => {
        if (saved === undefined) delete process.env.CONSUL_MESH_PORT_OFFSET;
        else process.env.CONSUL_MESH_PORT_OFFSET = saved;
    });

    /** Every port any cluster (up to five servers each) binds at one offset. */
    function portsAt(offset: number): number[] {
        process.env.CONSUL_MESH_PORT_OFFSET = String(offset);
        return clusterSpecs().flatMap((spec) => [0, 1, 2, 3, 4].flatMap((i) => Object.values(serverPorts(spec, i)).filter((p) => p > 0)));
    }

    it("knows six clusters and fleetNames(n) is the first n", () => {
        assert.deepEqual(CLUSTER_NAMES, ["dc1", "dc2", "dc3", "dc4", "dc5", "dc6"]);
        assert.deepEqual(fleetNames(4), ["dc1", "dc2", "dc3", "dc4"]);
        assert.throws(() => fleetNames(7), /1 to 6 clusters/);
        assert.throws(() => fleetNames(0), /1 to 6 clusters/);
    });

    it("no two ports collide within an offset, nor between two offsets, and all stay below 32768", () => {
        const seen = new Map<number, number>();
        for (const offset of PORT_OFFSETS) {
            const ports = portsAt(offset);
            assert.equal(new Set(ports).size, ports.length, `a port is used twice at offset ${offset}`);
            for (const p of ports) {
                assert.ok(p < 32768, `port ${p} at offset ${offset} reaches the ephemeral range`);
                assert.equal(seen.get(p), undefined, `port ${p} is used at offsets ${seen.get(p)} and ${offset}`);
                seen.set(p, offset);
            }
        }
    });
});
