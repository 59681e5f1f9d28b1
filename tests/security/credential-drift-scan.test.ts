// Security scan, issue 31 item 3: for every kind that can hold a credential-named field, the object
// is changed behind Pulumi's back to a variant carrying known credentials (a jwt auth method
// replaced by a kubernetes one with a service-account JWT; an inline key set holding a private key;
// a CA private key set as `private_key`; another private key in an inline certificate; a token in
// the proxy config; secrets in the meta of service-defaults, a resolver, service-intentions, the
// mesh and exported-services), then
// `pulumi refresh` and `pulumi preview --refresh --diff` run at the default verbosity. None of the
// planted credentials, and none of the program's own secrets, may appear in plaintext in
// `pulumi stack export`, in any file of the backend (checkpoint, backups, history) or in anything the
// CLI printed, through destroy. One program and one stack hold every kind, to keep the run short.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toolsDir } from "../../scripts/lib/clusters";
import { UNDECLARED_CREDENTIAL } from "../../provider/model/credentials";
import { DC3, freshAclCluster, stopAclCluster } from "../support/acl";
import { consul } from "../support/consul";
import { PulumiProgram } from "../support/pulumi";

/** A CA certificate and its key from `consul tls ca create` (Consul checks an inline certificate's pair). */
function certificatePair(): { cert: string; key: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-scan-ca-"));
    try {
        execFileSync(path.join(toolsDir(), "consul"), ["tls", "ca", "create", "-days", "1"], { cwd: dir, stdio: "ignore" });
        return {
            cert: fs.readFileSync(path.join(dir, "consul-agent-ca.pem"), "utf8"),
            key: fs.readFileSync(path.join(dir, "consul-agent-ca-key.pem"), "utf8"),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function keySet(key: crypto.KeyObject): string {
    return Buffer.from(JSON.stringify({ keys: [{ ...key.export({ format: "jwk" }), kid: "scan", alg: "ES256", use: "sig" }] })).toString(
        "base64",
    );
}

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));
}

describe("security scan: credentials changed into every kind behind Pulumi's back stay out of plaintext after refresh", function () {
    this.timeout(600_000);
    let program: PulumiProgram | undefined;

    after(async () => {
        program?.cleanup();
        await stopAclCluster();
    });

    it("refresh and preview --refresh --diff copy none of them into state or output", async () => {
        await freshAclCluster();
        const token = (await consul<{ SecretID: string }>("PUT", `${DC3}/v1/acl/bootstrap`)).body.SecretID;
        const declaredPair = certificatePair();
        const plantedPair = certificatePair();
        const signing = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
        const planted = {
            serviceAccountJwt: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzY2FuIn0.${crypto.randomBytes(24).toString("base64url")}`,
            privateKeySet: keySet(crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey),
            caKey: crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString(),
            certificateKey: plantedPair.key,
            proxyToken: `proxy-token-${crypto.randomUUID()}`,
            defaultsSecret: `defaults-secret-${crypto.randomUUID()}`,
            resolverPassword: `resolver-password-${crypto.randomUUID()}`,
            intentionsToken: `intentions-token-${crypto.randomUUID()}`,
            meshSecret: `mesh-client-secret-${crypto.randomUUID()}`,
            exportsToken: `exports-token-${crypto.randomUUID()}`,
        };

        program = new PulumiProgram("tests/security/programs/credential-drift", "scan");
        const printed: string[] = [];
        const run = async (args: string[]) => {
            const r = await program!.run(args);
            printed.push(`$ pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
            return r;
        };
        await program.init(
            {
                address: DC3,
                publicKey: signing.publicKey.export({ type: "spki", format: "pem" }).toString(),
                jwks: keySet(signing.publicKey),
                certificate: declaredPair.cert,
            },
            { token, certificateKey: declaredPair.key },
        );
        await run(["up", "--yes", "--skip-preview"]);

        // Behind Pulumi's back: every kind changed to a variant carrying known credentials.
        const put = async (url: string, body: unknown, method = "PUT") => {
            const res = await consul(method, `${DC3}${url}`, body, token);
            assert.equal(res.status, 200, `${method} ${url}: ${JSON.stringify(res.body)}`);
        };
        const entry = async (kind: string, name: string) =>
            (await consul<Record<string, unknown>>("GET", `${DC3}/v1/config/${kind}/${name}`, undefined, token)).body;
        await put("/v1/acl/auth-method/login", undefined, "DELETE");
        await put("/v1/acl/auth-method", {
            Name: "login",
            Type: "kubernetes",
            Config: { Host: "https://127.0.0.1:6443", CACert: declaredPair.cert, ServiceAccountJWT: planted.serviceAccountJwt },
        });
        await put("/v1/config", { ...(await entry("jwt-provider", "idp")), JSONWebKeySet: { Local: { JWKS: planted.privateKeySet } } });
        await put("/v1/config", { Kind: "proxy-defaults", Name: "global", Config: { protocol: "http", api_token: planted.proxyToken } });
        const defaults = await entry("service-defaults", "web");
        await put("/v1/config", { ...defaults, Meta: { ...(defaults.Meta ?? {}), api_secret: planted.defaultsSecret } });
        const resolver = await entry("service-resolver", "api");
        await put("/v1/config", { ...resolver, Meta: { ...(resolver.Meta ?? {}), db_password: planted.resolverPassword } });
        const intentions = await entry("service-intentions", "db");
        await put("/v1/config", { ...intentions, Meta: { ...(intentions.Meta ?? {}), vault_token: planted.intentionsToken } });
        await put("/v1/config", {
            Kind: "inline-certificate",
            Name: "cert",
            Certificate: plantedPair.cert,
            PrivateKey: planted.certificateKey,
        });
        await put("/v1/connect/ca/configuration", { Provider: "consul", Config: { LeafCertTTL: "72h", private_key: planted.caKey } });

        await run(["refresh", "--yes", "--skip-preview"]);
        const preview = await run(["preview", "--refresh", "--diff"]);
        const exported = await program.exportState();
        await run(["destroy", "--yes", "--skip-preview"]);

        const stateDir = (program.env.PULUMI_BACKEND_URL ?? "").replace("file://", "");
        const files = filesUnder(stateDir);
        assert.ok(
            files.some((f) => f.includes(`${path.sep}history${path.sep}`)),
            "the backend keeps a history",
        );
        const places = [
            { what: "pulumi stack export", text: exported },
            ...files.map((f) => ({ what: path.relative(stateDir, f), text: fs.readFileSync(f, "utf8") })),
            ...printed.map((text) => ({ what: `CLI output: ${text.split("\n")[0]}`, text })),
        ];
        const secrets = { ...planted, token, declaredCertificateKey: declaredPair.key };
        const leaks = places.flatMap((p) =>
            Object.entries(secrets)
                .filter(([, s]) => p.text.includes(s) || p.text.includes(JSON.stringify(s).slice(1, -1)))
                .map(([name]) => `${p.what}: ${name}`),
        );
        console.error(`      [scan] ${Object.keys(secrets).length} secrets, ${places.length} places, ${leaks.length} leaks`);
        assert.deepEqual(leaks, []);
        assert.match(preview.stdout, /kubernetes/, "the preview shows the auth method's drift");
        assert.ok(
            preview.stdout.includes(UNDECLARED_CREDENTIAL),
            "credentials found in Consul show as the marker (so the refresh did read the variants)",
        );
    });
});
