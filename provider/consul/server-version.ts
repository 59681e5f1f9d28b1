// Fields that only some Consul versions accept. The provider learns a server's version once per
// connection (GET /v1/agent/self, cached per address list for the life of the provider process) and
// refuses a field that server does not know, naming the field and the first Consul version that
// accepts it, before anything is written. Consul itself would answer 400 "invalid config key" only
// after a partial plan had started; this turns that into a clear error on the resource.
import { z } from "zod";
import type { ConsulClient } from "./client";
import { ConsulApiError } from "./errors";
import { processState } from "./process-state";
import { unsupportedFieldsError, type VersionedField } from "../model/versions";

const agentSelfSchema = z.object({ Config: z.object({ Version: z.string().min(1) }).loose() }).loose();

function cache(): Map<string, Promise<string | undefined>> {
    return processState("serverVersions", () => new Map<string, Promise<string | undefined>>());
}

/**
 * The Consul version of the server behind `client` (asked once per address list), or undefined when
 * the token may not read the agent (403 without `agent:read`): the write then goes ahead and Consul
 * decides.
 */
export function serverVersion(client: ConsulClient): Promise<string | undefined> {
    const key = (client.conn.baseUrls?.length ? client.conn.baseUrls : [client.conn.baseUrl]).join(",");
    let known = cache().get(key);
    if (!known) {
        known = client.get("/v1/agent/self", agentSelfSchema).then(
            (res) => res.body.Config.Version,
            (err: unknown) => {
                if (err instanceof ConsulApiError && err.statusCode === 403) return undefined;
                throw err;
            },
        );
        // A failed look-up is not remembered: the next call asks again.
        known.catch(() => cache().delete(key));
        cache().set(key, known);
    }
    return known;
}

/** Throws before any write when the declaration uses a field the server's version does not accept. */
export async function requireSupportedFields(client: ConsulClient, fields: VersionedField[]): Promise<void> {
    if (fields.length === 0) return;
    const err = unsupportedFieldsError(fields, await serverVersion(client), client.address);
    if (err) throw err;
}
