// What every consul-mesh resource provider shares: the stack config captured in configure(), and a
// Consul client built per call from the resource's connection input.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ConsulClient } from "./client";
import { resolveConnection, type ConnectionInput } from "./connection";

const CONFIG_KEYS = [
    "address", "token", "tokenFile", "datacenter", "caCert", "caPath", "clientCert", "clientKey",
    "tlsServerName", "insecureSkipVerify", "headers", "timeoutMs",
];

export abstract class ConsulResourceProvider {
    /** Stack config `consul-mesh:*`, set by the dynamic-provider host before any other call. */
    protected stackConfig: Record<string, string | undefined> = {};

    async configure(req: dynamic.ConfigureRequest): Promise<void> {
        for (const key of CONFIG_KEYS) this.stackConfig[key] = req.config.get(`consul-mesh:${key}`);
    }

    /** A client for the resource's connection (input, then stack config, then env, then default). */
    protected client(connection: ConnectionInput | undefined): ConsulClient {
        return new ConsulClient(resolveConnection(connection, (k) => this.stackConfig[k], process.env));
    }
}
