// The Consul HTTP client: undici, per-request timeout, token header, bounded jittered retries on
// 429/503/"No cluster leader"/leader elections/connection resets only. With several server
// addresses it fails over to the next one on connection errors and leader loss, and sticks to the
// last one that answered. Built per call; connection pools are cached per process (process-state.ts),
// never in a module-level object, which would not survive provider serialisation.
import * as fs from "node:fs";
import type { Agent, request as undiciRequest } from "undici";
import type { z } from "zod";
import { ConsulApiError, scrub, where } from "./errors";
import type { ResolvedConnection } from "./connection";
import { processState, type RetryStats } from "./process-state";
import { memoized } from "../model/validation";

export type { RetryStats } from "./process-state";

export interface RequestOptions {
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    /**
     * Set false for calls that must not be repeated (e.g. establishing a peering: its token is
     * single-use). Generating a peering token may be repeated: Consul reuses the acceptor peering.
     * "until-sent" repeats only answers that prove the request was not applied (throttled, refused
     * connection, no leader): for writes that are not idempotent (a POST making a new object with a
     * server-chosen ID), whose caller resolves an unknown outcome itself (see writeMayHaveLanded).
     */
    retry?: boolean | "until-sent";
    /** Extra predicate: retry when it returns true for an error (e.g. CAS failures of exact upserts). */
    retryIf?: (err: ConsulApiError) => boolean;
    /** Token for this call only (overrides the connection's). */
    token?: string;
    /** Secrets that must never appear in an error message (tokens are always included). */
    secrets?: string[];
}

/** The methods of Consul's HTTP API. */
export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE";

export interface ConsulResponse<T> {
    status: number;
    body: T;
    index?: string;
}

const MAX_ATTEMPTS = 6;
/**
 * Throttled answers (429, or Consul's 503 "rate limit exceeded") say the request was refused and
 * will be accepted later: worth more patience, up to about 25 s of backoff in all.
 */
const MAX_THROTTLED_ATTEMPTS = 10;
const RETRY_BASE_MS = 250;
const RETRY_CAP_MS = 4000;
const RETRYABLE_CODES = ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"];
/** Transport failures after which another server may answer (the request did not get through, or the server died). */
const FAILOVER_CODES = [...RETRYABLE_CODES, "ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"];
/**
 * Consul's 500s while the raft leader is lost or being replaced. Safe to repeat: the request never
 * reached a leader, or (for writes) it is a compare-and-set that fails harmlessly if it had landed.
 */
const LEADER_TRANSITION =
    /No cluster leader|leadership lost|Not ready to serve consistent reads|rpc error (making call|getting client)[^]*(EOF|connection refused|connection reset|i\/o timeout|broken pipe)/i;

/** What a request needs of undici: its connection-pooling Agent and its request API on a dispatcher. */
interface UndiciParts {
    Agent: typeof Agent;
    request: (dispatcher: Agent, url: URL, opts: RequestCallOptions) => ReturnType<typeof undiciRequest>;
}
type RequestCallOptions = Omit<NonNullable<Parameters<typeof undiciRequest>[1]>, "dispatcher" | "path" | "origin">;

/**
 * undici, loaded on the first request: a provider process that makes none (a `pulumi preview`
 * without refresh: check and diff only) does not pay for loading it. Only its two modules a request
 * needs, the Agent and the request API: the package's entry also loads fetch, WebSocket, the cache
 * stores and the mocks, about twice the load time (issue 30: some 25 of 50 ms per provider
 * process, paid once by every refresh and destroy). Should a later undici move those modules, the
 * whole package is loaded instead (a unit test checks that the parts are found).
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment -- deliberate lazy load, typed by the import types above */
export const undiciParts = memoized((): UndiciParts & { whole: boolean } => {
    try {
        const AgentClass: typeof Agent | undefined = require("undici/lib/dispatcher/agent");
        const apiRequest:
            ((this: Agent, opts: object) => ReturnType<typeof undiciRequest>) | undefined = require("undici/lib/api/api-request");
        if (typeof AgentClass === "function" && typeof apiRequest === "function") {
            return {
                Agent: AgentClass,
                request: (dispatcher, url, opts) =>
                    apiRequest.call(dispatcher, {
                        ...opts,
                        origin: url.origin,
                        path: `${url.pathname}${url.search}`,
                        method: opts.method ?? "GET",
                    }),
                whole: false,
            };
        }
    } catch {
        // moved in this undici: load the whole package below
    }
    const whole: { Agent: typeof Agent; request: typeof undiciRequest } = require("undici");
    return { Agent: whole.Agent, request: (dispatcher, url, opts) => whole.request(url, { ...opts, dispatcher }), whole: true };
});
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment */

