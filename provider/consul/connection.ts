// Where and how to reach Consul. Each field is resolved on its own, in this order: the resource's
// `connection` input, the stack config (`consul-mesh:<field>`), Consul's own environment variables,
// then the default (http://127.0.0.1:8500). Resolution happens at call time, inside the provider
// process, so nothing from the environment is captured into state.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { canonical, isUnknown, memoized, UNKNOWN } from "../model/validation";

/** The `connection` input as the provider receives it (all optional). */
export interface ConnectionInput {
    address?: string;
    token?: string;
    tokenFile?: string;
    datacenter?: string;
    caCert?: string;
    caPath?: string;
    clientCert?: string;
    clientKey?: string;
    tlsServerName?: string;
    insecureSkipVerify?: boolean;
    headers?: Record<string, string>;
    timeoutMs?: number;
    /** How messages name this cluster (PeeringMesh: the fleet's name); not sent to Consul, not its identity. */
    clusterName?: string;
}

export function connectionSchema() {
    return z
        .object({
            address: z.string().min(1).optional(),
            token: z.string().optional(),
            tokenFile: z.string().min(1).optional(),
            datacenter: z
                .string()
                .regex(/^[A-Za-z0-9_-]+$/, "must contain only letters, digits, '_' and '-'")
                .optional(),
            caCert: z.string().min(1).optional(),
            caPath: z.string().min(1).optional(),
            clientCert: z.string().min(1).optional(),
            clientKey: z.string().min(1).optional(),
            tlsServerName: z.string().min(1).optional(),
            insecureSkipVerify: z.boolean().optional(),
            headers: z
                .record(z.string(), z.string())
                .superRefine((h, ctx) => {
                    const refused = refusedHeader(h);
                    if (refused) ctx.addIssue({ code: "custom", message: refused });
                })
                .optional(),
            timeoutMs: z.number().int().min(100).max(600_000).optional(),
            clusterName: z.string().min(1).max(128).optional(),
        })
        .strict();
}

/**
 * Why a set of headers is refused, or undefined. Both headers carry an ACL token that Consul
 * honours (X-Consul-Token, and `Authorization: Bearer <token>`): a token given as a header would
 * escape the rules that keep each token to its own cluster and out of messages. Names only, never values.
 */
export function refusedHeader(headers: Record<string, string>): string | undefined {
    const names = Object.keys(headers).map((k) => k.toLowerCase());
    if (names.includes("x-consul-token")) return "headers must not set X-Consul-Token: give the token as token (or tokenFile)";
    if (names.includes("authorization")) {
        return "headers must not set Authorization: Consul takes a Bearer value as the ACL token; give the token as token (or tokenFile)";
    }
    return undefined;
}

/** Everything a request needs, fully resolved. */
export interface ResolvedConnection {
    /** Base URL without trailing slash, e.g. http://127.0.0.1:8500 (the first of `baseUrls`). */
    baseUrl: string;
    /**
     * Every server address, in the order given (`address` may list several, comma-separated); the
     * client fails over to the next one on connection errors and while a server has no leader.
     */
    baseUrls: string[];
    token?: string;
    datacenter?: string;
    tls: {
        ca?: string;
        cert?: string;
        key?: string;
        servername?: string;
        rejectUnauthorized: boolean;
    };
    headers: Record<string, string>;
    timeoutMs: number;
    /** How messages name the cluster (the connection's `clusterName`). */
    clusterName?: string;
    /**
     * Set when the connection is pinned to a resource's recorded cluster (see resolveRecorded) while
     * the credentials the current settings hold belong to another cluster, and nothing of the
     * resource's own applies: a request that would go without a token fails with this message
     * before anything is sent (neither the other cluster's token nor an anonymous request, whose
     * filtered answers could read as "deleted").
     */
    withheldCredentials?: string;
}

export type ConfigLookup = (key: string) => string | undefined;

const DEFAULT_TIMEOUT_MS = 30_000;

function parseBool(value: string | undefined): boolean | undefined {
    if (value === undefined || value === "") return undefined;
    const v = value.trim().toLowerCase();
    if (["1", "t", "true", "yes", "on"].includes(v)) return true;
    if (["0", "f", "false", "no", "off"].includes(v)) return false;
    throw new Error(`"${value}" is not a boolean`);
}

/** CONSUL_HTTP_SSL where an identity is computed: an unusable value counts as unset (resolving a connection reports it). */
function lenientUseTls(env: NodeJS.ProcessEnv): boolean | undefined {
    try {
        return parseBool(env.CONSUL_HTTP_SSL);
    } catch {
        return undefined;
    }
}

