// A stand-in for Vault on loopback: just the PKI endpoints Consul's Vault CA provider calls when it
// becomes the primary's provider (token lookup, mounts, root and intermediate generation, signing
// the intermediate, the leaf role). Its certificates are made once with the openssl CLI: a root and
// an intermediate under it, both carrying the cluster's SPIFFE signing URI. It fakes Vault, never
// Consul: the tests use it to make a real Consul agent hold a Vault CA configuration (with a token).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

export interface FakeVault {
    address: string;
    /** Paths Consul asked for, in order (method and path). */
    requests: string[];
    close(): Promise<void>;
}

/** A root CA and an intermediate signed by it, for the trust domain `<cluster-id>.consul`. */
function makeCertificates(trustDomain: string): { root: string; intermediate: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-fake-vault-"));
    try {
        const file = (name: string) => path.join(dir, name);
        const san = `subjectAltName=URI:spiffe://${trustDomain}`;
        const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file("root.key"));
        openssl(
            "req", "-x509", "-new", "-key", file("root.key"), "-out", file("root.pem"), "-days", "30", "-subj", "/CN=fake vault root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "subjectKeyIdentifier=hash", "-addext", san,
        ); // prettier-ignore
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file("int.key"));
        openssl("req", "-new", "-key", file("int.key"), "-out", file("int.csr"), "-subj", "/CN=fake vault intermediate");
        fs.writeFileSync(
            file("int.ext"),
            [
                "basicConstraints=critical,CA:TRUE,pathlen:0",
                "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                "subjectKeyIdentifier=hash",
                "authorityKeyIdentifier=keyid",
                san,
            ].join("\n"),
        );
        openssl(
            "x509", "-req", "-in", file("int.csr"), "-CA", file("root.pem"), "-CAkey", file("root.key"), "-CAcreateserial",
            "-days", "20", "-out", file("int.pem"), "-extfile", file("int.ext"),
        ); // prettier-ignore
        return { root: fs.readFileSync(file("root.pem"), "utf8"), intermediate: fs.readFileSync(file("int.pem"), "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Starts the fake on 127.0.0.1 (a free port) for mounts named `rootPath` and `intermediatePath`. */
export async function startFakeVault(opts: { trustDomain: string; rootPath: string; intermediatePath: string }): Promise<FakeVault> {
    const certs = makeCertificates(opts.trustDomain);
    const mounted = new Set<string>();
    let intermediateSet = false;
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://vault");
            const p = url.pathname.replace(/^\/v1\//, "").replace(/\/+$/, "");
            requests.push(`${req.method} ${p}`);
            const json = (status: number, body?: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(body === undefined ? undefined : JSON.stringify(body));
            };
            const text = (body: string) => {
                res.writeHead(200, { "content-type": "application/pem-certificate-chain" });
                res.end(body);
            };
            const root = opts.rootPath;
            const int = opts.intermediatePath;
            if (p === "auth/token/lookup-self") return json(200, { data: { renewable: false, ttl: 0 } });
            if (p.startsWith("sys/mounts/")) {
                const mount = p.slice("sys/mounts/".length).replace(/\/tune$/, "");
                if (req.method === "DELETE") mounted.delete(mount);
                else mounted.add(mount);
                return json(204);
            }
            if (p === `${root}/ca/pem` || p === `${root}/cert/ca`) return mounted.has(root) ? text(certs.root) : json(404, { errors: [] });
            if (p === `${root}/ca_chain`) return text(certs.root);
            if (p === `${root}/root/generate/internal`) return json(200, { data: { certificate: certs.root } });
            if (p === `${root}/root/sign-intermediate`) return json(200, { data: { certificate: certs.intermediate } });
            if (p === `${int}/ca/pem`) {
                if (!mounted.has(int)) return json(404, { errors: [] });
                return text(intermediateSet ? certs.intermediate : "");
            }
            if (p === `${int}/ca_chain`) return text(intermediateSet ? `${certs.intermediate}${certs.root}` : "");
            if (p === `${int}/intermediate/generate/internal`) return json(200, { data: { csr: "-----BEGIN CERTIFICATE REQUEST-----" } });
            if (p === `${int}/intermediate/set-signed`) {
                intermediateSet = true;
                return json(204);
            }
            if (p === `${int}/roles/leaf-cert` || p === `${int}/config/auto-tidy`) return json(204);
            return json(404, { errors: [`fake vault: no route for ${p}`] });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("fake vault: no TCP address");
    return {
        address: `http://127.0.0.1:${bound.port}`,
        requests,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
