import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import {
    clusterTarget,
    connectionDiff,
    connectionSchema,
    connectionTarget,
    normalizeAddress,
    resolveConnection,
} from "../../provider/consul/connection";
import { UNKNOWN, validate } from "../../provider/model/validation";

const noConfig = () => undefined;

describe("connection resolution", () => {
    it('sends a stack-config or environment token only to the address it belongs to; token "" is anonymous', () => {
        const config = (k: string) => ({ address: "http://dc1:8500", token: "stack-token" })[k];
        const env = { CONSUL_HTTP_ADDR: "http://envdc:8500", CONSUL_HTTP_TOKEN: "env-token" };
        assert.equal(resolveConnection({}, config, env).token, "stack-token");
        assert.equal(
            resolveConnection({ address: "HTTP://dc1:8500/" }, config, env).token,
            "stack-token",
            "the same cluster, spelt otherwise",
        );
        assert.equal(
            resolveConnection({ address: "http://dc2:9500" }, config, env).token,
            undefined,
            "another cluster gets no stack token",
        );
        assert.equal(resolveConnection({ address: "http://envdc:8500" }, config, env).token, "env-token");
        assert.equal(resolveConnection({ address: "http://dc2:9500" }, () => undefined, env).token, undefined, "nor the environment's");
        // No stack address: the stack token goes with the environment's address (or the default).
        const tokenOnly = (k: string) => ({ token: "stack-token" })[k];
        assert.equal(resolveConnection({}, tokenOnly, env).token, "stack-token");
        assert.equal(resolveConnection({}, tokenOnly, {}).token, "stack-token");
        assert.equal(resolveConnection({ address: "127.0.0.1:8500" }, tokenOnly, {}).token, "stack-token");
        assert.equal(resolveConnection({ token: "" }, config, env).token, undefined, 'token: "" means anonymous');
        assert.equal(resolveConnection({ address: "http://dc2:9500", token: "own" }, config, env).token, "own");
    });

    it("refuses an empty token file, credentials or a path in the address, and an X-Consul-Token header", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cm-conn-"));
        const empty = path.join(dir, "empty");
        fs.writeFileSync(empty, "\n");
        assert.throws(() => resolveConnection({ tokenFile: empty }, noConfig, {}), /tokenFile names an empty file/);
        assert.throws(
            () => resolveConnection({}, noConfig, { CONSUL_HTTP_TOKEN_FILE: empty }),
            /CONSUL_HTTP_TOKEN_FILE names an empty file/,
        );
        assert.throws(
            () => resolveConnection({ address: "http://admin:hunter22@h:8500" }, noConfig, {}),
            (err: Error) => err.message.includes("must not carry user:password@") && !err.message.includes("hunter22"),
        );
        assert.throws(() => resolveConnection({ address: "http://h:8500/v1/kv" }, noConfig, {}), /must not carry a path/);
        assert.throws(() => resolveConnection({ address: "http://h:8500?x=1" }, noConfig, {}), /must not carry a query or fragment/);
        assert.throws(() => resolveConnection({ headers: { "x-CONSUL-token": "t" } }, noConfig, {}), /must not set X-Consul-Token/);
        assert.throws(
            () => resolveConnection({}, (k) => (k === "headers" ? '{"X-Consul-Token":"t"}' : undefined), {}),
            /must not set X-Consul-Token/,
        );
        assert.deepEqual(
            validate(z.object({ connection: connectionSchema() }), { connection: { headers: { "X-Consul-Token": "t" } } }).failures.map(
                (f) => f.property,
            ),
            ["connection.headers"],
        );
    });

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
        // The environment's token belongs to the environment's address, not to input:8501.
        assert.equal(fromInput.token, undefined);
        assert.equal(resolveConnection({ address: "env:8500" }, config, env).token, "env-token");
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
        assert.throws(
            () => resolveConnection({ caCert: path.join(dir, "missing.pem") }, noConfig, {}),
            (err: Error) => {
                assert.equal(err.message, "caCert is neither PEM text nor a readable file (ENOENT)");
                return true;
            },
        );
    });

    it("names the field, never the value, when a key, certificate or token file cannot be read (the value may be a secret)", () => {
        const notPem = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-pem-key-but-secret";
        for (const [field, input] of [
            ["clientKey", { clientKey: notPem, clientCert: notPem }],
            ["caCert", { caCert: notPem }],
            ["tokenFile", { tokenFile: notPem }],
        ] as const) {
            assert.throws(
                () => resolveConnection(input, noConfig, {}),
                (err: Error) => {
                    assert.match(
                        err.message,
                        new RegExp(`^(clientCert|${field}) is neither PEM text nor a readable file|^tokenFile is not a readable file`),
                    );
                    assert.ok(!err.message.includes(notPem), `${field}: the value is not in the message`);
                    assert.equal(err.cause, undefined, "no cause that would quote it");
                    return true;
                },
            );
        }
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

// Issue 15, defect 1: equivalent spellings of one address must not replace anything.
describe("address normalisation (identity of a cluster)", () => {
    const spellings = [
        "127.0.0.1:8500",
        "http://127.0.0.1:8500",
        "HTTP://127.0.0.1:8500",
        "http://127.0.0.1:8500/",
        "Http://127.0.0.1:8500//",
        " http://127.0.0.1:8500 ",
    ];

    it("gives every spelling of one address the same normal form", () => {
        for (const s of spellings) assert.equal(normalizeAddress(s, undefined), "http://127.0.0.1:8500", s);
        assert.equal(normalizeAddress("CONSUL.Example.COM:8501", true), "https://consul.example.com:8501");
        assert.equal(normalizeAddress("https://consul.example.com:443/", false), "https://consul.example.com");
        assert.equal(normalizeAddress("http://consul.example.com:80", false), "http://consul.example.com");
        assert.throws(() => normalizeAddress("https://h:8501/consul/", false), /must not carry a path \("\/consul\/"\)/);
    });

    it("keeps different endpoints apart: port, scheme and host", () => {
        const forms = ["http://h:8500", "http://h:9500", "https://h:8500", "http://g:8500", "h"].map((a) => normalizeAddress(a, false));
        assert.equal(new Set(forms).size, forms.length);
        // A bare host means port 80, as in Consul's own client: not the same as host:8500.
        assert.equal(normalizeAddress("h", false), "http://h");
        assert.notEqual(normalizeAddress("h", false), normalizeAddress("h:8500", false));
    });

    it("compares connection targets by normal form, server lists as sets", () => {
        for (const s of spellings) assert.equal(connectionTarget({ address: s }), connectionTarget({ address: "127.0.0.1:8500" }), s);
        assert.equal(
            connectionTarget({ address: "B:8500, http://a:8500/" }),
            connectionTarget({ address: "http://a:8500,HTTP://b:8500,a:8500" }),
        );
        assert.notEqual(connectionTarget({ address: "127.0.0.1:8500" }), connectionTarget({ address: "127.0.0.1:9500" }));
        assert.notEqual(connectionTarget({ address: "h", datacenter: "dc1" }), connectionTarget({ address: "h", datacenter: "dc2" }));
    });

    it("resolves the cluster target like a request (input, stack config, env, default) without credentials", () => {
        const none = () => undefined;
        assert.equal(clusterTarget(undefined, none, {}), "http://127.0.0.1:8500");
        assert.equal(clusterTarget({ address: "127.0.0.1:8500" }, none, {}), clusterTarget(undefined, none, {}));
        assert.equal(
            clusterTarget({}, (k) => (k === "address" ? "HTTP://c:1/" : undefined), {}),
            "http://c:1",
        );
        assert.equal(clusterTarget({}, none, { CONSUL_HTTP_ADDR: "e:8501", CONSUL_HTTP_SSL: "true" }), "https://e:8501");
        assert.equal(clusterTarget({ address: "http://user:pw@h:1", datacenter: "dc2", token: "t" }, none, {}), "http://h:1?dc=dc2");
        assert.equal(clusterTarget(UNKNOWN, none, {}), UNKNOWN);
        assert.equal(clusterTarget({ address: UNKNOWN }, none, {}), UNKNOWN);
        assert.equal(
            clusterTarget({ address: "h:1", token: UNKNOWN }, none, {}),
            "http://h:1",
            "an unknown token does not hide the cluster",
        );
    });

    it("diffs a respelled address as no change, a reordered list or new credentials as an update, another cluster as a replacement", () => {
        const none = () => undefined;
        const olds = { connection: { address: "127.0.0.1:8500" }, cluster: "http://127.0.0.1:8500" };
        // Issue 31, item 11: a respelling previewed as an update made the outputs of the resource (a
        // PeeringToken's token) unknown in the preview, and the Peering fed by them a false "replace".
        for (const s of spellings.slice(1)) {
            assert.deepEqual(connectionDiff(olds, { connection: { address: s } }, none, {}), { replaces: [], changes: [] }, s);
        }
        assert.deepEqual(connectionDiff(olds, { connection: { address: "127.0.0.1:8500", token: "t" } }, none, {}), {
            replaces: [],
            changes: ["connection"],
        });
        const list = { connection: { address: "127.0.0.1:8500,127.0.0.1:8501" }, cluster: "http://127.0.0.1:8500,http://127.0.0.1:8501" };
        assert.deepEqual(connectionDiff(list, { connection: { address: "HTTP://127.0.0.1:8500/, 127.0.0.1:8501" } }, none, {}), {
            replaces: [],
            changes: [],
        });
        assert.deepEqual(connectionDiff(list, { connection: { address: "127.0.0.1:8501,127.0.0.1:8500" } }, none, {}), {
            replaces: [],
            changes: ["connection"],
        });
        assert.deepEqual(connectionDiff(olds, { connection: olds.connection }, none, {}), { replaces: [], changes: [] });
        assert.deepEqual(connectionDiff(olds, { connection: { address: "127.0.0.1:9500" } }, none, {}), {
            replaces: ["cluster"],
            changes: [],
        });
        // State written before `cluster` existed: the old target is resolved from its connection.
        assert.deepEqual(connectionDiff({ connection: olds.connection }, { connection: { address: "HTTP://127.0.0.1:8500/" } }, none, {}), {
            replaces: [],
            changes: [],
        });
        // The stack config moved an address-less resource to another cluster: that is a replacement.
        const moved = (k: string) => (k === "address" ? "127.0.0.1:9500" : undefined);
        assert.deepEqual(connectionDiff({ cluster: "http://127.0.0.1:8500" }, {}, moved, {}).replaces, ["cluster"]);
    });
});