const DEFAULT_ADDRESS = "127.0.0.1:8500";

function nonEmpty(value: string | undefined): string | undefined {
    return value === undefined || value.trim() === "" ? undefined : value;
}

/** The system error code of a failed file operation (ENOENT, EACCES...), never its message (which quotes the path). */
function errorCode(err: unknown): string {
    const code: unknown = err !== null && typeof err === "object" ? Reflect.get(err, "code") : undefined;
    return typeof code === "string" ? code : "unreadable";
}

/** PEM text as given, or the contents of the file it names. */
function pemOrFile(value: string | undefined, what: string): string | undefined {
    if (value === undefined) return undefined;
    if (value.includes("-----BEGIN")) return value;
    try {
        return fs.readFileSync(value, "utf8");
    } catch (err) {
        // The value may be key material that is not PEM: name the field, never the value.
        // eslint-disable-next-line preserve-caught-error -- the cause's message quotes the value, which may be key material
        throw new Error(`${what} is neither PEM text nor a readable file (${errorCode(err)})`);
    }
}

function readCaPath(dir: string): string {
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch (err) {
        // eslint-disable-next-line preserve-caught-error -- the cause's message quotes the value, which may be key material
        throw new Error(`caPath is not a readable directory (${errorCode(err)})`);
    }
    return names
        .filter((n) => /\.(pem|crt)$/i.test(n))
        .sort()
        .map((n) => fs.readFileSync(path.join(dir, n), "utf8"))
        .join("\n");
}

/**
 * Normalises a Consul-style address ("host:port", "http://host:port", "https://host:port/prefix") to
 * one spelling per endpoint: scheme and host in lower case, the scheme's default port (80, 443)
 * dropped, no trailing slash. A bare "host:port" takes https when `useTls` (CONSUL_HTTP_SSL), else
 * http. Like Consul's own client, a bare host without port means port 80 (443 with TLS), not 8500.
 */
export function normalizeAddress(address: string, useTls: boolean | undefined): string {
    const trimmed = address.trim();
    if (/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i.test(trimmed)) {
        const shown = trimmed.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, "$1");
        throw new Error(`address "${shown}" (credentials left out here) must not carry user:password@: give the ACL token as token`);
    }
    if (/^unix:\/\//i.test(trimmed)) {
        throw new Error(`address "${address}": unix sockets are not supported; use http:// or https://`);
    }
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `${useTls ? "https" : "http"}://${trimmed}`;
    let url: URL;
    try {
        url = new URL(withScheme);
    } catch {
        throw new Error(`address "${address}" is not a valid URL or host:port`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new Error(`address "${address}": scheme must be http or https`);
    }
    if (url.search !== "" || url.hash !== "") {
        throw new Error(`address "${address}": must not carry a query or fragment`);
    }
    if (url.pathname.replace(/\/+$/, "") !== "") {
        throw new Error(
            `address "${address}": must not carry a path ("${url.pathname}"): requests, and the token with them, would go to another endpoint`,
        );
    }
    // URL lower-cases the scheme and the host and drops the scheme's default port.
    return `${url.protocol}//${url.host}`;
}

/**
 * Splits a comma-separated address list ("a:8500,b:8500" or "http://a:8500, http://b:8500") and
 * normalises each entry; duplicates (in any spelling) are dropped, order is kept (the first is tried first).
 */
export function normalizeAddresses(address: string, useTls: boolean | undefined): string[] {
    const parts = address
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== "");
    if (parts.length === 0) throw new Error(`address "${address}" names no server`);
    const urls = parts.map((a) => normalizeAddress(a, useTls));
    return urls.filter((u, i) => urls.indexOf(u) === i);
}

/** The address list as an identity: normalised, without credentials, sorted (order is a preference, not a cluster). */
function addressIdentity(address: string, useTls: boolean | undefined): string {
    let urls: string[];
    try {
        urls = normalizeAddresses(address, useTls);
    } catch {
        // check reports an unusable address; identity falls back to the text as written, without credentials.
        return address.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, "$1");
    }
    const withoutUserinfo = urls.map((u) => u.replace(/^(https?:\/\/)[^@/]*@/, "$1"));
    return [...new Set(withoutUserinfo)].sort().join(",");
}

/** A cluster to reach whatever the settings say (a resource's recorded cluster; see resolveRecorded). */
export interface PinnedTarget {
    /** Comma-separated server addresses. */
    address: string;
    /** The datacenter, or undefined for none (the settings' datacenter is not taken either). */
    datacenter: string | undefined;
}

