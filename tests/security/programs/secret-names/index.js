"use strict";
// Service names the program makes secret in code (not from secret config, which the CLI masks by
// itself): the effective-policy text of the preview must not print them.
const pulumi = require("@pulumi/pulumi");
const mesh = require("consul-mesh");

new mesh.ServiceIntentions("records", {
    destination: pulumi.secret("vault-of-records-91c2"),
    sources: [
        { name: pulumi.secret("payments-ledger-7f3a"), action: "allow" },
        { name: "web", action: "deny" },
    ],
});
new mesh.Intention("pair", { source: pulumi.secret("settlement-batch-44d1"), destination: "billing", action: "allow" });
