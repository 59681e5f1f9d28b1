// One error type for everything Consul answers with a failure. Messages carry method, path, status
// and Consul's own text, never a token: secrets passed in `scrub` are masked wherever they appear.

/** A failed call to Consul's HTTP API (or a failure to reach it). */
export class ConsulApiError extends Error {
    override readonly name: string = "ConsulApiError";
    /**
     * Set by the client on the final error of a write (PUT/POST/DELETE) when some attempt of it was
     * sent and got no definite answer (connection cut or timed out after sending, leadership lost while
     * committing): Consul may have applied it.
     */
    writeMayHaveLanded = false;
    constructor(
        readonly method: string,
        readonly path: string,
        /** HTTP status, or 0 when no response arrived (connection refused, timeout, TLS failure). */
        readonly statusCode: number,
        /** Consul's own message (plain-text error body), trimmed. */
        readonly consulMessage: string,
        readonly address: string,
        readonly index?: string,
        /** Transport error code (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, ...) when statusCode is 0. */
        readonly code?: string,
        /** The name the program gives the cluster (a PeeringMesh's cluster name), for the message. */
        readonly cluster?: string,
    ) {
        super(
            statusCode === 0
                ? `Consul ${method} ${path} at ${where(address, cluster)} failed: ${consulMessage}`
                : `Consul ${method} ${path} at ${where(address, cluster)} failed: ${statusCode} ${consulMessage}`,
        );
    }
}

/** The address in a message, after the cluster's name when the program gives it one: `cluster "dc4" (http://...)`. */
export function where(address: string, cluster?: string): string {
    return cluster ? `cluster ${JSON.stringify(cluster)} (${address})` : address;
}

export function isNotFound(err: unknown): boolean {
    return err instanceof ConsulApiError && err.statusCode === 404;
}

/** A write's error (itself, or the ConsulApiError it wraps as its cause) says Consul may have applied it. */
export function writeMayHaveLanded(err: unknown): boolean {
    const api = err instanceof ConsulApiError ? err : err instanceof Error ? err.cause : undefined;
    return api instanceof ConsulApiError && api.writeMayHaveLanded;
}

export function isPermissionDenied(err: unknown): boolean {
    return err instanceof ConsulApiError && err.statusCode === 403;
}

/** Replaces every occurrence of each secret in text (secrets shorter than 4 characters are ignored). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const secret of secrets) {
        if (secret && secret.length >= 4) {
            out = out.split(secret).join("[secret]");
        }
    }
    return out;
}
