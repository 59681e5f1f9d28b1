import { strict as assert } from "node:assert";
import { z } from "zod";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clusterAddresses, start, stop } from "../../scripts/lib/clusters";
import { ConsulClient } from "../../provider/consul/client";
import { resolveConnection, type ConnectionInput } from "../../provider/consul/connection";
import { ConsulApiError } from "../../provider/consul/errors";
import { intentionProvider, type IntentionInputs } from "../../provider/resources/intention";
import { uniqueSuffix } from "../support/consul";
import { declaredListing, makeCerts, type TestCerts } from "../support/faults";
import { changingSteps, PulumiProgram } from "../support/pulumi";

// An HTTPS-only agent (dc4, http listener off) with verify_incoming: clients must present a
// certificate signed by the test CA. Certificates are made here with `consul tls`.
describe("faults: TLS with verify_incoming", function () {
    this.timeout(300_000);
    const log = (m: string) => console.error(`    [dc4] ${m}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-tls-"));
    let certs: TestCerts;
    let address = "";

    before(async () => {
        certs = makeCerts(dir, "dc4");
        await start("dc4", { log, tls: { caFile: certs.caFile, certFile: certs.serverCert, keyFile: certs.serverKey } });
        address = clusterAddresses("dc4")[0];
        assert.match(address, /^https:\/\//);
    });
    after(async () => {
        await stop("dc4", { log });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const get = (input: ConnectionInput, env: NodeJS.ProcessEnv = {}) =>
        new ConsulClient(resolveConnection({ timeoutMs: 5000, ...input }, () => undefined, env)).get("/v1/status/leader", z.string());

    it("works with the CA and client certificate given through connection (as files and as PEM text)", async () => {
        const destination = `tls-${uniqueSuffix()}`;
        const connection = { address, caCert: certs.caFile, clientCert: certs.clientCert, clientKey: certs.clientKey };
        const inputs: IntentionInputs = { source: "web", destination, action: "allow", connection };
        const created = await intentionProvider.create(inputs);
        assert.equal(created.id, `web=>${destination}`);
        const pem = (f: string) => fs.readFileSync(f, "utf8");
        const asText = { address, caCert: pem(certs.caFile), clientCert: pem(certs.clientCert), clientKey: pem(certs.clientKey) };
        const read = await intentionProvider.read(created.id, { ...inputs, connection: asText });
        assert.equal(read.props?.action, "allow");
        await intentionProvider.delete(created.id, { ...inputs, connection: asText });
        assert.deepEqual(await intentionProvider.read(created.id, inputs), {});
    });

    it("works through Consul's env vars (CONSUL_HTTP_ADDR=https://..., CONSUL_CACERT, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY) with pulumi up", async () => {
        const destination = `tls-env-${uniqueSuffix()}`;
        const program = new PulumiProgram("tests/e2e/programs/two-hundred-intentions");
        try {
            Object.assign(program.env, {
                CONSUL_HTTP_ADDR: address,
                CONSUL_CACERT: certs.caFile,
                CONSUL_CLIENT_CERT: certs.clientCert,
                CONSUL_CLIENT_KEY: certs.clientKey,
            });
            await program.init({
                "consul-mesh-two-hundred-intentions:count": "5",
                "consul-mesh-two-hundred-intentions:destination": destination,
            });
            await program.up();
            const listing = new ConsulClient(resolveConnection({}, () => undefined, program.env));
            const all = (
                await listing.get(
                    "/v1/connect/intentions",
                    z.array(z.object({ SourceName: z.string(), DestinationName: z.string(), Action: z.string() })),
                )
            ).body;
            const pairs = all
                .filter((i) => i.DestinationName === destination)
                .map((i) => `${i.SourceName}=>${i.DestinationName}:${i.Action}`)
                .sort();
            assert.deepEqual(pairs, declaredListing(5, destination));
            const { steps } = await program.preview(["--refresh", "--expect-no-changes"]);
            assert.deepEqual(changingSteps(steps), []);
            await program.destroy();
        } finally {
            program.cleanup();
        }
    });

    it("verifies the server certificate by default: no CA or a wrong CA fails with a TLS error naming the address", async () => {
        const client = { clientCert: certs.clientCert, clientKey: certs.clientKey };
        for (const [what, input] of [
            ["no CA", { address, ...client }],
            ["wrong CA", { address, caCert: certs.otherCaFile, ...client }],
        ] as const) {
            const started = Date.now();
            await assert.rejects(get(input), (err: ConsulApiError) => {
                assert.ok(err instanceof ConsulApiError, what);
                assert.equal(err.statusCode, 0);
                assert.match(
                    err.message,
                    new RegExp(`at ${address.replace(/\./g, "\\.")} failed: TLS error: .*(certificate|issuer)`),
                    what,
                );
                return true;
            });
            console.error(`    [tls] ${what}: failed in ${Date.now() - started} ms`);
        }
        // Explicitly turned off, the unverified server is accepted (the client certificate still counts).
        assert.match((await get({ address, insecureSkipVerify: true, ...client })).body, /127\.0\.0\.1/);
        // CONSUL_HTTP_SSL_VERIFY=false is the env-var way to turn verification off.
        assert.match((await get({ address, ...client }, { CONSUL_HTTP_SSL_VERIFY: "false" })).body, /127\.0\.0\.1/);
    });

    it("without a client certificate the agent refuses the connection and the error says TLS", async () => {
        const started = Date.now();
        await assert.rejects(get({ address, caCert: certs.caFile }), (err: ConsulApiError) => {
            assert.ok(err instanceof ConsulApiError);
            assert.match(err.message, new RegExp(`at ${address.replace(/\./g, "\\.")} failed: TLS error: .*certificate`));
            return true;
        });
        console.error(`    [tls] no client certificate: failed in ${Date.now() - started} ms`);
    });

    it("plain HTTP to the HTTPS-only agent fails clearly", async () => {
        await assert.rejects(get({ address: address.replace("https://", "http://") }), (err: ConsulApiError) => {
            assert.ok(err instanceof ConsulApiError);
            assert.match(err.message, /failed: (400|.*socket|.*closed)/i);
            return true;
        });
    });
});
