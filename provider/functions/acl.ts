// ACL, read side: the replication status of a datacenter (/v1/acl/replication).
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { ConsulApiError } from "../consul/errors";
import { getParsed, optionalText } from "./answer";

const replicationSchema = z.object({
    Enabled: z.boolean(),
    Running: z.boolean(),
    SourceDatacenter: optionalText,
    ReplicationType: optionalText,
    ReplicatedIndex: z.number(),
    ReplicatedRoleIndex: z.number(),
    ReplicatedTokenIndex: z.number(),
    LastSuccess: optionalText,
    LastError: optionalText,
    LastErrorMessage: optionalText,
});

/** Go's zero time, which Consul sends for "never". */
const NEVER = "0001-01-01T00:00:00Z";

export interface AclReplicationInfo {
    /** Whether ACLs are on in this datacenter at all. */
    aclsEnabled: boolean;
    /** Whether this datacenter replicates ACLs (false in the primary datacenter). */
    enabled: boolean;
    running: boolean;
    sourceDatacenter?: string;
    /** `policies`, `tokens` (what is replicated). */
    replicationType?: string;
    replicatedIndex: number;
    replicatedRoleIndex: number;
    replicatedTokenIndex: number;
    lastSuccess?: string;
    lastError?: string;
    lastErrorMessage?: string;
}

export async function readAclReplication(client: ConsulClient): Promise<AclReplicationInfo> {
    let answer: z.infer<typeof replicationSchema>;
    try {
        answer = await getParsed(client, "/v1/acl/replication", replicationSchema);
    } catch (err) {
        // Consul answers 401 "ACL support disabled" on a cluster without ACLs.
        if (err instanceof ConsulApiError && err.statusCode === 401 && /ACL support disabled/i.test(err.consulMessage)) {
            return {
                aclsEnabled: false,
                enabled: false,
                running: false,
                replicatedIndex: 0,
                replicatedRoleIndex: 0,
                replicatedTokenIndex: 0,
            };
        }
        throw err;
    }
    const when = (t: string | undefined) => (t && t !== NEVER ? t : undefined);
    const optional = {
        sourceDatacenter: answer.SourceDatacenter,
        replicationType: answer.ReplicationType,
        lastSuccess: when(answer.LastSuccess),
        lastError: when(answer.LastError),
        lastErrorMessage: answer.LastErrorMessage,
    };
    return {
        aclsEnabled: true,
        enabled: answer.Enabled,
        running: answer.Running,
        replicatedIndex: answer.ReplicatedIndex,
        replicatedRoleIndex: answer.ReplicatedRoleIndex,
        replicatedTokenIndex: answer.ReplicatedTokenIndex,
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
}
