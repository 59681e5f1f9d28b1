import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// One valid resource plus one resource whose inputs come from config as JSON, so the e2e test can
// feed each kind of bad input through the real `pulumi preview`.
const config = new pulumi.Config();
const kind = config.require("kind");
const args = JSON.parse(config.require("args"));
new mesh.Intention("valid", { source: "good-web", destination: "good-api", action: "allow" });
if (kind === "Intention") new mesh.Intention("bad", args);
else if (kind === "ServiceIntentions") new mesh.ServiceIntentions("bad", args);
else throw new Error(`unknown kind ${kind}`);
