// Issue 29: examples/fleet (PeeringMesh) through the real Pulumi CLI against four single-agent
// clusters: dc1 and dc2 from the global fixture, dc3 and dc4 started here. The fleet's dc4 runs on the
// local cluster dc5 (the fault suite, which npm test runs beside e2e at the same port offset, starts
// and stops its own dc4), and the fleet reaches it only through a TCP proxy, whose address is dc4's
// declared address throughout: cutting the proxy at a chosen request is dc4's agent stopping in the
// middle of an `up` or a `refresh`, and starting it again on the same port is the agent coming back.
import { strict as assert } from "node:assert";
import { clusterAddress, start, status, stop } from "../../scripts/lib/clusters";
import { consul, eventually } from "../support/consul";
import { changingSteps, PulumiProgram, type PreviewStep } from "../support/pulumi";
import { TcpProxy } from "../support/tcp-proxy";

interface ApiPeering {
    Name: string;
    State: string;
}

const NAMES = ["dc1", "dc2", "dc3", "dc4"];
/** The local cluster (scripts/lib/clusters.ts) that runs the fleet's cluster `name`. */
const agent = (name: string) => (name === "dc4" ? "dc5" : name);
const address = (name: string) => clusterAddress(agent(name));
/** dc4's agent, behind the proxy the fleet declares as dc4. */
const dc4Proxy = new TcpProxy("127.0.0.1", Number(new URL(address("dc4")).port));
/** The address the fleet declares for `name` (dc4: its proxy). */
const declared = (name: string) => (name === "dc4" ? `http://127.0.0.1:${dc4Proxy.port}` : address(name));
const log = (m: string) => console.error(`[fleet] ${m}`);

const states = async (name: string) =>
    (await consul<ApiPeering[]>("GET", `${address(name)}/v1/peerings`)).body.map((p) => `${p.Name}:${p.State}`).sort();

/** `name: ACTIVE` for every other cluster of `fleet`, as `name`'s peerings should read. */
const activeWith = (name: string, fleet: string[]) =>
    fleet
        .filter((n) => n !== name)
        .map((n) => `${n}:ACTIVE`)
        .sort();

/** The resource name of a step's URN (its last `::` part). */
const nameOf = (step: PreviewStep) => step.urn.split("::").pop() ?? "";
const summary = (steps: PreviewStep[]) =>
    changingSteps(steps)
        .map((s) => `${s.op} ${nameOf(s)}`)
        .sort();

/**
 * An api instance with its sidecar, and a mesh gateway, in the catalog of `name` (no agent runs them:
 * the catalog is enough to export them). Peered clusters reach each other's mesh services through
 * mesh gateways, so Consul replicates an exported service's connect endpoints only while the
 * exporting cluster has a healthy one.
 */
async function registerApi(name: string): Promise<void> {
    for (const service of [
        { ID: "mesh-gateway", Service: "mesh-gateway", Kind: "mesh-gateway", Port: 8443 },
        { ID: "api", Service: "api", Port: 8080 },
        {
            ID: "api-sidecar-proxy",
            Service: "api-sidecar-proxy",
            Kind: "connect-proxy",
            Port: 21000,
            Proxy: { DestinationServiceName: "api" },
        },
    ]) {
        const res = await consul("PUT", `${address(name)}/v1/catalog/register`, {
            Node: `api-node-${name}`,
            Address: "10.0.0.10",
            Service: service,
        });
        assert.equal(res.status, 200, `register ${service.ID} in ${name}`);
    }
}