/** A connection resolved, with the names of the settings whose token was kept back (they belong to another address). */
interface Resolution {
    conn: ResolvedConnection;
    /** Where the settings' token or token file comes from, for each level that did not apply here. */
    withheld: string[];
    /** The resource asked for anonymous requests (`token: ""`). */
    anonymous: boolean;
}

/**
 * Resolves a connection. `config` reads stack config keys (without the namespace), `env` is the
 * process environment. Throws a plain Error (never containing the token) on unusable settings.
 */
export function resolveConnection(input: ConnectionInput | undefined, config: ConfigLookup, env: NodeJS.ProcessEnv): ResolvedConnection {
    return resolve(input, config, env, undefined).conn;
}

function resolve(
    input: ConnectionInput | undefined,
    config: ConfigLookup,
    env: NodeJS.ProcessEnv,
    at: PinnedTarget | undefined,
): Resolution {
    const given = input ?? {};
    const str = (field: keyof ConnectionInput, envName?: string): string | undefined => {
        const fromInput = given[field];
        if (typeof fromInput === "string" && fromInput !== "") return fromInput;
        const fromConfig = config(field);
        if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
        const fromEnv = envName ? env[envName] : undefined;
        return fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined;
    };

    const useTls = parseBool(env.CONSUL_HTTP_SSL);
    const address = at?.address ?? str("address", "CONSUL_HTTP_ADDR") ?? DEFAULT_ADDRESS;
    const baseUrls = normalizeAddresses(address, useTls);

    // Which token goes with this address. A token file beats a token at the same level (input,
    // config, env), as in Consul's client. The resource's own token always applies, and `token: ""`
    // means anonymous. A stack-config token belongs to the stack's address (consul-mesh:address, or
    // else the environment's or the default address) and an environment token to the environment's
    // address (CONSUL_HTTP_ADDR, or else the default): neither follows a resource to another cluster.
    const here = addressIdentity(address, useTls);
    const envAddress = nonEmpty(env.CONSUL_HTTP_ADDR) ?? DEFAULT_ADDRESS;
    const stackAddress = nonEmpty(config("address")) ?? envAddress;
    const stackHere = addressIdentity(stackAddress, useTls) === here;
    let token: string | undefined;
    const levels: Array<{ token?: string; tokenFile?: string; appliesHere: boolean; what: string; names: string }> = [
        { token: given.token, tokenFile: given.tokenFile, appliesHere: true, what: "tokenFile", names: "connection.token" },
        {
            token: config("token"),
            tokenFile: config("tokenFile"),
            appliesHere: stackHere,
            what: "consul-mesh:tokenFile",
            names: "consul-mesh:token/tokenFile",
        },
        {
            token: env.CONSUL_HTTP_TOKEN,
            tokenFile: env.CONSUL_HTTP_TOKEN_FILE,
            appliesHere: addressIdentity(envAddress, useTls) === here,
            what: "CONSUL_HTTP_TOKEN_FILE",
            names: "CONSUL_HTTP_TOKEN/CONSUL_HTTP_TOKEN_FILE",
        },
    ];
    const withheld = levels.filter((l) => !l.appliesHere && (nonEmpty(l.token) ?? nonEmpty(l.tokenFile)) !== undefined).map((l) => l.names);
    let anonymous = false;
    for (const level of levels) {
        if (!level.appliesHere) continue;
        if (level.tokenFile) {
            let text: string;
            try {
                text = fs.readFileSync(level.tokenFile, "utf8");
            } catch (err) {
                // eslint-disable-next-line preserve-caught-error -- the cause's message quotes the value, which may be key material
                throw new Error(`${level.what} is not a readable file (${errorCode(err)})`);
            }
            token = text.trim();
            if (token === "") throw new Error(`${level.what} names an empty file: requests would go without a token (anonymous)`);
            break;
        }
        if (level.token !== undefined && level === levels[0] && level.token === "") {
            anonymous = true; // anonymous on purpose
            break;
        }
        if (level.token) {
            token = level.token;
            break;
        }
    }

    let insecure = given.insecureSkipVerify;
    if (insecure === undefined) insecure = parseBool(config("insecureSkipVerify"));
    if (insecure === undefined) {
        const verify = parseBool(env.CONSUL_HTTP_SSL_VERIFY);
        insecure = verify === undefined ? undefined : !verify;
    }

    const caFile = str("caCert", "CONSUL_CACERT");
    const caDir = str("caPath", "CONSUL_CAPATH");
    const caParts = [pemOrFile(caFile, "caCert"), caDir ? readCaPath(caDir) : undefined].filter((x): x is string => x !== undefined);

    // Stack-config headers may be a proxy's credentials of the stack's cluster: like the stack token,
    // they go to the stack's address only. The resource's own headers go wherever it points.
    let stackHeaders: Record<string, string> = {};
    const configHeaders = config("headers");
    if (configHeaders) {
        try {
            stackHeaders = z.record(z.string(), z.string()).parse(JSON.parse(configHeaders));
        } catch {
            throw new Error("stack config consul-mesh:headers must be a JSON object of strings");
        }
    }
    const refused = refusedHeader({ ...stackHeaders, ...(given.headers ?? {}) });
    if (refused) throw new Error(refused);
    const headers = { ...(stackHere ? stackHeaders : {}), ...(given.headers ?? {}) };

    let timeoutMs = given.timeoutMs;
    if (timeoutMs === undefined && config("timeoutMs")) timeoutMs = Number(config("timeoutMs"));
    if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
        throw new Error(`timeoutMs must be a positive number of milliseconds`);
    }

    const conn: ResolvedConnection = {
        baseUrl: baseUrls[0],
        baseUrls,
        token,
        datacenter: at ? at.datacenter : str("datacenter"),
        tls: {
            ca: caParts.length > 0 ? caParts.join("\n") : undefined,
            cert: pemOrFile(str("clientCert", "CONSUL_CLIENT_CERT"), "clientCert"),
            key: pemOrFile(str("clientKey", "CONSUL_CLIENT_KEY"), "clientKey"),
            servername: str("tlsServerName", "CONSUL_TLS_SERVER_NAME"),
            rejectUnauthorized: insecure !== true,
        },
        headers,
        timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(given.clusterName ? { clusterName: given.clusterName } : {}),
    };
    return { conn, withheld, anonymous };
}

