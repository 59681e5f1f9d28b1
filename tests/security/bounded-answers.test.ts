// Finding (low): answers were unbounded. A 150 MB body was buffered whole, a 30 MB error body became
// a 31-million-character error, 100,000-deep nesting threw "RangeError: Maximum call stack size
// exceeded" in getCaConfiguration and ConfigEntry refresh, and config-entry reads threw a raw
// ZodError that named no endpoint. Now the body is capped (32 MiB by default,
// CONSUL_MESH_MAX_ANSWER_BYTES to change it), error bodies are read only as far as a message needs
// and the message is cut, nesting is checked before any recursive code sees the answer, and every
// unusable answer is a ConsulApiError (an AnswerShapeError) naming the method, path and address. A
// hostile server on loopback gives the answers; each is bounded in size, and the test never waits
// on a clock.
import { strict as assert } from "node:assert";
import * as http from "node:http";
import { AnswerShapeError, DEFAULT_MAX_ANSWER_BYTES, MAX_ANSWER_ENV, MAX_MESSAGE_CHARS } from "../../provider/consul/client";
import { ConsulApiError } from "../../provider/consul/errors";
import { readConfigEntry, listConfigEntries } from "../../provider/engine/config-entry";
import { readCaConfiguration } from "../../provider/functions/ca";
import { configEntryProvider } from "../../provider/resources/config-entry";
import { exportedServicesProvider } from "../../provider/resources/exported-services";
import { serviceIntentionsProvider } from "../../provider/resources/service-intentions";
import { ProbeProvider, withEnv } from "../support/probe-provider";

/** What the hostile server does for a path. */
type Behaviour = (res: http.ServerResponse) => void;

/** Writes `total` bytes of `fill` in 64 KiB chunks, respecting backpressure; records whether all were written. */
function stream(res: http.ServerResponse, status: number, total: number, head = "", fill = "x", contentLength?: number): void {
    const headers: http.OutgoingHttpHeaders = { "content-type": "application/json" };
    if (contentLength !== undefined) headers["content-length"] = contentLength;
    res.writeHead(status, headers);
    const chunk = Buffer.from(fill.repeat(64 * 1024));
    let sent = 0;
    res.write(head);
    const pump = () => {
        while (sent < total) {
            sent += chunk.length;
            if (!res.write(chunk)) {
                res.once("drain", pump);
                return;
            }
        }
        res.end();
        progress.completed++;
    };
    res.on("close", () => progress.closed++);
    pump();
}

const progress = { completed: 0, closed: 0 };

const DEEP = 100_000;
const deepArray = "[".repeat(DEEP) + "]".repeat(DEEP);

