// Finding (medium): getCaConfiguration (and everything else that keeps credentials apart by key
// name) knew `PrivateKey` and `AuthMethod` only in CamelCase. Consul decodes provider config keys
// case- and underscore-insensitively and returns them as written, so a key set as `private_key`
// came back in the non-secret `config` output. One shared rule now folds case, `_` and `-`. A
// loopback server plays Consul 1.16's answer.
import { strict as assert } from "node:assert";
import { readCaConfiguration } from "../../provider/functions/ca";
import { foldKey, isCaCredentialKey, isCredentialKey, maskCredentials, UNDECLARED_CREDENTIAL } from "../../provider/model/credentials";
import { startRecordingServer, type RecordingServer } from "../support/recording-server";
import { ProbeProvider } from "../support/probe-provider";

const PRIVATE_KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB4b1946ac9snakecasekey\n-----END EC PRIVATE KEY-----\n";
const SECRET_ID = "5e3c1f0a-vault-secret-id";

describe("security: credential keys are recognised in every spelling Consul accepts", () => {
    let server: RecordingServer;
    before(async () => {
        server = await startRecordingServer(() => ({
            status: 200,
            contentType: "application/json",
            body: JSON.stringify({
                Provider: "consul",
                Config: {
                    leaf_cert_ttl: "72h",
                    private_key: PRIVATE_KEY,
                    private_key_type: "ec",
                    auth_method: { type: "approle", params: { role_id: "r", secret_id: SECRET_ID } },
                    "Client-Key": "a-client-key-value",
                },
            }),
        }));
    });
    after(() => server.close());

    it("getCaConfiguration keeps snake_case private_key and auth_method out of config", async () => {
        const info = await readCaConfiguration(new ProbeProvider().clientFor({ address: server.address }));
        assert.deepEqual(info.credentialKeys, ["Client-Key", "auth_method", "private_key"]);
        assert.deepEqual(Object.keys(info.config).sort(), ["leaf_cert_ttl", "private_key_type"]);
        const plain = JSON.stringify(info.config);
        assert.ok(!plain.includes("PRIVATE KEY") && !plain.includes(SECRET_ID), "no credential in the non-secret config");
    });

    it("one rule: case, underscores and dashes do not matter; settings named after keys are not credentials", () => {
        assert.equal(foldKey("Private_Key"), foldKey("privateKey"));
        for (const key of [
            "PrivateKey",
            "private_key",
            "PRIVATEKEY",
            "Private-Key",
            "Token",
            "vault_token",
            "ServiceAccountJWT",
            "service_account_jwt",
            "JWKS",
            "secret_id",
        ]) {
            assert.equal(isCredentialKey(key), true, key);
        }
        for (const key of ["AuthMethod", "auth_method", "authmethod"]) assert.equal(isCaCredentialKey(key), true, key);
        for (const key of [
            "PrivateKeyType",
            "private_key_bits",
            "TokenLocality",
            "max_token_ttl",
            "JWT",
            "jwksUrl",
            "RootCert",
            "KeyFile",
        ]) {
            assert.equal(isCredentialKey(key), false, key);
        }
    });

    it("a credential read from Consul is copied only where it is the declared one", () => {
        const read = { host: "h", service_account_jwt: "eyJread", nested: [{ PrivateKey: "declared" }, { PrivateKey: "other" }] };
        const declared = { host: "x", serviceAccountJwt: "eyJmine", nested: [{ privateKey: "declared" }] };
        assert.deepEqual(maskCredentials(read, declared), {
            host: "h",
            service_account_jwt: UNDECLARED_CREDENTIAL,
            nested: [{ PrivateKey: "declared" }, { PrivateKey: UNDECLARED_CREDENTIAL }],
        });
    });
});
