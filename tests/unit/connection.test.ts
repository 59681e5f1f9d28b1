import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectionTarget, normalizeAddress, resolveConnection } from "../../provider/connection";

const noConfig = () => undefined;

describe("connection resolution", () => {
    it("defaults to http://127.0.0.1:8500 with no token", () => {
        const c = resolveConnection(undefined, noConfig, {});
        assert.equal(c.baseUrl, "http://127.0.0.1:8500");
        assert.equal(c.token, undefined);
        assert.equal(c.tls.rejectUnauthorized, true);
        assert.equal(c.timeoutMs, 30_000);
    });

    it("takes each field from input, then stack config, then Consul's env vars", () => {
        const config = (k: string) => ({ address: "cfg:8500", datacenter: "dc-cfg" })[k];
        const env = { CONSUL_HTTP_ADDR: "env:8500", CONSUL_HTTP_TOKEN: "env-token" };
        const fromInput = resolveConnection({ address: "https://input:8501" }, config, env);
        assert.equal(fromInput.baseUrl, "https://input:8501");
        assert.equal(fromInput.datacenter, "dc-cfg");
        assert.equal(fromInput.token, "env-token");
        const fromConfig = resolveConnection({}, config, env);
        assert.equal(fromConfig.baseUrl, "http://cfg:8500");
        const fromEnv = resolveConnection({}, noConfig, env);
        assert.equal(fromEnv.baseUrl, "http://env:8500");
    });

    it("prefers a token file over a token at the same level, and input over env", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cm-conn-"));
        const file = path.join(dir, "token");
        fs.writeFileSync(file, "file-token\n");
        const env = { CONSUL_HTTP_TOKEN: "env-token", CONSUL_HTTP_TOKEN_FILE: file };
        assert.equal(resolveConnection({}, noConfig, env).token, "file-token");
        assert.equal(resolveConnection({ token: "input-token" }, noConfig, env).token, "input-token");
        assert.equal(resolveConnection({ token: "t", tokenFile: file }, noConfig, {}).token, "file-token");
    });

    it("honours CONSUL_HTTP_SSL and CONSUL_HTTP_SSL_VERIFY", () => {
        const c = resolveConnection({}, noConfig, {
            CONSUL_HTTP_ADDR: "consul:8501",
            CONSUL_HTTP_SSL: "true",
            CONSUL_HTTP_SSL_VERIFY: "false",
        });
        assert.equal(c.baseUrl, "https://consul:8501");
        assert.equal(c.tls.rejectUnauthorized, false);
        // An explicit input wins over the env var.
        assert.equal(
            resolveConnection({ insecureSkipVerify: false }, noConfig, { CONSUL_HTTP_SSL_VERIFY: "false" }).tls.rejectUnauthorized,
            true,
        );
    });

    it("reads certificates from PEM text or from files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cm-conn-"));
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        fs.writeFileSync(path.join(dir, "ca.pem"), pem);
        assert.equal(resolveConnection({ caCert: pem }, noConfig, {}).tls.ca, pem);
        assert.equal(resolveConnection({}, noConfig, { CONSUL_CACERT: path.join(dir, "ca.pem") }).tls.ca, pem);
        assert.equal(resolveConnection({ caPath: dir }, noConfig, {}).tls.ca, pem);
        assert.throws(() => resolveConnection({ caCert: path.join(dir, "missing.pem") }, noConfig, {}), /cannot read caCert file/);
    });

    it("rejects unix sockets and unknown schemes with the address in the message", () => {
        assert.throws(() => normalizeAddress("unix:///var/run/consul.sock", false), /unix sockets are not supported/);
        assert.throws(() => normalizeAddress("ftp://x:1", false), /scheme must be http or https/);
        assert.equal(normalizeAddress("http://h:1/", false), "http://h:1");
    });

    it("never puts the token in its errors", () => {
        try {
            resolveConnection({ token: "s3cr3t-token", timeoutMs: -5 }, noConfig, {});
            assert.fail("expected an error");
        } catch (err) {
            assert.doesNotMatch((err as Error).message, /s3cr3t/);
        }
    });

    it("accepts a comma-separated list of server addresses, the first tried first", () => {
        const c = resolveConnection({ address: "127.0.0.1:8500, http://127.0.0.1:8510/,127.0.0.1:8500" }, noConfig, {});
        assert.deepEqual(c.baseUrls, ["http://127.0.0.1:8500", "http://127.0.0.1:8510"]);
        assert.equal(c.baseUrl, "http://127.0.0.1:8500");
        const fromEnv = resolveConnection({}, noConfig, { CONSUL_HTTP_ADDR: "a:8501,b:8501", CONSUL_HTTP_SSL: "true" });
        assert.deepEqual(fromEnv.baseUrls, ["https://a:8501", "https://b:8501"]);
        assert.throws(() => resolveConnection({ address: " , " }, noConfig, {}), /names no server/);
        assert.throws(() => resolveConnection({ address: "http://a:1,ftp://b:2" }, noConfig, {}), /scheme must be http or https/);
    });

    it("compares server lists as sets for identity, single addresses as before", () => {
        assert.equal(connectionTarget({ address: "http://a:1,http://b:1" }), connectionTarget({ address: "http://b:1, http://a:1/" }));
        assert.notEqual(connectionTarget({ address: "http://a:1,http://b:1" }), connectionTarget({ address: "http://a:1" }));
        assert.equal(connectionTarget({ address: "http://a:1/" }), "http://a:1|");
    });
});
