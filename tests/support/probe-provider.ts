// A resource provider whose only job is to hand out the client every resource builds (stack config
// from `configure`, process.env read at call time), so that the security tests see which token and
// headers the real resolution path sends where.
import { ConsulResourceProvider } from "../../provider/engine/base";
import type { ConsulClient } from "../../provider/consul/client";
import type { ConnectionInput } from "../../provider/consul/connection";

export class ProbeProvider extends ConsulResourceProvider {
    constructor(stack: Record<string, string | undefined> = {}) {
        super();
        this.stackConfig = { ...stack };
    }
    clientFor(connection: ConnectionInput | undefined): ConsulClient {
        return this.client(connection);
    }
}

/** Runs fn with the given environment variables set (undefined: unset), then puts the old values back. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const apply = (values: Record<string, string | undefined>) => {
        for (const [k, v] of Object.entries(values)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    };
    apply(vars);
    try {
        return await fn();
    } finally {
        apply(saved);
    }
}
