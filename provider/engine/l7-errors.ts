import { ConsulApiError } from "../consul/errors";

/** Adds the way out to Consul's error when L7 permissions meet a destination without an HTTP protocol. */
export function explainL7Error(err: unknown, destination: string): unknown {
    if (err instanceof ConsulApiError && /incompatible with L7 intentions permissions/.test(err.consulMessage)) {
        return new Error(
            `${err.message}\nL7 permissions need the destination's protocol to be http, http2 or grpc: declare ` +
                `new ServiceDefaults("${destination}-defaults", { name: "${destination}", protocol: "http" }) and add it to this resource's dependsOn`,
        );
    }
    return err;
}