function dispatcherFor(conn: ResolvedConnection, baseUrl: string): Agent {
    const agents = processState("agents", () => new Map<string, Agent>());
    const key = JSON.stringify([baseUrl, conn.tls]);
    let agent = agents.get(key);
    if (!agent) {
        agent = new (undiciParts().Agent)({
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
        agents.set(key, agent);
    }
    return agent;
}

/** How many retries and failovers this process has made (for tests and benchmarks). */
export function retryStats(): RetryStats {
    return processState("retries", () => ({ retries: 0, failovers: 0 }));
}

/**
 * CONSUL_MESH_RETRY_LOG=<file>: one JSON line per retry or failover is appended to the file, so that
 * retries made inside the Pulumi provider process can be counted (read at call time, never captured).
 */
function logRetry(kind: "retry" | "failover", method: string, err: ConsulApiError): void {
    const file = process.env.CONSUL_MESH_RETRY_LOG;
    if (!file) return;
    const line = {
        kind,
        method,
        path: err.path,
        address: err.address,
        status: err.statusCode,
        code: err.code,
        message: err.consulMessage.slice(0, 200),
        pid: process.pid,
        time: new Date().toISOString(),
    };
    try {
        fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
        // Diagnostics only: a log that cannot be written must not fail the request.
    }
}

function isLeaderTransition(err: ConsulApiError): boolean {
    return err.statusCode === 500 && LEADER_TRANSITION.test(err.consulMessage);
}

/**
 * An attempt that may have been applied by Consul although no success came back: the connection broke
 * or timed out after the request was sent, or leadership was lost while committing. A refused
 * connection, a TLS failure, "No cluster leader", a throttled request or a validation error is a
 * definite "not applied".
 */
function outcomeUnknown(err: ConsulApiError): boolean {
    if (err.statusCode === 0) {
        return (
            !["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"].includes(err.code ?? "") &&
            !/^TLS error/.test(err.consulMessage)
        );
    }
    if (err.statusCode === 502 || err.statusCode === 504) return true;
    return isLeaderTransition(err) && !/No cluster leader|Not ready to serve consistent reads/i.test(err.consulMessage);
}

function isThrottled(err: ConsulApiError): boolean {
    return err.statusCode === 429 || (err.statusCode === 503 && /rate limit exceeded/i.test(err.consulMessage));
}

function isRetryable(err: ConsulApiError): boolean {
    if (err.statusCode === 0) return err.code !== undefined && RETRYABLE_CODES.includes(err.code);
    if (err.statusCode === 429 || err.statusCode === 503) return true;
    return isLeaderTransition(err);
}

/** Worth trying the next server address at once. */
function canFailOver(err: ConsulApiError): boolean {
    if (err.statusCode === 0) return err.code !== undefined && FAILOVER_CODES.includes(err.code);
    return isLeaderTransition(err) || err.statusCode === 503;
}

/** Index of the address that answered last for this list of servers (shared by every client in the process). */
function preferred(urls: string[]): { get: () => number; set: (i: number) => void } {
    const map = processState("preferredServer", () => new Map<string, number>());
    const key = urls.join(",");
    return { get: () => map.get(key) ?? 0, set: (i) => map.set(key, i) };
}

/** A string property of an unknown thrown value (Node and undici errors carry `code`, `message`, `cause`). */
function prop(value: unknown, key: string): unknown {
    return value !== null && typeof value === "object" ? Reflect.get(value, key) : undefined;
}
const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function describeTransportError(err: unknown): { message: string; code?: string } {
    const cause = prop(err, "cause");
    const message = asString(prop(err, "message"));
    const code = asString(prop(err, "code")) ?? asString(prop(cause, "code"));
    const inner = asString(prop(cause, "message")) ?? message ?? String(err);
    if (code === "ECONNREFUSED") return { code, message: "connection refused (is Consul running there?)" };
    if (code === "UND_ERR_CONNECT_TIMEOUT") return { code, message: "connect timeout" };
    if (message?.includes("aborted") || prop(err, "name") === "TimeoutError") {
        return { code: "TIMEOUT", message: "request timed out" };
    }
    if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
        return { code, message: `TLS error: ${inner}` };
    }
    return { code, message: code ? `${code}: ${inner}` : inner };
}

/** Waits between retries; tests inject one that records the delays and returns at once. */
export type Sleeper = (ms: number) => Promise<void>;

const realSleep: Sleeper = (ms) => new Promise((r) => setTimeout(r, ms));

/** The backoff before attempt `attempt + 1`: exponential from 250 ms, capped at 4 s, half of it jittered. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
    const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    return backoff / 2 + random() * (backoff / 2);
}

export class ConsulClient {
    constructor(
        readonly conn: ResolvedConnection,
        private readonly sleep: Sleeper = realSleep,
    ) {}

    get address(): string {
        return this.conn.baseUrl;
    }

    /** The cluster as messages name it: `cluster "dc4" (http://...)` when the program names it, else its address. */
    get where(): string {
        return where(this.conn.baseUrl, this.conn.clusterName);
    }

    /**
     * One request, retried and failed over as the policy allows; the answer is parsed with `schema`
     * (pass `z.unknown()` when it does not matter). A malformed answer is an AnswerShapeError naming
     * the endpoint and the fields, never their values.
     */
    async call<S extends z.ZodType>(
        method: HttpMethod,
        path: string,
        schema: S,
        opts: RequestOptions = {},
    ): Promise<ConsulResponse<z.output<S>>> {
        const res = await this.send(method, path, opts);
        const parsed = schema.safeParse(res.body);
        if (!parsed.success) throw new AnswerShapeError(method, path, this.conn.baseUrl, parsed.error.issues, 200, this.conn.clusterName);
        return { ...res, body: parsed.data };
    }

    private async send(method: HttpMethod, path: string, opts: RequestOptions): Promise<ConsulResponse<unknown>> {
        assertSafePath(path);
        // Pinned to a resource's recorded cluster with no token of that cluster: never anonymous in
        // place of the withheld one (a filtered answer could read as "deleted"). A call that brings
        // its own token (say, a bootstrap token reading itself) goes ahead.
        if (this.conn.withheldCredentials !== undefined && !(opts.token ?? this.conn.token)) {
            throw new CredentialsElsewhereError(method, path, this.conn.withheldCredentials);
        }
        const urls = this.conn.baseUrls?.length ? this.conn.baseUrls : [this.conn.baseUrl];
        const pref = preferred(urls);
        let current = pref.get() % urls.length;
        let attempt = 0;
        // Servers tried since the last backoff: a round visits each address at most once. A round is
        // worth repeating after a backoff if any server in it gave a retryable answer (say, "No
        // cluster leader" from the survivors while the dead leader refuses connections).
        let triedInRound = 0;
        let roundRetryable = false;
        // A write repeated after an attempt with no definite answer may already have been applied.
        let uncertain = false;
        for (;;) {
            attempt++;
            try {
                const res = await this.once(method, path, opts, urls[current]);
                pref.set(current);
                return res;
            } catch (err) {
                if (!(err instanceof ConsulApiError)) throw err;
                const unknownOutcome = method !== "GET" && outcomeUnknown(err);
                uncertain ||= unknownOutcome;
                const stopHere = opts.retry === "until-sent" && unknownOutcome;
                triedInRound++;
                roundRetryable ||= isRetryable(err);
                // Several servers: a refused connection or a leaderless server sends us straight to the next
                // one. Not for opts.retry === false (a call that must not be repeated), except when the
                // connection was refused, which proves the request never arrived.
                const mayRepeat = (opts.retry !== false && !stopHere) || err.code === "ECONNREFUSED";
                if (urls.length > 1 && triedInRound < urls.length && mayRepeat && canFailOver(err)) {
                    retryStats().failovers++;
                    logRetry("failover", method, err);
                    current = (current + 1) % urls.length;
                    attempt--;
                    continue;
                }
                const retryable =
                    opts.retry !== false &&
                    !stopHere &&
                    (isRetryable(err) || (roundRetryable && err.statusCode === 0 && canFailOver(err)) || (opts.retryIf?.(err) ?? false));
                if (!retryable || attempt >= (isThrottled(err) ? MAX_THROTTLED_ATTEMPTS : MAX_ATTEMPTS)) {
                    const final = urls.length > 1 && triedInRound > 1 ? everyServerFailed(err, urls) : err;
                    final.writeMayHaveLanded = uncertain;
                    throw final;
                }
                retryStats().retries++;
                logRetry("retry", method, err);
                triedInRound = 0;
                roundRetryable = false;
                if (urls.length > 1 && canFailOver(err)) current = (current + 1) % urls.length;
                await this.sleep(backoffMs(attempt));
            }
        }
    }

    private async once(method: HttpMethod, path: string, opts: RequestOptions, baseUrl: string): Promise<ConsulResponse<unknown>> {
        const token = opts.token ?? this.conn.token;
        // Header values may be credentials of a proxy in front of Consul: masked like the token.
        const secrets = [token, this.conn.token, ...Object.values(this.conn.headers), ...(opts.secrets ?? [])];
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
        let res: Awaited<ReturnType<typeof undiciRequest>>;
        try {
            res = await undiciParts().request(dispatcherFor(this.conn, baseUrl), new URL(`${baseUrl}${shownPath}`), {
                method,
                headers,
                body,
                signal: AbortSignal.timeout(this.conn.timeoutMs),
                headersTimeout: this.conn.timeoutMs,
                bodyTimeout: this.conn.timeoutMs,
            });
        } catch (err) {
            const { message: described, code } = describeTransportError(err);
            let message = described;
            if (baseUrl.startsWith("https:") && !this.conn.tls.cert && (code === "UND_ERR_SOCKET" || code === "ECONNRESET")) {
                // A verify_incoming agent ends the TLS session of a client without a certificate; Node
                // reports only "other side closed", so name the likely cause.
                message =
                    `TLS error: ${message}; the server closed the connection, it probably requires a client certificate ` +
                    "(verify_incoming): set clientCert and clientKey, or CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY";
            }
            throw new ConsulApiError(method, shownPath, 0, scrub(message, secrets), baseUrl, undefined, code, this.conn.clusterName);
        }
        const index = headerValue(res.headers["x-consul-index"]);
        if (res.statusCode < 200 || res.statusCode >= 300) {
            // An error body is read only as far as a message needs; the rest is discarded unread.
            const { text: errorText } = await readBounded(res.body, ERROR_BODY_BYTES);
            const message = boundedMessage(scrub(errorText.trim() || `HTTP ${res.statusCode}`, secrets));
            throw new ConsulApiError(method, shownPath, res.statusCode, message, baseUrl, index, undefined, this.conn.clusterName);
        }
        const limit = maxAnswerBytes();
        const { text, truncated } = await readBounded(res.body, limit, headerValue(res.headers["content-length"]));
        if (truncated) {
            throw new AnswerShapeError(
                method,
                shownPath,
                baseUrl,
                `a body larger than ${limit} bytes, the limit (set ${MAX_ANSWER_ENV} to raise it)`,
                res.statusCode,
                this.conn.clusterName,
            );
        }
        let parsed: unknown = undefined;
        if (text.trim() !== "") {
            try {
                parsed = JSON.parse(text);
            } catch {
                parsed = text;
            }
        }
        if (nestingDepth(parsed) > MAX_ANSWER_DEPTH) {
            throw new AnswerShapeError(
                method,
                shownPath,
                baseUrl,
                `JSON nested deeper than ${MAX_ANSWER_DEPTH} levels`,
                res.statusCode,
                this.conn.clusterName,
            );
        }
        // The one untyped boundary: the body is unknown until call() parses it with the caller's schema.
        return { status: res.statusCode, body: parsed, index };
    }

    get<S extends z.ZodType>(path: string, schema: S, opts?: RequestOptions) {
        return this.call("GET", path, schema, opts);
    }
    put<S extends z.ZodType>(path: string, body: unknown, schema: S, opts?: RequestOptions) {
        return this.call("PUT", path, schema, { ...opts, body });
    }
    post<S extends z.ZodType>(path: string, body: unknown, schema: S, opts?: RequestOptions) {
        return this.call("POST", path, schema, { ...opts, body });
    }
    delete<S extends z.ZodType>(path: string, schema: S, opts?: RequestOptions) {
        return this.call("DELETE", path, schema, opts);
    }
}

