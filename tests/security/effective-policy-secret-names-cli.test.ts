// Issue 31 item 8 through the Pulumi CLI: service names made secret in the program's code (secret
// stack config is masked by the CLI itself, so it would prove nothing) are printed as [secret] in
// the effective-policy text of `pulumi preview`, and appear nowhere in what the CLI prints.
import { strict as assert } from "node:assert";
import { PulumiProgram } from "../support/pulumi";

const NAMES = ["vault-of-records-91c2", "payments-ledger-7f3a", "settlement-batch-44d1"];

describe("security: the preview's effective-policy text through the CLI masks names made secret in code", function () {
    this.timeout(300_000);
    let program: PulumiProgram | undefined;
    after(() => program?.cleanup());

    it("prints [secret] for them, and the other names as they are", async () => {
        program = new PulumiProgram("tests/security/programs/secret-names", "names");
        await program.init();
        const preview = await program.run(["preview", "--diff"]);
        const printed = `${preview.stdout}\n${preview.stderr}`;
        assert.match(printed, /ServiceIntentions for \[secret\]: this change flips who may call whom/);
        assert.match(printed, /\[secret\] -> \[secret\]: default => allow/);
        assert.match(printed, /web -> \[secret\]: default => deny/);
        assert.match(printed, /Intention \[secret\]=>billing: this change flips/);
        assert.match(printed, /\[secret\] -> billing: default => allow/);
        for (const name of NAMES) assert.ok(!printed.includes(name), `${name} is not printed`);
    });
});
