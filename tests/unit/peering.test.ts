import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ConsulApiError } from "../../provider/consul/errors";
import { explainEstablishError, inspectToken, isDead, serviceCounts, type ApiPeering } from "../../provider/engine/peering-api";
import { ExportedServicesProvider, normalizeServices } from "../../provider/resources/exported-services";
import { PeeringProvider, type PeeringOutputs } from "../../provider/resources/peering";
import { PeeringTokenProvider, type PeeringTokenOutputs } from "../../provider/resources/peering-token";
import { UNKNOWN } from "../../provider/model/validation";
import { providerShim } from "../../sdk/provider-shim";

// Nothing here talks to Consul: a connection to a closed port makes any accidental call fail loudly.
const connection = { address: "http://127.0.0.1:1" };
const tokens = new PeeringTokenProvider();
const peerings = new PeeringProvider();
const exported = new ExportedServicesProvider();

function token(fields: Record<string, unknown> = {}): string {
    const body = {
        CA: ["-----BEGIN CERTIFICATE-----"],
        ServerAddresses: ["127.0.0.1:8503"],
        ServerName: "server.dc1.peering.x.consul",
        PeerID: "b5a66a62-ed73-544f-3425-db083df3434c",
        EstablishmentSecret: "9b4d0b1c-secret",
        ...fields,
    };
    return Buffer.from(JSON.stringify(body)).toString("base64");
}

const failuresOf = async (
    p: { check: (o: Record<string, unknown>, n: Record<string, unknown>) => Promise<pulumi.dynamic.CheckResult> },
    news: Record<string, unknown>,
) => ((await p.check({}, news)).failures ?? []).map((f) => `${f.property}: ${f.reason}`);

