import type * as pulumi from "@pulumi/pulumi";
import { readAclReplication, type AclReplicationInfo } from "../../provider/functions/acl";
import type { ConnectionArgs } from "../connection";
import { noArgs } from "../../provider/functions/catalog";
import { outputOf, runFunction } from "./common";

export type { AclReplicationInfo };

/** Arguments of {@link getAclReplicationOutput}. */
export interface GetAclReplicationOutputArgs {
    /** Where Consul is; see {@link ConnectionArgs}. `datacenter` picks the datacenter asked. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link getAclReplication}. */
export type GetAclReplicationArgs = pulumi.Unwrap<GetAclReplicationOutputArgs>;

/**
 * ACL replication status of a datacenter (`GET /v1/acl/replication`): whether it replicates, from
 * where, how far, and the last error. A cluster without ACLs gives `aclsEnabled: false`. (Consul 1.16
 * has no `/v1/acl/rules/translate`: the legacy-rules translation went with the legacy ACL system.)
 * @example
 * const replication = await mesh.getAclReplication({ connection: { datacenter: "dc2" } });
 */
export function getAclReplication(args: GetAclReplicationArgs = {}): Promise<AclReplicationInfo> {
    return runFunction("getAclReplication", noArgs, args, (client) => readAclReplication(client));
}
/** {@link getAclReplication} with Inputs, as an Output. */
export function getAclReplicationOutput(args: GetAclReplicationOutputArgs = {}): pulumi.Output<AclReplicationInfo> {
    return outputOf(args, getAclReplication);
}
