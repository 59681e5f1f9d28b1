import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Installed from the packed tarball, type-checked against its declarations (no skipLibCheck), and
// pointed at Consul by CONSUL_HTTP_ADDR (or the stack config `consul-mesh:address`).
const config = new pulumi.Config();
const prefix = config.require("prefix");

const webToApi = new mesh.Intention("web-to-api", {
    source: `${prefix}-web`,
    destination: `${prefix}-api`,
    action: "allow",
    description: "installed from the tarball",
});

const db: mesh.ServiceIntentions = new mesh.ServiceIntentions("db", {
    destination: `${prefix}-db`,
    sources: [
        { name: `${prefix}-api`, action: "allow" },
        { name: `${prefix}-web`, action: "deny", description: "no direct database access" },
    ],
});

export const intentionId = webToApi.id;
export const precedence = webToApi.precedence;
export const dbDestination = db.destination;
