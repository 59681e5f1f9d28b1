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

/** The ACL replication status of a datacenter (`GET /v1/acl/replication`). */
export interface AclReplicationInfo {
    /** Whether ACLs are on in this datacenter at all. */
    aclsEnabled: boolean;
    /** Whether this datacenter replicates ACLs (false in the primary datacenter). */
    enabled: boolean;
    /** Whether the replication routine is running. Consul: `Running`. */
    running: boolean;
    /** The datacenter replicated from, the primary. Consul: `SourceDatacenter`. */
    sourceDatacenter?: string;
    /** `policies`, `tokens` (what is replicated). */
    replicationType?: string;
    /** Last index of policies replicated. Consul: `ReplicatedIndex`. */
    replicatedIndex: number;
    /** Last index of roles replicated. Consul: `ReplicatedRoleIndex`. */
    replicatedRoleIndex: number;
    /** Last index of tokens replicated. Consul: `ReplicatedTokenIndex`. */
    replicatedTokenIndex: number;
    /** Time of the last successful round, RFC 3339; absent when there was none. Consul: `LastSuccess`. */
    lastSuccess?: string;
    /** Time of the last failed round, RFC 3339; absent when there was none. Consul: `LastError`. */
    lastError?: string;
    /** The last failure's message. Consul: `LastErrorMessage`. */
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
