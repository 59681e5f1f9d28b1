// Connect authorization, read side: would Consul let a client certificate connect to a target
// service (/v1/agent/connect/authorize)? Consul answers with its decision and its reason.
import { z } from "zod";
import type { ConsulClient } from "../consul/client";

const authorizeSchema = z.object({ Authorized: z.boolean(), Reason: z.string() });

export interface AuthorizeQuery {
    /** The destination service. */
    target: string;
    /** SPIFFE URI of the client certificate, `spiffe://<trust-domain>/ns/<ns>/dc/<dc>/svc/<service>`. */
    clientCertUri: string;
    /** Serial number of the client certificate, colon-separated hex. */
    clientCertSerial: string;
}

/** Consul's answer to a Connect authorization question (`POST /v1/agent/connect/authorize`). */
export interface AuthorizeInfo {
    /** Whether the connection would be allowed. Consul: `Authorized`. */
    authorized: boolean;
    /** Consul's reason, e.g. which intention matched. */
    reason: string;
}

export async function readAuthorization(client: ConsulClient, q: AuthorizeQuery): Promise<AuthorizeInfo> {
    // A question, not a write: safe to repeat on a lost answer.
    const body = { Target: q.target, ClientCertURI: q.clientCertUri, ClientCertSerial: q.clientCertSerial };
    const answer = (await client.post("/v1/agent/connect/authorize", body, authorizeSchema)).body;
    return { authorized: answer.Authorized, reason: answer.Reason };
}
