import type * as pulumi from "@pulumi/pulumi";
import { readAuthorization, type AuthorizeInfo } from "../../provider/functions/authorize";
import { authorizeArgs } from "../../provider/functions/catalog";
import type { ConnectionArgs } from "../connection";
import { outputOf, runFunction } from "./common";

export type { AuthorizeInfo };

/** Arguments of {@link authorizeOutput}. */
export interface AuthorizeOutputArgs {
    /** The destination service. */
    target: pulumi.Input<string>;
    /** SPIFFE URI of the client certificate (a leaf's `serviceUri`). */
    clientCertUri: pulumi.Input<string>;
    /** Serial number of the client certificate (a leaf's `serialNumber`). */
    clientCertSerial: pulumi.Input<string>;
    /** Where Consul is; see {@link ConnectionArgs}. The token needs `service:write` on the target. */
    connection?: pulumi.Input<ConnectionArgs>;
}
/** Arguments of {@link authorize}. */
export type AuthorizeArgs = pulumi.Unwrap<AuthorizeOutputArgs>;

/**
 * Would Consul authorize a connection from the client certificate to the target service
 * (`POST /v1/agent/connect/authorize`)? Consul's decision and its reason (which intention matched).
 * @example
 * const leaf = await mesh.getLeafCertificate({ service: "web" });
 * const ok = await mesh.authorize({ target: "db", clientCertUri: leaf.serviceUri, clientCertSerial: leaf.serialNumber });
 */
export function authorize(args: AuthorizeArgs): Promise<AuthorizeInfo> {
    return runFunction("authorize", authorizeArgs, args, (client, q) => readAuthorization(client, q));
}
/** {@link authorize} with Inputs, as an Output. */
export function authorizeOutput(args: AuthorizeOutputArgs): pulumi.Output<AuthorizeInfo> {
    return outputOf(args, authorize);
}