describe("peering check", () => {
    // Issue 15, defect 9: names default in the provider; without network when the datacenter is given or unknown.
    it("defaults unset peer names from the other side's connection datacenter, or leaves them unknown at preview", async () => {
        const withDc = (datacenter: string) => ({ ...connection, datacenter });
        const acceptorSide = await tokens.check({}, { dialer: { connection: withDc("DC_2") }, connection: withDc("dc1") });
        assert.deepEqual([acceptorSide.inputs?.peerName, acceptorSide.failures], ["dc-2", []]);
        assert.deepEqual(acceptorSide.inputs?.dialer, { peerName: "dc1", connection: withDc("DC_2") });
        const dialer = await peerings.check(
            {},
            { peeringToken: token(), acceptor: { connection: withDc("dc1") }, connection: withDc("dc2") },
        );
        assert.deepEqual([dialer.inputs?.peerName, (dialer.inputs?.acceptor as { peerName?: string }).peerName], ["dc1", "dc2"]);
        const unknown = await tokens.check({}, { dialer: UNKNOWN, connection });
        assert.deepEqual([unknown.inputs?.peerName, unknown.failures], [UNKNOWN, []]);
        const unknownConnection = await peerings.check(
            {},
            { peeringToken: token(), acceptor: { connection: UNKNOWN }, connection: withDc("dc2") },
        );
        assert.deepEqual([unknownConnection.inputs?.peerName, unknownConnection.failures], [UNKNOWN, []]);
        // Consul unreachable: one failure per property, saying what to set.
        const unreachable = await failuresOf(peerings, { peeringToken: token(), acceptor: { peerName: "dc2", connection }, connection });
        assert.equal(unreachable.length, 1);
        assert.match(
            unreachable[0],
            /^peerName: not set, and the datacenter of the acceptor cluster.*connection refused.*datacenter in the acceptor's connection/,
        );
    });

    it("accepts Consul's peer names and rejects the rest, naming the property", async () => {
        for (const good of ["a", "dc2", "a-b-1", "x".repeat(63)]) {
            assert.deepEqual(await failuresOf(tokens, { peerName: good }), [], good);
        }
        for (const bad of ["", "-a", "a-", "Dc2", "dc_2", "dc.2", "x".repeat(64)]) {
            const failures = await failuresOf(tokens, { peerName: bad });
            assert.equal(failures.length, 1, bad);
            assert.match(failures[0], /^peerName: .*lower-case/, bad);
        }
        assert.match((await failuresOf(peerings, { peerName: "Bad", peeringToken: token() }))[0], /^peerName:/);
        assert.match(
            (await failuresOf(tokens, { peerName: "dc2", dialer: { peerName: "DC1" } }))[0],
            /^dialer\.peerName: dialer\.peerName must be/,
        );
        assert.match(
            (await failuresOf(peerings, { peerName: "dc1", peeringToken: token(), acceptor: { peerName: "x_" } }))[0],
            /^acceptor\.peerName:/,
        );
    });

    it("applies Consul's meta rules", async () => {
        const check = async (meta: Record<string, string>) => failuresOf(tokens, { peerName: "dc2", meta });
        assert.deepEqual(await check({ team: "a", "env_1-x": "b" }), []);
        assert.match((await check({ "consul-owned": "x" }))[0], /^meta\.consul-owned: .*consul-/);
        assert.match((await check({ "bad key": "x" }))[0], /^meta\.bad key: .*letters, digits/);
        assert.match((await check({ ["k".repeat(129)]: "x" }))[0], /128/);
        assert.match((await check({ k: "v".repeat(513) }))[0], /^meta\.k: .*512/);
        const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
        assert.match((await check(many))[0], /^meta: .*64 pairs/);
        assert.deepEqual(await check(Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, "v"]))), []);
    });

    it("rejects empty and malformed peering tokens without echoing them", async () => {
        const check = async (peeringToken: unknown) => failuresOf(peerings, { peerName: "dc1", peeringToken });
        assert.deepEqual(await check(token()), []);
        assert.match((await check(""))[0], /^peeringToken: .*must not be empty/);
        assert.match((await check(undefined))[0], /^peeringToken: .*required/);
        const garbage = "not-a-token!!";
        const failure = (await check(garbage))[0];
        assert.match(failure, /not a Consul peering token/);
        assert.ok(!failure.includes(garbage));
        assert.match((await check(Buffer.from("{}").toString("base64")))[0], /no server addresses or peer ID/);
        assert.match((await check(Buffer.from("hello").toString("base64")))[0], /does not decode to JSON/);
    });

    it("tolerates unknown values during preview", async () => {
        assert.deepEqual(await failuresOf(peerings, { peerName: UNKNOWN, peeringToken: UNKNOWN }), []);
        assert.deepEqual(await failuresOf(tokens, { peerName: "dc2", meta: UNKNOWN, version: UNKNOWN }), []);
    });

    it("checks exported services: names, peers, duplicates, at least one consumer", async () => {
        const check = (services: unknown) => failuresOf(exported, { services });
        assert.deepEqual(
            await check([
                { name: "api", consumers: [{ peer: "dc2" }] },
                { name: "*", consumers: [{ peer: "dc3" }] },
            ]),
            [],
        );
        assert.match((await check([{ name: "api", consumers: [{ peer: "DC2" }] }]))[0], /^services\.0\.consumers\.0\.peer:/);
        assert.match((await check([{ name: "api", consumers: [] }]))[0], /^services\.0\.consumers: .*at least one/);
        const dup = await check([
            { name: "api", consumers: [{ peer: "a" }] },
            { name: "api", consumers: [{ peer: "b" }] },
        ]);
        assert.match(dup[0], /^services\.1\.name: .*listed twice/);
        assert.match((await failuresOf(exported, { services: [], name: "Other" }))[0], /^name:/);
    });
});

