import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Every value can be changed with `pulumi config set` (the end-to-end test does exactly that).
const config = new pulumi.Config();
// Where Consul is. Unset fields fall back to the stack config `consul-mesh:*`, then to Consul's env
// vars (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, ...), then to http://127.0.0.1:8500.
const connection = { address: config.get("address"), token: config.getSecret("token") };

const ca = new mesh.CaConfiguration("connect-ca", {
    config: {
        // Durations are compared by value: "24h", "24h0m0s" and "1440m" are the same setting.
        leafCertTtl: config.get("leafCertTtl") ?? "72h",
        intermediateCertTtl: config.get("intermediateCertTtl") ?? "8760h",
        rootCertTtl: config.get("rootCertTtl"),
        // Changing the key type or size rotates the root CA (the preview says so in `rootRotation`).
        privateKeyType: config.get<"ec" | "rsa">("privateKeyType") ?? "ec",
        privateKeyBits: config.getNumber("privateKeyBits") ?? 256,
        // Bring your own root: `pulumi config set --secret privateKey < root.key` (from standard input: no key in argv).
        privateKey: config.getSecret("privateKey"),
        rootCert: config.get("rootCert"),
    },
    // For the check tests: anything but consul/vault/aws-pca is rejected at preview.
    provider: config.get<"consul">("provider"),
    connection,
});

export const activeRootId = ca.activeRootId;
export const trustDomain = ca.trustDomain;
export const rootCertPem = ca.rootCertPem;
export const roots = ca.roots;
export const rootRotation = ca.rootRotation;
export const leafCertTtl = ca.config.apply((c) => c?.leafCertTtl);
