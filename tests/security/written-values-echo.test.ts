// Finding (low): secret values inside a ConfigEntry `entry`, a JwtProvider key set or ProxyDefaults
// config were echoed back in Consul's error text (a 400 that quotes the request body printed an
// inline private key three times; Consul quotes wrongly typed values Go-style, `map[k:...]`). Every
// string value a config-entry resource sends is now scrubbed from the error, in its raw, JSON-quoted
// and per-line forms, as tokens are. A loopback server answers each write with a 400 quoting the
// body it received, raw and decoded.
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as http from "node:http";
import { configEntryProvider } from "../../provider/resources/config-entry";
import { jwtProviderProvider } from "../../provider/resources/jwt-provider";
import { proxyDefaultsProvider } from "../../provider/resources/proxy-defaults";

const PRIVATE_KEY = crypto
    .generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
const PRIVATE_JWK = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
const JWKS = Buffer.from(JSON.stringify({ keys: [{ ...PRIVATE_JWK, kid: "k1" }] })).toString("base64");
const API_TOKEN = "c0ffee00-proxy-config-api-token";

/** Go's %v of a map: `map[k:v ...]`, values raw. */
function goMap(value: unknown): string {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        return `map[${Object.entries(value)
            .map(([k, v]) => `${k}:${goMap(v)}`)
            .join(" ")}]`;
    }
    if (Array.isArray(value)) return `[${value.map(goMap).join(" ")}]`;
    return String(value);
}

describe("security: values a config-entry resource writes are not echoed in errors", function () {
    this.timeout(30_000);
    let server: http.Server;
    let address: string;

    before(async () => {
        server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                if (req.method === "GET") {
                    res.writeHead(404);
                    res.end("Config entry not found");
                    return;
                }
                const body = Buffer.concat(chunks).toString("utf8");
                const decoded: unknown = JSON.parse(body);
                res.writeHead(400, { "content-type": "text/plain" });
                res.end(`Request decode failed: ${body}; got ${goMap(decoded)}; expected a string, got ${goMap(decoded)}`);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const bound = server.address();
        if (bound === null || typeof bound === "string") throw new Error("no TCP address");
        address = `http://127.0.0.1:${bound.port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    function noneOf(secrets: string[]) {
        return (err: unknown) => {
            assert.ok(err instanceof Error);
            const text = `${err.message}\n${String(err.stack)}\n${err.cause instanceof Error ? err.cause.message : ""}`;
            assert.match(text, /400 Request decode failed/, "Consul's error is still reported");
            for (const secret of secrets) {
                for (const form of [secret, JSON.stringify(secret).slice(1, -1), ...secret.split("\n").filter((l) => l.length >= 16)]) {
                    assert.ok(!text.includes(form), `no form of ${secret.slice(0, 16)}... in: ${err.message.slice(0, 300)}`);
                }
            }
            return true;
        };
    }

    it("ConfigEntry: an inline certificate's private key", async () => {
        const inputs = {
            kind: "inline-certificate",
            name: "cert",
            entry: { Certificate: "-----BEGIN CERTIFICATE-----\nnot-checked\n-----END CERTIFICATE-----", PrivateKey: PRIVATE_KEY },
            connection: { address },
        };
        await assert.rejects(configEntryProvider.create(inputs), noneOf([PRIVATE_KEY]));
    });

    it("JwtProvider: an inline key set", async () => {
        const inputs = { name: "idp", issuer: "https://idp.example", jsonWebKeySet: { local: { jwks: JWKS } }, connection: { address } };
        await assert.rejects(jwtProviderProvider.create(inputs), noneOf([JWKS]));
    });

    it("ProxyDefaults: a token in the free-form config", async () => {
        const inputs = { config: { protocol: "http", api_token: API_TOKEN }, connection: { address } };
        await assert.rejects(proxyDefaultsProvider.create(inputs), noneOf([API_TOKEN]));
    });
});
