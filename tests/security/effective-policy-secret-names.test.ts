// Finding (low): the effective-policy text a preview prints ("web -> db: default => allow") showed
// service names the program had marked secret. Secret inputs reach a dynamic provider as plain
// values, so the SDK now lists the paths of the secret names (never the names) in `secretNames`, and
// the provider prints those names as [secret]. The SDK part runs with Pulumi's outputs outside a
// deployment; the provider part captures what check writes to stderr.
import { strict as assert } from "node:assert";
// The module object itself (a namespace import is read-only), to capture what check prints with writeSync.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fs = require("node:fs");
import * as pulumi from "@pulumi/pulumi";
import { intentionProvider } from "../../provider/resources/intention";
import { serviceIntentionsProvider } from "../../provider/resources/service-intentions";
import { secretNames, sourceNames } from "../../sdk/secret-names";

const SECRET_SOURCE = "payments-ledger-7f3a";
const SECRET_DESTINATION = "vault-of-records-91c2";
const SECRET_PEER = "partner-bank-0b7d";

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => (resolve(v), v)));
}

/** What fn writes to stderr through fs.writeSync (where the provider prints the flips). */
async function printed(fn: () => Promise<unknown>): Promise<string> {
    const original = fs.writeSync;
    let text = "";
    Object.assign(fs, {
        writeSync: (fd: number, data: string) => {
            if (fd !== 2) return original(fd, data);
            text += data;
            return data.length;
        },
    });
    try {
        await fn();
    } finally {
        Object.assign(fs, { writeSync: original });
    }
    return text;
}

describe("security: the effective-policy preview text masks secret service names", () => {
    it("the SDK lists the paths of secret names (and nothing when none is secret)", async () => {
        const sources = [
            { name: pulumi.secret(SECRET_SOURCE), action: "allow" },
            { name: "web", peer: pulumi.secret(SECRET_PEER), action: "allow" },
            { name: pulumi.output("api"), action: "deny" },
        ];
        assert.deepEqual(await valueOf(secretNames([["destination", pulumi.secret(SECRET_DESTINATION)], ...sourceNames(sources)])), [
            "destination",
            "sources.0.name",
            "sources.1.peer",
        ]);
        assert.deepEqual(await valueOf(secretNames([["sources", pulumi.secret([{ name: "x" }])]])), ["sources"]);
        assert.equal(await valueOf(secretNames([["destination", "db"], ...sourceNames([{ name: pulumi.output("web") }])])), undefined);
    });

    it("ServiceIntentions: secret names are printed as [secret], the others as they are", async () => {
        const news = {
            destination: SECRET_DESTINATION,
            sources: [
                { name: SECRET_SOURCE, action: "allow" },
                { name: "web", peer: SECRET_PEER, action: "allow" },
                { name: "api", action: "deny" },
            ],
            secretNames: ["destination", "sources.0.name", "sources.1.peer"],
        };
        const text = await printed(() => serviceIntentionsProvider.check({}, news));
        assert.match(text, /ServiceIntentions for \[secret\]: this change flips who may call whom/);
        assert.match(text, /\[secret\] -> \[secret\]: default => allow/);
        assert.match(text, /peer \[secret\]\/web -> \[secret\]: default => allow/);
        assert.match(text, /api -> \[secret\]: default => deny/);
        for (const name of [SECRET_SOURCE, SECRET_DESTINATION, SECRET_PEER]) assert.ok(!text.includes(name), `${name} is not printed`);
    });

    it("Intention: a secret source is masked in the header and the flips", async () => {
        const news = { source: SECRET_SOURCE, destination: "db", action: "allow", secretNames: ["source"] };
        const text = await printed(() => intentionProvider.check({}, news));
        assert.match(text, /Intention \[secret\]=>db: this change flips/);
        assert.match(text, /\[secret\] -> db: default => allow/);
        assert.ok(!text.includes(SECRET_SOURCE));
    });

    it("a name secret only in the old inputs is masked too (it leaves the policy)", async () => {
        const olds = { destination: "db", sources: [{ name: SECRET_SOURCE, action: "allow" }], secretNames: ["sources.0.name"] };
        const news = { destination: "db", sources: [{ name: "web", action: "allow" }] };
        const text = await printed(() => serviceIntentionsProvider.check(olds, news));
        assert.match(text, /\[secret\] -> db: allow => default/);
        assert.ok(!text.includes(SECRET_SOURCE));
    });
});
