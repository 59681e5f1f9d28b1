"use strict";
// Declares whatever the JSON file named by config `file` lists: [{ kind, name, args }], where kind is
// any resource or component consul-mesh exports. Args go to the constructor untouched (the bad-input
// sweep feeds invalid ones through this program; the concurrency tests feed valid ones). Plain
// JavaScript on purpose: the sweep runs it through many previews, and skipping the TypeScript
// compile saves about two seconds each.
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const mesh = require("consul-mesh");

const kinds = [
    "Intention",
    "ServiceIntentions",
    "ServiceDefaults",
    "MeshPolicy",
    "CaConfiguration",
    "PeeringToken",
    "Peering",
    "ExportedServices",
    "ClusterPeering",
    "AclBootstrap",
    "IntentionAssertions",
    "AclPolicy",
    "AclRole",
    "AclToken",
    "AclAuthMethod",
    "AclBindingRule",
    "JwtProvider",
    "ProxyDefaults",
    "Mesh",
    "ServiceResolver",
    "ConfigEntry",
];
const declared = JSON.parse(fs.readFileSync(new pulumi.Config().require("file"), "utf8"));
for (const { kind, name, args } of declared) {
    if (!kinds.includes(kind)) throw new Error(`unknown kind ${kind}`);
    new mesh[kind](name, args);
}
exports.count = declared.length;
