// Finding (low): the "already bootstrapped" error suggested putting the management token's secret on
// the command line (where process listings and shell history keep it) and offered an ACL reset as an
// equal way out. It now says to read the secret from standard input, and puts adoption first.
import { strict as assert } from "node:assert";
import { alreadyBootstrappedError } from "../../provider/resources/acl-bootstrap";

describe("security: the already-bootstrapped error gives safe advice", () => {
    for (const secretGiven of [false, true]) {
        it(`adoption first, the secret read from standard input, reset only as a last resort (bootstrapSecret ${secretGiven ? "given" : "absent"})`, () => {
            const m = alreadyBootstrappedError("http://127.0.0.1:7500", "42", secretGiven).message;
            const adopt = m.indexOf("(1) Adopt it");
            const reset = m.indexOf("(2) Only if no management token is left: reset");
            assert.ok(adopt >= 0 && reset > adopt, "adoption comes first, reset second");
            assert.match(m, /reading it from standard input so that it never appears on a command line/);
            assert.match(m, /pulumi config set --secret <key> < file-holding-the-secret-id/);
            // No command line with the secret as an argument (`config set --secret <key> <secret-id>`).
            assert.doesNotMatch(m, /config set --secret <key> <secret/);
            assert.doesNotMatch(m, /echo /, "no command whose arguments hold a value");
        });
    }
});
