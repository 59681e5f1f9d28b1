// The Consul HTTP client: undici, per-request timeout, token header, bounded jittered retries on
// 429/503/"No cluster leader"/connection resets only. Built per call; connection pools are cached
// on globalThis (never in a module-level object, which would not survive provider serialisation).
import { Agent, request } from "undici";
import { ConsulApiError, scrub } from "./errors";
import type { ResolvedConnection } from "./connection";

export interface RequestOptions {
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    /** Set false for calls that must not be repeated (e.g. generating a peering token). */
    retry?: boolean;
    /** Extra predicate: retry when it returns true for an error (e.g. CAS failures of exact upserts). */
    retryIf?: (err: ConsulApiError) => boolean;
    /** Token for this call only (overrides the connection's). */
    token?: string;
    /** Secrets that must never appear in an error message (tokens are always included). */
    secrets?: string[];
}

export interface ConsulResponse<T> {
    status: number;
    body: T;
    index?: string;
}

export interface RetryStats {
    retries: number;
}

const MAX_ATTEMPTS = 6;
const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 4000;
const RETRYABLE_CODES = ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"];

function dispatcherFor(conn: ResolvedConnection): Agent {
    const registry = globalThis as unknown as { __consulMeshAgents?: Map<string, Agent> };
    registry.__consulMeshAgents ??= new Map();
    const key = JSON.stringify([conn.baseUrl, conn.tls]);
    let agent = registry.__consulMeshAgents.get(key);
    if (!agent) {
        agent = new Agent({
            connections: 16,
            keepAliveTimeout: 10_000,
            connect: {
                timeout: Math.min(conn.timeoutMs, 10_000),
                ca: conn.tls.ca,
                cert: conn.tls.cert,
                key: conn.tls.key,
                servername: conn.tls.servername,
                rejectUnauthorized: conn.tls.rejectUnauthorized,
            },
        });
        registry.__consulMeshAgents.set(key, agent);
    }
    return agent;
}

/** How many retries this process has made (for tests and benchmarks). */
export function retryStats(): RetryStats {
    const g = globalThis as unknown as { __consulMeshRetries?: RetryStats };
    g.__consulMeshRetries ??= { retries: 0 };
    return g.__consulMeshRetries;
}

function isRetryable(err: ConsulApiError): boolean {
    if (err.statusCode === 0) return err.code !== undefined && RETRYABLE_CODES.includes(err.code);
    if (err.statusCode === 429 || err.statusCode === 503) return true;
    return err.statusCode === 500 && /No cluster leader/i.test(err.consulMessage);
}

function describeTransportError(err: unknown): { message: string; code?: string } {
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code ?? e.cause?.code;
    const inner = e.cause?.message ?? e.message ?? String(err);
    if (code === "ECONNREFUSED") return { code, message: "connection refused (is Consul running there?)" };
    if (code === "UND_ERR_CONNECT_TIMEOUT") return { code, message: "connect timeout" };
    if (e.message?.includes("aborted") || (err as Error)?.name === "TimeoutError") {
        return { code: "TIMEOUT", message: "request timed out" };
    }
    if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
        return { code, message: `TLS error: ${inner}` };
    }
    return { code, message: code ? `${code}: ${inner}` : inner };
}

export class ConsulClient {
    constructor(readonly conn: ResolvedConnection) {}

    get address(): string {
        return this.conn.baseUrl;
    }

    async call<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<ConsulResponse<T>> {
        let attempt = 0;
        for (;;) {
            attempt++;
            try {
                return await this.once<T>(method, path, opts);
            } catch (err) {
                if (!(err instanceof ConsulApiError)) throw err;
                const retryable = opts.retry !== false && (isRetryable(err) || (opts.retryIf?.(err) ?? false));
                if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
                retryStats().retries++;
                const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
                await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * (backoff / 2)));
            }
        }
    }

    private async once<T>(method: string, path: string, opts: RequestOptions): Promise<ConsulResponse<T>> {
        const token = opts.token ?? this.conn.token;
        const secrets = [token, this.conn.token, ...(opts.secrets ?? [])];
        const query = new URLSearchParams();
        for (const [k, v] of Object.entries(opts.query ?? {})) {
            if (v !== undefined) query.set(k, String(v));
        }
        if (this.conn.datacenter && !query.has("dc")) query.set("dc", this.conn.datacenter);
        const qs = query.toString();
        const shownPath = qs ? `${path}?${qs}` : path;
        const headers: Record<string, string> = { ...this.conn.headers, accept: "application/json" };
        if (token) headers["x-consul-token"] = token;
        let body: string | undefined;
        if (opts.body !== undefined) {
            body = JSON.stringify(opts.body);
            headers["content-type"] = "application/json";
        }
        let res: Awaited<ReturnType<typeof request>>;
        try {
            res = await request(`${this.conn.baseUrl}${shownPath}`, {
                method: method as "GET",
                headers,
                body,
                dispatcher: dispatcherFor(this.conn),
                signal: AbortSignal.timeout(this.conn.timeoutMs),
                headersTimeout: this.conn.timeoutMs,
                bodyTimeout: this.conn.timeoutMs,
            });
        } catch (err) {
            const { message, code } = describeTransportError(err);
            throw new ConsulApiError(method, shownPath, 0, scrub(message, secrets), this.conn.baseUrl, undefined, code);
        }
        const text = await res.body.text();
        const index = headerValue(res.headers["x-consul-index"]);
        if (res.statusCode < 200 || res.statusCode >= 300) {
            const message = scrub(text.trim() || `HTTP ${res.statusCode}`, secrets);
            throw new ConsulApiError(method, shownPath, res.statusCode, message, this.conn.baseUrl, index);
        }
        let parsed: unknown = undefined;
        if (text.trim() !== "") {
            try {
                parsed = JSON.parse(text);
            } catch {
                parsed = text;
            }
        }
        return { status: res.statusCode, body: parsed as T, index };
    }

    get<T = unknown>(path: string, opts?: RequestOptions) {
        return this.call<T>("GET", path, opts);
    }
    put<T = unknown>(path: string, body?: unknown, opts?: RequestOptions) {
        return this.call<T>("PUT", path, { ...opts, body });
    }
    post<T = unknown>(path: string, body?: unknown, opts?: RequestOptions) {
        return this.call<T>("POST", path, { ...opts, body });
    }
    delete<T = unknown>(path: string, opts?: RequestOptions) {
        return this.call<T>("DELETE", path, opts);
    }
}

function headerValue(v: string | string[] | undefined): string | undefined {
    return Array.isArray(v) ? v[0] : v;
}