/**
 * The cluster a resource's object lives at, from the connection input alone (no stack config or
 * environment): the normalised address set and the datacenter. Different spellings of one address
 * ("127.0.0.1:8500", "HTTP://127.0.0.1:8500/", a reordered server list) give the same target. No secrets.
 */
export function connectionTarget(input: ConnectionInput | undefined): string {
    const raw = input?.address;
    const address = raw === undefined || raw === "" ? "" : addressIdentity(raw, undefined);
    return `${address}|${input?.datacenter ?? ""}`;
}

/** The two fields of a connection that name its cluster; built once (clusterTarget runs in every check and diff). */
const targetFields = memoized(() => z.object({ address: z.string().optional(), datacenter: z.string().optional() }));

/**
 * The cluster a resource's object lives at, resolved as requests are (input, stack config,
 * environment, default) and normalised: "http://127.0.0.1:8500", or with a datacenter
 * "http://127.0.0.1:8500?dc=dc2". Unknown (Pulumi's sentinel) while the address or datacenter is
 * unknown at preview. Never contains credentials. Shown in previews as the `cluster` input, so a
 * replacement caused by a real change of cluster says where from and where to.
 */
export function clusterTarget(connection: unknown, config: ConfigLookup, env: NodeJS.ProcessEnv): string {
    if (isUnknown(connection)) return UNKNOWN;
    // Raw check inputs: only address and datacenter matter here (the rest may still be unknown).
    const parsed = targetFields().safeParse(connection ?? {});
    const input = parsed.success ? parsed.data : {};
    if (isUnknown(input.address) || isUnknown(input.datacenter)) return UNKNOWN;
    const pick = (given: string | undefined, key: string, envName?: string): string | undefined => {
        if (given !== undefined && given !== "") return given;
        const fromConfig = config(key);
        if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
        const fromEnv = envName ? env[envName] : undefined;
        return fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined;
    };
    const useTls = lenientUseTls(env);
    const address = addressIdentity(pick(input.address, "address", "CONSUL_HTTP_ADDR") ?? "127.0.0.1:8500", useTls);
    const datacenter = pick(input.datacenter, "datacenter");
    return datacenter === undefined ? address : `${address}?dc=${datacenter}`;
}

/**
 * The address list and datacenter of a recorded cluster target (clusterTarget's format), or
 * undefined when the text is not one (unknown, or an address check would have refused).
 */
export function parseClusterTarget(cluster: unknown): PinnedTarget | undefined {
    if (typeof cluster !== "string" || isUnknown(cluster) || cluster === "") return undefined;
    const at = cluster.lastIndexOf("?dc=");
    const address = at < 0 ? cluster : cluster.slice(0, at);
    const datacenter = at < 0 ? undefined : cluster.slice(at + 4);
    try {
        // Recorded targets are normalised with their scheme: CONSUL_HTTP_SSL cannot change them.
        if (addressIdentity(address, undefined) !== address) return undefined;
    } catch {
        return undefined;
    }
    return { address, datacenter: datacenter === "" ? undefined : datacenter };
}