describe("peering diff", () => {
    const tokenOuts: PeeringTokenOutputs = {
        peerName: "dc2",
        version: 1,
        connection,
        peeringToken: token(),
        peeringId: "id-1",
        state: "PENDING",
    };

    it("never diffs the token's observed state, id or token", async () => {
        const diff = await tokens.diff(
            "dc2",
            { ...tokenOuts, state: "ACTIVE", peeringId: "other" },
            { peerName: "dc2", version: 1, connection },
        );
        assert.deepEqual([diff.changes, diff.replaces], [false, []]);
    });

    it("replaces (delete first) the token for version, meta and addresses, and (create first) for a new name", async () => {
        const news = { peerName: "dc2", version: 1, connection };
        const bumped = await tokens.diff("dc2", tokenOuts, { ...news, version: "2" });
        assert.deepEqual([bumped.changes, bumped.replaces, bumped.deleteBeforeReplace], [true, ["version"], true]);
        assert.equal((await tokens.diff("dc2", tokenOuts, { ...news, version: "1" })).changes, false, '1 and "1" are the same version');
        assert.deepEqual((await tokens.diff("dc2", tokenOuts, { ...news, meta: { a: "b" } })).replaces, ["meta"]);
        assert.deepEqual((await tokens.diff("dc2", tokenOuts, { ...news, serverExternalAddresses: ["10.0.0.1:8503"] })).replaces, [
            "serverExternalAddresses",
        ]);
        const renamed = await tokens.diff("dc2", tokenOuts, { ...news, peerName: "dc3" });
        assert.deepEqual([renamed.replaces, renamed.deleteBeforeReplace], [["peerName"], false]);
        assert.deepEqual((await tokens.diff("dc2", tokenOuts, { ...news, connection: { address: "http://other:8500" } })).replaces, [
            "cluster",
        ]);
        // Where the dialer is only matters to reads: an update that touches nothing in Consul.
        const dialer = await tokens.diff("dc2", tokenOuts, { ...news, dialer: { peerName: "dc1" } });
        assert.deepEqual([dialer.changes, dialer.replaces], [true, []]);
    });

    const peeringOuts: PeeringOutputs = {
        peerName: "dc1",
        peeringToken: token(),
        connection,
        peeringId: "p1",
        state: "ESTABLISHING",
        peerServerAddresses: ["127.0.0.1:8503"],
        importedServiceCount: 0,
        exportedServiceCount: 0,
    };

    // Issue 15, defect 2: a FAILING peering found by refresh is drift that up waits out (an update), never a re-create.
    it("plans an update, not a replacement, for a peering a refresh found FAILING (unless waitForActive is false)", async () => {
        const failing = { ...peeringOuts, state: "FAILING" };
        const news = { peerName: "dc1", peeringToken: token(), connection };
        const diff = await peerings.diff("dc1", failing, news);
        assert.deepEqual([diff.changes, diff.replaces], [true, []]);
        const noWait = await peerings.diff("dc1", { ...failing, waitForActive: false }, { ...news, waitForActive: false });
        assert.deepEqual([noWait.changes, noWait.replaces], [false, []]);
    });

    it("never diffs a peering's counts or addresses, nor an ACTIVE state", async () => {
        const observed = {
            ...peeringOuts,
            state: "ACTIVE",
            importedServiceCount: 3,
            exportedServiceCount: 2,
            peerServerAddresses: ["x:1"],
        };
        const diff = await peerings.diff("dc1", observed, { peerName: "dc1", peeringToken: token(), connection });
        assert.deepEqual([diff.changes, diff.replaces], [false, []]);
    });

    it("replaces the peering (delete first) for a new token, name, meta or cluster", async () => {
        const news = { peerName: "dc1", peeringToken: token(), connection };
        const rotated = await peerings.diff("dc1", peeringOuts, { ...news, peeringToken: token({ EstablishmentSecret: "new" }) });
        assert.deepEqual([rotated.changes, rotated.replaces, rotated.deleteBeforeReplace], [true, ["peeringToken"], true]);
        // During preview an unknown token (a token being rotated) plans a replacement too.
        assert.deepEqual((await peerings.diff("dc1", peeringOuts, { ...news, peeringToken: UNKNOWN })).replaces, ["peeringToken"]);
        assert.deepEqual((await peerings.diff("dc1", peeringOuts, { ...news, peerName: "dc9" })).replaces, ["peerName"]);
        assert.deepEqual((await peerings.diff("dc1", peeringOuts, { ...news, meta: { a: "b" } })).replaces, ["meta"]);
        const waits = await peerings.diff("dc1", peeringOuts, { ...news, activeTimeoutSeconds: 5, waitForActive: false });
        assert.deepEqual([waits.changes, waits.replaces], [true, []]);
    });

    it("compares exported services as sets", async () => {
        const olds = {
            services: [
                { name: "b", consumers: [{ peer: "y" }, { peer: "x" }] },
                { name: "a", consumers: [{ peer: "x" }] },
            ],
        };
        const same = {
            services: [
                { name: "a", consumers: [{ peer: "x" }] },
                { name: "b", consumers: [{ peer: "x" }, { peer: "y" }] },
            ],
        };
        assert.equal((await exported.diff("default", olds, same)).changes, false);
        const more = { services: [...same.services, { name: "c", consumers: [{ peer: "x" }] }] };
        assert.deepEqual(await exported.diff("default", olds, more), { changes: true, replaces: [], deleteBeforeReplace: true });
        assert.deepEqual(normalizeServices(olds.services), same.services);
    });
});