describe("examples/fleet (PeeringMesh over four clusters) with the Pulumi CLI", function () {
    this.timeout(600_000);
    const program = new PulumiProgram("examples/fleet");
    const clustersConfig = (names: string[]) => JSON.stringify(Object.fromEntries(names.map((n) => [n, declared(n)])));
    const setClusters = (names: string[]) => program.run(["config", "set", "clusters", clustersConfig(names)]);

    before(async () => {
        for (const name of ["dc3", agent("dc4")]) {
            if (status(name).running) await stop(name, { log });
            await start(name, { log });
        }
        await dc4Proxy.start();
        await program.init({ "consul-mesh-fleet:clusters": clustersConfig(["dc1", "dc2", "dc3"]) });
        for (const name of ["dc2", "dc3"]) await registerApi(name);
    });
    after(async () => {
        const state = await program.run(["stack", "ls"], { allowFailure: true });
        if (state.code === 0) await program.destroy().catch(() => undefined);
        program.cleanup();
        for (const name of ["dc1", "dc2"])
            await consul("PUT", `${address(name)}/v1/catalog/deregister`, { Node: `api-node-${name}` }).catch(() => undefined);
        // dc3 and dc4 are this file's: nothing of them stays running.
        await dc4Proxy.cut();
        await stop(agent("dc4"), { log });
        await stop("dc3", { log });
    });

    it("refuses at preview two names for one address, naming both, before anything reaches Consul", async () => {
        const respelled = address("dc1").replace("http://", "HTTP://") + "/";
        await program.run(["config", "set", "clusters", JSON.stringify({ dc1: address("dc1"), dc2: address("dc2"), dc3: respelled })]);
        const preview = await program.run(["preview"], { allowFailure: true });
        assert.notEqual(preview.code, 0);
        assert.match(preview.stdout + preview.stderr, /PeeringMesh: clusters "dc1" and "dc3" are one cluster/);
        await setClusters(["dc1", "dc2", "dc3"]);
    });

    it("peers three clusters in a full mesh: every side ACTIVE and named after its peer, no change on preview --refresh", async () => {
        await program.up();
        for (const name of ["dc1", "dc2", "dc3"]) assert.deepEqual(await states(name), activeWith(name, ["dc1", "dc2", "dc3"]), name);
        const outputs = await program.outputs();
        assert.deepEqual(outputs.pairKeys, ["dc1~dc2", "dc1~dc3", "dc2~dc3"]);
        const pairs = outputs.pairs as Record<string, { acceptor: string; state: string; acceptorState: string }>;
        assert.deepEqual(
            Object.entries(pairs).map(([k, p]) => [k, p.acceptor, p.state, p.acceptorState]),
            [
                ["dc1~dc2", "dc1", "ACTIVE", "ACTIVE"],
                ["dc1~dc3", "dc1", "ACTIVE", "ACTIVE"],
                ["dc2~dc3", "dc2", "ACTIVE", "ACTIVE"],
            ],
        );
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    it("dc1 imports api from each peer (health/connect ?peer=) and its discovery chain fails over to the peers in order", async () => {
        for (const peer of ["dc2", "dc3"]) {
            const imported = await eventually(async () => {
                const res = await consul<Array<{ Service: { Service: string; PeerName?: string } }>>(
                    "GET",
                    `${address("dc1")}/v1/health/connect/api?peer=${peer}`,
                );
                return res.status === 200 && res.body.length > 0 && res.body.every((e) => e.Service.PeerName === peer);
            });
            assert.ok(imported, `dc1 imports api's sidecar from ${peer}`);
        }
        const chain = await consul<{ Chain: { Nodes: Record<string, { Type: string; Resolver?: { Failover?: { Targets: string[] } } }> } }>(
            "GET",
            `${address("dc1")}/v1/discovery-chain/api`,
        );
        assert.equal(chain.status, 200);
        const resolver = Object.values(chain.body.Chain.Nodes).find((n) => n.Type === "resolver");
        assert.deepEqual(resolver?.Resolver?.Failover?.Targets, ["api.default.default.external.dc2", "api.default.default.external.dc3"]);
    });

    /** The stack's resources (URN, and whether an operation is left pending), for "state stays consistent". */
    const stateOf = async () => {
        const exported = JSON.parse(await program.exportState()) as {
            deployment: { resources: Array<{ urn: string }>; pending_operations?: unknown[] };
        };
        return { urns: exported.deployment.resources.map((r) => r.urn).sort(), pending: exported.deployment.pending_operations ?? [] };
    };
    /** Each cluster's peerings, by name: exactly one per other cluster (none twice, none lost). */
    const assertOnePeeringPerPeer = async (fleet: string[]) => {
        for (const name of fleet) {
            const peerings = (await consul<ApiPeering[]>("GET", `${address(name)}/v1/peerings`)).body.map((p) => p.Name).sort();
            assert.deepEqual(peerings, fleet.filter((n) => n !== name).sort(), `${name}'s peerings`);
        }
    };

    // dc4's agent stops in the middle of the up that adds it: the proxy lets its first peering
    // establish through and is cut at the second (so one dc4 pair may be half made, the others not
    // started). Pulumi stops scheduling new steps after the first failure unless given
    // `--continue-on-error` (CLI 3.276): with it, every step that does not depend on a failed one runs.
    it("adding dc4 previews only its pairs; dc4 stopping mid-up fails naming it while the other pairs converge; once dc4 is back, up completes with no peering twice or lost", async () => {
        await setClusters(NAMES);
        const planned = summary((await program.preview()).steps);
        assert.deepEqual(planned, [
            "create fleet-dc1~dc4-peering",
            "create fleet-dc1~dc4-token",
            "create fleet-dc2~dc4-peering",
            "create fleet-dc2~dc4-token",
            "create fleet-dc3~dc4-peering",
            "create fleet-dc3~dc4-token",
            "create fleet-dc4-exports",
            "update fleet-dc1-api-resolver",
            "update fleet-dc1-exports",
        ]);

        // A pair without dc4 is broken by hand on its dialer's side.
        assert.equal((await consul("DELETE", `${address("dc3")}/v1/peering/dc2`)).status, 200);
        assert.ok(await eventually(async () => !(await states("dc3")).some((s) => s.startsWith("dc2:"))));
        await registerApi("dc4");
        let establishes = 0;
        dc4Proxy.cutBefore = (line) => line.startsWith("POST /v1/peering/establish") && ++establishes === 2;
        const failed = await program.run(["up", "--yes", "--skip-preview", "--refresh", "--continue-on-error"], { allowFailure: true });
        assert.notEqual(failed.code, 0, "up must fail once dc4 stops");
        assert.equal(establishes, 2, "dc4 stopped at its second establish, in the middle of the up");
        assert.ok(
            dc4Proxy.requests.some((l) => l.startsWith("POST /v1/peering/establish")),
            "one establish reached dc4 before it stopped",
        );
        const text = failed.stdout + failed.stderr;
        // Every error names dc4 by its fleet name: dc4's declared address never appears without it.
        // (Which dc4 steps fail, and how, depends on where each stood when the agent stopped.)
        assert.match(text, new RegExp(`at cluster "dc4" \\(http://127\\.0\\.0\\.1:${dc4Proxy.port}\\)`), text);
        assert.doesNotMatch(
            text,
            new RegExp(`(?<!cluster "dc4" \\()http://127\\.0\\.0\\.1:${dc4Proxy.port}`),
            "dc4 named by address alone",
        );
        const failedSteps = [...text.matchAll(/(fleet-\S+) \*\*\w+ failed\*\*/g)].map((m) => m[1]);
        assert.ok(failedSteps.length > 0, text);
        for (const step of failedSteps) assert.match(step, /^fleet-(dc[123]~dc4-(token|peering)|dc4-exports)$/, `${step} failed`);
        assert.doesNotMatch(text, /fleet-dc[123]~dc[123]-(token|peering)[^\n]*(failed|error)/i, "no pair without dc4 fails");
        // The pairs without dc4 converged (dc2~dc3 re-established).
        for (const name of ["dc1", "dc2", "dc3"]) {
            const held = await states(name);
            assert.deepEqual(
                held.filter((p) => !p.startsWith("dc4:")),
                activeWith(name, ["dc1", "dc2", "dc3"]),
                name,
            );
        }
        // The state is consistent: no operation left pending, and the next preview plans only dc4's
        // unfinished work (nothing about the pairs without dc4).
        assert.deepEqual((await stateOf()).pending, [], "no pending operation in the state");

        await dc4Proxy.start(); // dc4's agent is back, at the same address
        await program.up();
        for (const name of NAMES) assert.deepEqual(await states(name), activeWith(name, NAMES), name);
        await assertOnePeeringPerPeer(NAMES);
        assert.deepEqual(changingSteps((await program.preview(["--refresh", "--expect-no-changes"])).steps), []);
    });

    it("dc4 stopping mid-refresh: refresh and preview --refresh fail naming it and record nothing as deleted", async () => {
        const before = await stateOf();
        // The second request to dc4 is where its agent stops: the refresh has begun reading it.
        let requests = 0;
        dc4Proxy.cutBefore = () => ++requests === 2;
        const refresh = await program.refresh([], true);
        assert.notEqual(refresh.code, 0);
        assert.equal(requests, 2, "dc4 stopped in the middle of the refresh");
        const declaredDc4 = `cluster "dc4" \\(http://127\\.0\\.0\\.1:${dc4Proxy.port}\\)`;
        assert.match(
            refresh.stdout + refresh.stderr,
            new RegExp(`fleet-dc[123]~dc4-peering \\*\\*refreshing failed\\*\\* error: [^\\n]*${declaredDc4}`),
        );
        assert.doesNotMatch(refresh.stdout, /deleted/);
        const preview = await program.run(["preview", "--refresh"], { allowFailure: true });
        assert.notEqual(preview.code, 0);
        assert.match(preview.stdout + preview.stderr, new RegExp(declaredDc4));
        assert.deepEqual(await stateOf(), before, "the state is as before the refresh");
        // Back: the refresh finds everything as it was.
        await dc4Proxy.start();
        await program.refresh();
        assert.deepEqual(changingSteps((await program.preview(["--expect-no-changes"])).steps), []);
        await assertOnePeeringPerPeer(NAMES);
    });

    it("removing dc4 previews and deletes only its pairs and exports", async () => {
        await setClusters(["dc1", "dc2", "dc3"]);
        const planned = summary((await program.preview()).steps);
        assert.deepEqual(planned, [
            "delete fleet-dc1~dc4-peering",
            "delete fleet-dc1~dc4-token",
            "delete fleet-dc2~dc4-peering",
            "delete fleet-dc2~dc4-token",
            "delete fleet-dc3~dc4-peering",
            "delete fleet-dc3~dc4-token",
            "delete fleet-dc4-exports",
            "update fleet-dc1-api-resolver",
            "update fleet-dc1-exports",
        ]);
        await program.up();
        for (const name of ["dc1", "dc2", "dc3"]) assert.deepEqual(await states(name), activeWith(name, ["dc1", "dc2", "dc3"]), name);
        assert.deepEqual(await states("dc4"), []);
    });

    it("destroy leaves no peering, exported-services or resolver on any cluster", async () => {
        await program.destroy();
        for (const name of NAMES) {
            assert.ok(
                await eventually(async () => (await states(name)).length === 0),
                `${name} has no peering: ${(await states(name)).join(", ")}`,
            );
            for (const kind of ["exported-services", "service-resolver"]) {
                const entries = await consul<unknown[]>("GET", `${address(name)}/v1/config/${kind}`);
                assert.deepEqual(entries.body ?? [], [], `${name} has no ${kind}`);
            }
        }
    });
});