/**
 * The connection for a resource that exists in Consul (read, delete, the old side of a
 * replacement): it reaches the cluster recorded in the resource's `cluster`, whatever the stack
 * config and environment say today. With settings that still reach that cluster, it is the
 * ordinary resolution. When they now reach another one, the requests still go to the recorded
 * cluster, with the resource's own connection (token, TLS, headers) and only those settings whose
 * address is the recorded one: a token of the stack config or environment that belongs to another
 * address is never sent there. If such a token is all the settings hold, `withheldCredentials`
 * says so, and the client fails every request that would go without a token (see ConsulClient).
 * State written before `cluster` existed resolves as before.
 */
export function resolveRecorded(located: Located, config: ConfigLookup, env: NodeJS.ProcessEnv): ResolvedConnection {
    const recorded = located.cluster;
    const target = parseClusterTarget(recorded);
    const current = clusterTarget(located.connection, config, env);
    if (target === undefined || recorded === undefined || current === recorded) return resolveConnection(located.connection, config, env);
    const { conn, withheld, anonymous } = resolve(located.connection, config, env, target);
    if (conn.token === undefined && !anonymous && withheld.length > 0) {
        conn.withheldCredentials = withheldAdvice(recorded, current, target, withheld);
    }
    return conn;
}

function withheldAdvice(recorded: string, current: string, target: PinnedTarget, withheld: string[]): string {
    const first = target.address.split(",")[0];
    return (
        `this resource lives at ${recorded} (recorded when it was deployed), but the settings now reach ${current}; ` +
        `their token (${withheld.join(", ")}) belongs to another address and is never sent to ${recorded}, and the ` +
        `resource's own connection holds none. Give a token of ${recorded} for this run: CONSUL_HTTP_ADDR=${first} and ` +
        "CONSUL_HTTP_TOKEN (or CONSUL_HTTP_TOKEN_FILE) set to it (consul-mesh:address, if set, still places new " +
        "resources), or point consul-mesh:address and consul-mesh:token back at it"
    );
}

/** What a resource's inputs and outputs carry about where it lives. */
export interface Located {
    connection?: ConnectionInput;
    /** The computed cluster target (see clusterTarget); absent in state written before it existed. */
    cluster?: string;
}

/**
 * The connection part of a diff: `cluster` replaces (another cluster), a changed connection that
 * still reaches the same cluster (credentials, TLS, another spelling of the address) is an update.
 * The old target is the one recorded at the last deployment, so a changed stack config or
 * environment that moves the resource to another cluster is a replacement too.
 */
export function connectionDiff(
    olds: Located,
    news: Located,
    config: ConfigLookup,
    env: NodeJS.ProcessEnv,
): { replaces: string[]; changes: string[] } {
    const before = typeof olds.cluster === "string" ? olds.cluster : clusterTarget(olds.connection, config, env);
    const after = typeof news.cluster === "string" ? news.cluster : clusterTarget(news.connection, config, env);
    // Unknown at preview: the SDK wraps the whole connection in one secret, so a token that is itself
    // being replaced (a rotation) makes the whole connection, and the target, unknown. That previews
    // as an update; at `up` the values are known and this diff decides again (a real move replaces).
    if (after === UNKNOWN || isUnknown(news.connection)) return { replaces: [], changes: ["connection"] };
    if (before !== after) return { replaces: ["cluster"], changes: [] };
    return { replaces: [], changes: sameConnection(olds.connection, news.connection, env) ? [] : ["connection"] };
}

/** Whether two connections are the same, as diff compares them (another spelling of the same addresses is the same). */
export function sameConnection(a: ConnectionInput | undefined, b: ConnectionInput | undefined, env: NodeJS.ProcessEnv): boolean {
    return canonical(comparable(a, env)) === canonical(comparable(b, env));
}

/**
 * A connection as diff compares it: the address list in its normalised spelling, in the order given
 * (order is the failover preference). Another spelling of the same addresses is then no change at all,
 * so a resource whose outputs feed another one's inputs (a PeeringToken's token into a Peering) keeps
 * them known in the preview, instead of an update that makes them unknown there.
 */
function comparable(given: ConnectionInput | undefined, env: NodeJS.ProcessEnv): ConnectionInput {
    // The name messages give the cluster is no change to how it is reached.
    const { clusterName: _name, ...connection } = given ?? {};
    if (!connection.address || isUnknown(connection.address)) return connection;
    try {
        return { ...connection, address: normalizeAddresses(connection.address, lenientUseTls(env)).join(",") };
    } catch {
        return connection;
    }
}