const behaviours: Record<string, Behaviour> = {
    // 150 MB declared (the client refuses before reading); the server then sends only a little.
    "/v1/connect/ca/configuration?declared": (res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": 150 * 1024 * 1024 });
        res.write('{"Provider":"consul","Config":{"x":"');
        res.on("close", () => progress.closed++);
    },
    // 64 MB without a declared length, against a limit of 1 MiB.
    "/v1/connect/ca/configuration?chunked": (res) => stream(res, 200, 64 * 1024 * 1024, '{"Provider":"consul","Config":{"x":"'),
    // A 30 MB error body.
    "/v1/connect/ca/configuration?error": (res) => stream(res, 400, 30 * 1024 * 1024, "Bad request: "),
    "/v1/connect/ca/configuration?deep": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"Provider":"consul","Config":{"Nested":${deepArray}}}`);
    },
    "/v1/config/service-router/deep": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"Kind":"service-router","Name":"deep","Routes":${deepArray}}`);
    },
    "/v1/config/service-router/malformed": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"Kind":5,"Name":["not","a","name"],"Meta":"b1946ac9-secret"}`);
    },
    "/v1/config/service-intentions/db": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"Kind":"service-intentions","Name":"db","Sources":"b1946ac9-secret"}`);
    },
    "/v1/config/exported-services/default": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"Kind":"exported-services","Name":"default","Services":[{"Name":7}]}`);
    },
    "/v1/config/service-router": (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`[{"Kind":"service-router","Name":"ok"},{"Kind":"service-router"}]`);
    },
};

describe("security: every answer from Consul is bounded, and an unusable one is a ConsulApiError naming the endpoint", function () {
    this.timeout(60_000);
    let server: http.Server;
    let address: string;

    before(async () => {
        server = http.createServer((req, res) => {
            req.resume();
            const url = req.url ?? "";
            const [path, query] = url.split("?");
            const picked = query
                ?.split("&")
                .find((q) => !q.startsWith("dc="))
                ?.split("=")[0];
            const key = picked ? `${path}?${picked}` : path;
            const behaviour = behaviours[key] ?? behaviours[path];
            if (behaviour) behaviour(res);
            else {
                res.writeHead(404);
                res.end("not found");
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const bound = server.address();
        if (bound === null || typeof bound === "string") throw new Error("no TCP address");
        address = `http://127.0.0.1:${bound.port}`;
    });
    after(() => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const client = () => new ProbeProvider().clientFor({ address });

    function endpointError(method: string, path: string, problem: RegExp) {
        return (err: unknown) => {
            assert.ok(err instanceof ConsulApiError, `a ConsulApiError, not ${String(err)}`);
            assert.equal(err.method, method);
            assert.ok(err.path.startsWith(path), `the path (${err.path}) is named`);
            assert.match(err.message, new RegExp(`^Consul ${method} ${path.replace(/[?]/g, "\\?")}\\S* at http://127\\.0\\.0\\.1:\\d+ `));
            assert.match(err.message, problem);
            assert.ok(err.message.length < MAX_MESSAGE_CHARS + 500, `a short message (${err.message.length} characters)`);
            return true;
        };
    }

    it("has a generous documented default limit", () => {
        assert.equal(DEFAULT_MAX_ANSWER_BYTES, 32 * 1024 * 1024);
    });

    it("a declared 150 MB body is refused before it is read", async () => {
        await assert.rejects(
            readCaConfigurationAt("declared"),
            endpointError(
                "GET",
                "/v1/connect/ca/configuration",
                /a body larger than 33554432 bytes, the limit \(set CONSUL_MESH_MAX_ANSWER_BYTES/,
            ),
        );
    });

    it("an undeclared body over the limit stops being read at the limit", async () => {
        const completedBefore = progress.completed;
        await withEnv({ [MAX_ANSWER_ENV]: String(1024 * 1024) }, () =>
            assert.rejects(
                readCaConfigurationAt("chunked"),
                endpointError("GET", "/v1/connect/ca/configuration", /a body larger than 1048576 bytes/),
            ),
        );
        assert.equal(progress.completed, completedBefore, "the 64 MB body was not read to its end");
    });

    it("a 30 MB error body becomes a short message", async () => {
        const completedBefore = progress.completed;
        await assert.rejects(readCaConfigurationAt("error"), (err: unknown) => {
            assert.ok(err instanceof ConsulApiError);
            assert.equal(err.statusCode, 400);
            assert.match(
                err.message,
                /^Consul GET \/v1\/connect\/ca\/configuration\?error= at http:\/\/127\.0\.0\.1:\d+ failed: 400 Bad request: x+\.\.\. \(\d+ more characters not shown\)$/,
            );
            assert.ok(err.message.length < MAX_MESSAGE_CHARS + 200, `a short message (${err.message.length} characters)`);
            return true;
        });
        assert.equal(progress.completed, completedBefore, "the 30 MB error body was not read to its end");
    });

    it("getCaConfiguration: 100,000-deep nesting is a clear error, not a RangeError", async () => {
        await assert.rejects(
            readCaConfigurationAt("deep"),
            endpointError("GET", "/v1/connect/ca/configuration", /JSON nested deeper than 256 levels/),
        );
    });

    it("ConfigEntry refresh: 100,000-deep nesting is a clear error, not a RangeError", async () => {
        await assert.rejects(
            configEntryProvider.read("deep", { kind: "service-router", name: "deep", entry: {}, connection: { address } }),
            endpointError("GET", "/v1/config/service-router/deep", /JSON nested deeper than 256 levels/),
        );
    });

    it("a malformed config entry is an AnswerShapeError naming the endpoint and fields, not a raw ZodError", async () => {
        await assert.rejects(readConfigEntry(client(), { kind: "service-router", name: "malformed" }), (err: unknown) => {
            assert.ok(err instanceof AnswerShapeError, `an AnswerShapeError, not ${String(err)}`);
            assert.ok(err instanceof ConsulApiError, "which is a ConsulApiError");
            assert.match(
                err.message,
                /^Consul GET \/v1\/config\/service-router\/malformed at http:\/\/127\.0\.0\.1:\d+ answered in an unexpected shape \(Kind: .*Name: /,
            );
            assert.ok(!err.message.includes("b1946ac9-secret"), "no value of the answer in the message");
            return true;
        });
        await assert.rejects(
            listConfigEntries(client(), "service-router"),
            endpointError("GET", "/v1/config/service-router", /answered in an unexpected shape \(Name: /),
        );
    });

    it("a typed kind's malformed fields name the entry's endpoint too (ServiceIntentions, ExportedServices)", async () => {
        await assert.rejects(
            serviceIntentionsProvider.read("db", {
                destination: "db",
                sources: [{ name: "web", action: "allow" }],
                connection: { address },
            }),
            endpointError("GET", "/v1/config/service-intentions/db", /answered in an unexpected shape \(Sources: /),
        );
        await assert.rejects(
            exportedServicesProvider.read("default", {
                services: [{ name: "web", consumers: [{ peer: "dc2" }] }],
                connection: { address },
            }),
            endpointError("GET", "/v1/config/exported-services/default", /answered in an unexpected shape \(0\.Name: /),
        );
    });

    /** getCaConfiguration's reading, with a query that picks the hostile server's behaviour. */
    async function readCaConfigurationAt(behaviour: string) {
        const c = client();
        const original = c.get.bind(c);
        // The function's own path, with the behaviour selected by a query parameter.
        c.get = (path, schema, opts) => original(path, schema, { ...opts, query: { ...(opts?.query ?? {}), [behaviour]: "" } });
        return readCaConfiguration(c);
    }
});
