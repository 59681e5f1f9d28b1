import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Where Consul is. Unset fields fall back to the stack config `consul-mesh:*`, then to Consul's env
// vars (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, ...), then to http://127.0.0.1:8500.
const config = new pulumi.Config();
const connection = { address: config.get("address"), token: config.getSecret("token") };

const webToApi = new mesh.Intention("web-to-api", {
    source: "web",
    destination: "api",
    action: "allow",
    description: "the storefront calls the API",
    connection,
});

new mesh.Intention("admin-to-api", {
    source: "admin",
    destination: "api",
    action: "allow",
    connection,
});

new mesh.Intention("api-to-db", {
    source: "api",
    destination: "db",
    action: "allow",
    connection,
});

new mesh.Intention("web-to-db", {
    source: "web",
    destination: "db",
    action: "deny",
    description: "the storefront never talks to the database directly",
    connection,
});

export const webToApiId = webToApi.id;
export const webToApiPrecedence = webToApi.precedence;