describe("peering helpers", () => {
    const peering = (fields: Partial<ApiPeering>): ApiPeering => ({ ID: "1", Name: "dc1", State: "ACTIVE", ...fields });

    // Issue 15, defect 2: FAILING is a broken stream that Consul keeps re-dialing, not an end.
    it("treats deleted, deleting and terminated peerings as gone, and a failing one as alive", () => {
        assert.equal(isDead(peering({})), false);
        assert.equal(isDead(peering({ State: "PENDING" })), false);
        assert.equal(isDead(peering({ State: "FAILING" })), false, "FAILING may recover");
        for (const State of ["DELETING", "TERMINATED"]) assert.equal(isDead(peering({ State })), true, State);
        assert.equal(isDead(peering({ DeletedAt: "2026-01-01T00:00:00Z" })), true);
        assert.equal(isDead(undefined), true);
    });

    it("counts services from the stream status lists", () => {
        assert.deepEqual(serviceCounts(peering({ StreamStatus: { ImportedServices: ["a", "b"], ExportedServices: null } })), {
            importedServiceCount: 2,
            exportedServiceCount: 0,
        });
    });

    it("reads the dial addresses from a token, manual addresses first", () => {
        assert.deepEqual(inspectToken(token({ ManualServerAddresses: ["10.0.0.1:8503"] })).summary?.serverAddresses, [
            "10.0.0.1:8503",
            "127.0.0.1:8503",
        ]);
    });

    it("explains establish failures in plain words", () => {
        const err = (status: number, message: string) =>
            new ConsulApiError("POST", "/v1/peering/establish", status, message, "http://dc2:8500");
        assert.match(
            explainEstablishError(err(403, "a new peering token must be generated: invalid peering establishment secret"), "dc1", [])
                .message,
            /already used, or a newer token was generated.*403/,
        );
        const unreachable = explainEstablishError(
            err(
                503,
                '18 errors occurred:\n\t* failed to exchange peering secret through address "127.0.0.1:1": connection refused\n\t* ...',
            ),
            "dc1",
            ["127.0.0.1:1"],
        ).message;
        assert.match(unreachable, /unreachable from this cluster at 127\.0\.0\.1:1/);
        assert.match(unreachable, /Consul said: 503 failed to exchange peering secret through address "127\.0\.0\.1:1"/);
        assert.match(explainEstablishError(err(500, "failed to decode token: illegal base64 data"), "dc1", []).message, /malformed/);
        assert.match(explainEstablishError(err(500, "cannot create a peering within the same cluster"), "dc1", []).message, /same cluster/);
        // No answer from this cluster (status 0): its own transport error, not "Consul refused" nor "the acceptor is unreachable".
        const cut = new ConsulApiError(
            "POST",
            "/v1/peering/establish",
            0,
            "ECONNRESET: read ECONNRESET",
            "http://dc4:8500",
            undefined,
            "ECONNRESET",
            "dc4",
        );
        assert.equal(explainEstablishError(cut, "dc1", ["127.0.0.1:1"]), cut);
        assert.match(cut.message, /^Consul POST \/v1\/peering\/establish at cluster "dc4" \(http:\/\/dc4:8500\) failed: ECONNRESET/);
    });
});

describe("peering resources' serialised providers", () => {
    for (const kind of ["PeeringToken", "Peering", "ExportedServices"] as const) {
        it(`${kind}: a small shim with no relative require`, async () => {
            const shim = providerShim(kind);
            const { text } = await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: false });
            assert.ok(text.length < 4096, `${text.length} bytes`);
            assert.match(text, new RegExp(`"${kind}"`));
            assert.doesNotMatch(text, /require\("\.\.?\//);
        });
    }
});
