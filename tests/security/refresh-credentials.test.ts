// Finding (high): AclAuthMethod refresh copied Consul's Kubernetes service-account JWT into the
// inputs (a jwt method replaced by hand with a kubernetes one of the same name), and inputs are
// stored in plaintext. Every kind that reads something credential-named back from Consul (an auth
// method's JWT, a key set, a CA private key in any spelling, a private key or token anywhere in a
// config entry or its meta) now copies it into the realigned inputs and non-secret outputs only
// where it is the program's own value; anything else stands as a fixed marker, so the drift still
// shows. Provider-level, against a loopback server playing Consul with the changed objects; the
// security scan (credential-drift-scan.test.ts) runs the same story through the Pulumi CLI.
import { strict as assert } from "node:assert";
import { aclAuthMethodProvider } from "../../provider/resources/acl-auth-method";
import { caConfigurationProvider, type CaConfigurationOutputs } from "../../provider/resources/ca-configuration";
import { configEntryProvider } from "../../provider/resources/config-entry";
import { jwtProviderProvider } from "../../provider/resources/jwt-provider";
import { proxyDefaultsProvider } from "../../provider/resources/proxy-defaults";
import { serviceDefaultsProvider } from "../../provider/resources/service-defaults";
import { UNDECLARED_CREDENTIAL } from "../../provider/model/credentials";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";

const K8S_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrdWJlIn0.planted-service-account-jwt";
const CA_KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIplantedcakeyfromconsul\n-----END EC PRIVATE KEY-----\n";
const CERT_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAplantedinlinecertkey\n-----END PRIVATE KEY-----\n";
const JWKS = Buffer.from('{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"planted-private-part"}]}').toString("base64");
const PROXY_TOKEN = "planted-proxy-config-token-4f1c";
const META_SECRET = "planted-meta-secret-9a2e";
const PLANTED = [K8S_JWT, CA_KEY, CERT_KEY, JWKS, PROXY_TOKEN, META_SECRET];

const held: Record<string, unknown> = {
    "/v1/acl/auth-method/login": {
        Name: "login",
        Type: "kubernetes",
        Config: {
            Host: "https://k8s:6443",
            CACert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
            ServiceAccountJWT: K8S_JWT,
        },
    },
    "/v1/connect/ca/configuration": {
        Provider: "consul",
        Config: { LeafCertTTL: "72h", private_key: CA_KEY },
        ForceWithoutCrossSigning: false,
    },
    "/v1/connect/ca/roots": {
        ActiveRootID: "r1",
        TrustDomain: "t.consul",
        Roots: [{ ID: "r1", Active: true, NotAfter: "2030-01-01T00:00:00Z", RootCert: "pem" }],
    },
    "/v1/config/inline-certificate/cert": {
        Kind: "inline-certificate",
        Name: "cert",
        Certificate: "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----",
        PrivateKey: CERT_KEY,
    },
    "/v1/config/jwt-provider/idp": {
        Kind: "jwt-provider",
        Name: "idp",
        Issuer: "https://idp",
        JSONWebKeySet: { Local: { JWKS } },
        ClockSkewSeconds: 30,
    },
    "/v1/config/proxy-defaults/global": { Kind: "proxy-defaults", Name: "global", Config: { protocol: "http", api_token: PROXY_TOKEN } },
    "/v1/config/service-defaults/web": {
        Kind: "service-defaults",
        Name: "web",
        Protocol: "http",
        Meta: { "managed-by": "consul-mesh", api_secret: META_SECRET },
    },
};

