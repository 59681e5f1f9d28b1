import * as pulumi from "@pulumi/pulumi";
import * as mesh from "consul-mesh";

// Objects that no connection places: where they go is up to the settings (consul-mesh:address and
// consul-mesh:token, or CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN). With `policyToken` set, the policy
// carries its own token (and still no address).
const config = new pulumi.Config();
const policyToken = config.getSecret("policyToken");
// One name per stack, so that stacks on the same clusters do not meet.
const suffix = config.require("suffix");

const policy = new mesh.AclPolicy("policy", {
    name: `moved-policy-${suffix}`,
    rules: 'service "api" { policy = "read" }',
    ...(policyToken ? { connection: { token: policyToken } } : {}),
});
// Independent of the policy: a token is made anew before the old one is deleted (create, then delete).
const token = new mesh.AclToken("token", { description: "moved token", serviceIdentities: [{ serviceName: `api-${suffix}` }] });
new mesh.ServiceDefaults("api", { name: `api-${suffix}`, protocol: "http" });

export const policyId = policy.policyId;
export const accessorId = token.accessorId;
export const secretId = token.secretId;
