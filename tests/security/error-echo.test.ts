// Finding (medium): a clientKey, caCert, clientCert or tokenFile value that is not PEM was treated as
// a path and echoed whole in the error ("cannot read clientKey file <the key>"), in plaintext even
// when it came from pulumi.secret(). Errors now name the field, never the value, from the resource's
// connection and from the stack config.
import { strict as assert } from "node:assert";
import { ProbeProvider } from "../support/probe-provider";

describe("security: errors name the connection field, never its value", () => {
    const secretish = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-pem-but-a-secret-value";
    const fields: Array<[string, Record<string, string>]> = [
        ["clientKey", { clientKey: secretish, clientCert: secretish }],
        ["clientCert", { clientCert: secretish, clientKey: secretish }],
        ["caCert", { caCert: secretish }],
        ["tokenFile", { tokenFile: secretish }],
    ];

    for (const [field, connection] of fields) {
        it(`${field}: neither PEM nor a readable file`, () => {
            for (const where of ["input", "stack config"] as const) {
                const run = () =>
                    where === "input" ? new ProbeProvider().clientFor(connection) : new ProbeProvider(connection).clientFor(undefined);
                assert.throws(run, (err: Error) => {
                    assert.match(err.message, /(clientKey|clientCert|caCert|tokenFile)/, `${where}: the field is named`);
                    assert.ok(!err.message.includes(secretish), `${where}: the value is not in the message`);
                    assert.ok(!err.message.includes(secretish.slice(0, 24)), `${where}: nor part of it`);
                    assert.ok(!String(err.stack).includes(secretish), `${where}: nor in the stack`);
                    assert.equal(err.cause, undefined, "no cause that would quote it");
                    return true;
                });
            }
        });
    }
});