/**
 * Consul answered 2xx with a body that cannot be used: of another shape than the caller expects
 * (another Consul version, a proxy's page, a truncated answer), larger than the answer limit, or
 * nested deeper than any Consul answer. A ConsulApiError (method, path, address, status) whose
 * message names the endpoint and the fields, never their values (an answer may hold a token or a
 * private key).
 */
export class AnswerShapeError extends ConsulApiError {
    override readonly name = "AnswerShapeError";
    constructor(
        method: string,
        path: string,
        address: string,
        problem: readonly z.core.$ZodIssue[] | string,
        statusCode = 200,
        cluster?: string,
    ) {
        const what =
            typeof problem === "string" ? `answered with ${problem}` : `answered in an unexpected shape (${shapeProblems(problem)})`;
        super(method, path, statusCode, what, address, undefined, undefined, cluster);
        this.message = `Consul ${method} ${path} at ${where(address, cluster)} ${what}`;
    }
}

function shapeProblems(issues: readonly z.core.$ZodIssue[]): string {
    const problems = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join(".") : "(the answer)"}: ${i.message}`);
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
    return boundedMessage(`${problems.join("; ")}${more}`);
}

/** The answer size limit's environment variable (bytes; read at call time). */
export const MAX_ANSWER_ENV = "CONSUL_MESH_MAX_ANSWER_BYTES";
/**
 * The default answer size limit: 32 MiB, far above any answer of Consul's (a listing of thousands of
 * config entries is a few MB), far below what would hurt the provider process.
 */
export const DEFAULT_MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** How much of an error body is read: a message needs far less. */
export const ERROR_BODY_BYTES = 64 * 1024;
/** The longest Consul message an error carries (characters). */
export const MAX_MESSAGE_CHARS = 2000;
/** No Consul answer nests nearly this deep; deeper JSON would exhaust recursive parsers and comparisons. */
export const MAX_ANSWER_DEPTH = 256;

function maxAnswerBytes(): number {
    const set = Number(process.env[MAX_ANSWER_ENV]);
    return Number.isSafeInteger(set) && set > 0 ? set : DEFAULT_MAX_ANSWER_BYTES;
}

/** A message cut to MAX_MESSAGE_CHARS (cut after scrubbing, so that no part of a secret is left). */
export function boundedMessage(text: string): string {
    if (text.length <= MAX_MESSAGE_CHARS) return text;
    return `${text.slice(0, MAX_MESSAGE_CHARS)}... (${text.length - MAX_MESSAGE_CHARS} more characters not shown)`;
}

/**
 * Reads at most `limit` bytes of a body, then stops reading (the connection is dropped rather than
 * drained). A declared Content-Length over the limit is refused before reading anything.
 */
async function readBounded(
    body: AsyncIterable<Uint8Array> & { destroy: (err?: Error) => unknown },
    limit: number,
    contentLength?: string,
): Promise<{ text: string; truncated: boolean }> {
    if (contentLength !== undefined && Number(contentLength) > limit) {
        body.destroy();
        return { text: "", truncated: true };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
        const room = limit - size;
        if (chunk.byteLength > room) {
            chunks.push(chunk.subarray(0, room));
            body.destroy();
            return { text: Buffer.concat(chunks).toString("utf8"), truncated: true };
        }
        chunks.push(chunk);
        size += chunk.byteLength;
    }
    return { text: Buffer.concat(chunks).toString("utf8"), truncated: false };
}

/** How deep a parsed JSON value nests, counted without recursion (stops counting past MAX_ANSWER_DEPTH). */
export function nestingDepth(value: unknown): number {
    let deepest = 0;
    const stack: Array<[unknown, number]> = [[value, 0]];
    while (stack.length > 0) {
        const [v, depth] = stack.pop()!;
        if (v === null || typeof v !== "object") continue;
        const d = depth + 1;
        if (d > deepest) deepest = d;
        if (deepest > MAX_ANSWER_DEPTH) return deepest;
        for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d]);
    }
    return deepest;
}

/**
 * A request to a resource's recorded cluster that was not sent: the credentials the current
 * settings hold belong to another cluster (see resolveRecorded). Says which clusters and what to set.
 */
export class CredentialsElsewhereError extends Error {
    override readonly name = "CredentialsElsewhereError";
    constructor(
        readonly method: string,
        readonly path: string,
        advice: string,
    ) {
        super(`consul-mesh did not send ${method} ${path}: ${advice}`);
    }
}

/**
 * Refuses a request path with a `.` or `..` segment (also percent-encoded), which the URL parser
 * would resolve to another endpoint: names are encoded with encodeURIComponent, which leaves dots.
 */
export function assertSafePath(path: string): void {
    const segments = path.split("?")[0].split("/");
    if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s))) {
        throw new Error(`refusing the request path ${JSON.stringify(path)}: a "." or ".." segment would reach another endpoint`);
    }
}

/** The last error, saying that every listed server was tried. */
function everyServerFailed(err: ConsulApiError, urls: string[]): ConsulApiError {
    const message = `${err.consulMessage} (tried every server: ${urls.join(", ")})`;
    return new ConsulApiError(err.method, err.path, err.statusCode, message, err.address, err.index, err.code, err.cluster);
}

function headerValue(v: string | string[] | undefined): string | undefined {
    return Array.isArray(v) ? v[0] : v;
}
