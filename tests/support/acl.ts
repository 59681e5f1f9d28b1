// The ACL test cluster (dc3) and raw ACL calls for tests: a fresh, un-bootstrapped ACL-enabled agent
// per test file, and narrow policies/tokens made with the management token behind Pulumi's back.
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddress, start, status, stop } from "../../scripts/lib/clusters";
import { consul } from "./consul";

const log = (m: string) => console.error(`[clusters] ${m}`);

/** The ACL cluster's HTTP address (moved by CONSUL_MESH_PORT_OFFSET). */
export const DC3 = clusterAddress("dc3");

/** Stops dc3 if it runs and starts it again with ACLs on and no token: nothing is bootstrapped. */
export async function freshAclCluster(): Promise<string> {
    await stop("dc3", { log });
    await start("dc3", { acl: true, log });
    return DC3;
}

export async function stopAclCluster(): Promise<void> {
    await stop("dc3", { log });
}

export interface TestToken {
    AccessorID: string;
    SecretID: string;
    Description?: string;
    Policies?: Array<{ ID: string; Name: string }>;
}

/** `GET /v1/acl/token/self` with `secret`: the token, or undefined when Consul does not know it. */
export async function tokenSelf(secret: string, address = DC3): Promise<TestToken | undefined> {
    const res = await consul<TestToken>("GET", `${address}/v1/acl/token/self`, undefined, secret);
    if (res.status === 200) return res.body;
    if (res.status === 403 || res.status === 404) return undefined;
    throw new Error(`token/self: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Creates a policy from HCL rules and a token holding only that policy. */
export async function narrowToken(management: string, name: string, rules: string, address = DC3): Promise<TestToken> {
    const policy = await consul<{ ID: string }>("PUT", `${address}/v1/acl/policy`, { Name: name, Rules: rules }, management);
    if (policy.status !== 200) throw new Error(`creating policy ${name}: ${policy.status} ${JSON.stringify(policy.body)}`);
    const token = await consul<TestToken>(
        "PUT",
        `${address}/v1/acl/token`,
        { Description: `test token ${name}`, Policies: [{ Name: name }] },
        management,
    );
    if (token.status !== 200) throw new Error(`creating token ${name}: ${token.status} ${JSON.stringify(token.body)}`);
    return token.body;
}

/** A management token that is not the bootstrap token. */
export async function managementToken(management: string, address = DC3): Promise<TestToken> {
    const res = await consul<TestToken>(
        "PUT",
        `${address}/v1/acl/token`,
        { Description: "test management token", Policies: [{ ID: "00000000-0000-0000-0000-000000000001" }] },
        management,
    );
    if (res.status !== 200) throw new Error(`creating a management token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
}

/** The reset procedure the "already bootstrapped" error describes: write N to <data_dir>/acl-bootstrap-reset. */
export function writeBootstrapReset(resetIndex: string): string {
    const file = path.join(status("dc3").dataDir, "acl-bootstrap-reset");
    fs.writeFileSync(file, `${resetIndex}\n`);
    return file;
}

/** Intentions of dc3 as `source=>destination:action`, read with a token. */
export async function intentionPairs(token: string, address = DC3): Promise<string[]> {
    const res = await consul<Array<{ SourceName: string; DestinationName: string; Action?: string }>>(
        "GET",
        `${address}/v1/connect/intentions`,
        undefined,
        token,
    );
    if (res.status !== 200) throw new Error(`listing intentions: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.map((i) => `${i.SourceName}=>${i.DestinationName}:${i.Action}`).sort();
}