describe("security: refresh copies no credential read from Consul into inputs or plain outputs", () => {
    let server: RecordingServer;
    before(async () => {
        server = await startRecordingServer((req) => {
            const body = held[req.path.split("?")[0]];
            return body === undefined
                ? { status: 404, body: "not found" }
                : { status: 200, body: JSON.stringify(body), contentType: "application/json" };
        });
    });
    after(() => server.close());

    function clean(what: string, read: { props?: unknown; inputs?: unknown }, secretOutputs: string[] = []) {
        const inputs = JSON.stringify(read.inputs);
        const props = read.props !== null && typeof read.props === "object" ? Object.entries(read.props) : [];
        const plainOutputs = JSON.stringify(Object.fromEntries(props.filter(([k]) => !secretOutputs.includes(k))));
        for (const planted of PLANTED) {
            assert.ok(!inputs.includes(planted), `${what}: ${planted.slice(0, 16)}... is not in the inputs`);
            assert.ok(!plainOutputs.includes(planted), `${what}: ${planted.slice(0, 16)}... is not in a non-secret output`);
        }
        assert.ok(inputs.includes(UNDECLARED_CREDENTIAL), `${what}: the drift shows as the marker`);
    }

    it("AclAuthMethod: a jwt method replaced by a kubernetes one", async () => {
        const props = {
            name: "login",
            type: "jwt" as const,
            jwt: { jwksUrl: "https://idp/jwks" },
            connection: { address: server.address },
        };
        const read = await aclAuthMethodProvider.read("login", props);
        assert.equal(read.props?.type, "kubernetes", "the change is read");
        clean("AclAuthMethod", read);
    });

    it("AclAuthMethod: a kubernetes method whose JWT was changed by hand", async () => {
        const kubernetes = {
            host: "https://k8s:6443",
            caCert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
            serviceAccountJwt: "eyJmine",
        };
        const props = { name: "login", type: "kubernetes" as const, kubernetes, connection: { address: server.address } };
        const read = await aclAuthMethodProvider.read("login", props);
        clean("AclAuthMethod", read);
        const diff = await aclAuthMethodProvider.diff("login", read.props ?? props, props);
        assert.equal(diff.changes, true, "the drift is a change back to the program's JWT");
    });

    it("CaConfiguration: a private key Consul holds as private_key", async () => {
        const props: CaConfigurationOutputs = {
            config: { leafCertTtl: "72h", privateKey: "-----BEGIN EC PRIVATE KEY-----\nmine\n-----END EC PRIVATE KEY-----" },
            configKeys: ["leafCertTtl", "privateKey"],
            provider: "consul",
            rootRotation: "none",
            activeRootId: "r1",
            trustDomain: "t.consul",
            rootCertPem: "pem",
            roots: [],
            forceWithoutCrossSigning: false,
            connection: { address: server.address },
        };
        const read = await caConfigurationProvider.read("connect-ca", props);
        // `config` is a secret output when the program sets privateKey.
        clean("CaConfiguration", read, ["config"]);
    });

    it("ConfigEntry: an inline certificate whose private key was changed", async () => {
        const entry = { Certificate: "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----", PrivateKey: "mine" };
        const props = {
            kind: "inline-certificate",
            name: "cert",
            entry,
            lastWrite: { entry, held: entry },
            connection: { address: server.address },
        };
        clean("ConfigEntry", await configEntryProvider.read("cert", props), ["lastWrite"]);
    });

    it("JwtProvider: a remote key set replaced by an inline one", async () => {
        const props = {
            name: "idp",
            issuer: "https://idp",
            jsonWebKeySet: { remote: { uri: "https://idp/jwks" } },
            connection: { address: server.address },
        };
        clean("JwtProvider", await jwtProviderProvider.read("idp", props));
    });

    it("ProxyDefaults: a token added to the free-form config", async () => {
        const props = { config: { protocol: "http" }, connection: { address: server.address } };
        clean("ProxyDefaults", await proxyDefaultsProvider.read("global", props));
    });

    it("ServiceDefaults: a secret added to the entry's meta", async () => {
        const props = { name: "web", protocol: "http", connection: { address: server.address } };
        clean("ServiceDefaults", await serviceDefaultsProvider.read("web", props));
    });
});
