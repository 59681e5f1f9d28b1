// The ACL test cluster (dc3) and ACL helpers for tests: a fresh, un-bootstrapped ACL-enabled agent
// per test file, and narrow policies/tokens made with the management token through consul-mesh's own
// AclPolicy and AclToken providers (the same code a program's resources run).
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterAddress, start, status, stop } from "../../scripts/lib/clusters";
import { consul } from "./consul";
import { aclPolicyProvider } from "../../provider/resources/acl-policy";
import { aclTokenProvider } from "../../provider/resources/acl-token";

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
    ServiceIdentities?: Array<{ ServiceName: string; Datacenters?: string[] }>;
}

/** `GET /v1/acl/token/self` with `secret`: the token, or undefined when Consul does not know it. */
export async function tokenSelf(secret: string, address = DC3): Promise<TestToken | undefined> {
    const res = await consul<TestToken>("GET", `${address}/v1/acl/token/self`, undefined, secret);
    if (res.status === 200) return res.body;
    if (res.status === 403 || res.status === 404) return undefined;
    throw new Error(`token/self: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A token made by the AclToken provider, in the shape tests compare with Consul's answers. */
async function createToken(management: string, address: string, description: string, policies: string[]): Promise<TestToken> {
    const { outs } = await aclTokenProvider.create({ description, policies, connection: { address, token: management } });
    return { AccessorID: outs.accessorId, SecretID: outs.secretId, Description: outs.description };
}

/** Creates a policy from HCL rules (AclPolicy) and a token holding only that policy (AclToken). */
export async function narrowToken(management: string, name: string, rules: string, address = DC3): Promise<TestToken> {
    await aclPolicyProvider.create({ name, rules, connection: { address, token: management } });
    return createToken(management, address, `test token ${name}`, [name]);
}

/** A management token that is not the bootstrap token (AclToken holding global-management). */
export async function managementToken(management: string, address = DC3): Promise<TestToken> {
    return createToken(management, address, "test management token", ["global-management"]);
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
