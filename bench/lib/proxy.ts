// A counting HTTP forwarding proxy on loopback: the benchmark programs point at it instead of the
// Consul agent, so every request Consul receives is counted by method and by endpoint.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface RequestCounts {
    total: number;
    byMethod: Record<string, number>;
    /** "<METHOD> <path without query, service names collapsed to :name>" -> count. */
    byEndpoint: Record<string, number>;
    /**
     * Config-entry writes per entry name: `PUT /v1/config` (the name read from the body) and
     * `DELETE /v1/config/<kind>/<name>`. How many times each destination's entry was written.
     */
    writesByEntry: Record<string, number>;
    /** Every request as "<METHOD> <url with query>", in arrival order (for tests and traces). */
    requests: string[];
    /** Arrival time of each of `requests`, in ms since the counts were started (monotonic clock: the VM's wall clock can jump). */
    at: number[];
}

export function emptyCounts(): RequestCounts {
    return { total: 0, byMethod: {}, byEndpoint: {}, writesByEntry: {}, requests: [], at: [] };
}

/** /v1/config/service-intentions/web -> /v1/config/service-intentions/:name, and so on. */
export function endpointOf(method: string, url: string): string {
    const pathOnly = url.split("?")[0];
    const collapsed = pathOnly
        .replace(/^(\/v1\/config\/[^/]+)\/.+$/, "$1/:name")
        .replace(/^(\/v1\/connect\/intentions\/exact).*$/, "$1")
        .replace(/^(\/v1\/catalog\/service)\/.+$/, "$1/:name");
    return `${method} ${collapsed}`;
}

/** The config entry a request writes, or undefined: the body's Name for `PUT /v1/config`, the path's name for a DELETE. */
export function writtenEntryOf(method: string, url: string, body: string): string | undefined {
    const pathOnly = url.split("?")[0];
    if (method === "PUT" && pathOnly === "/v1/config") {
        try {
            const name = (JSON.parse(body) as { Name?: unknown }).Name;
            return typeof name === "string" ? name : undefined;
        } catch {
            return undefined;
        }
    }
    const m = method === "DELETE" ? /^\/v1\/config\/[^/]+\/(.+)$/.exec(pathOnly) : null;
    return m ? decodeURIComponent(m[1]) : undefined;
}

export class CountingProxy {
    private counts = emptyCounts();
    private since = performance.now();
    private server?: http.Server;
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    private readonly target: URL;

    constructor(target: string) {
        this.target = new URL(target);
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            const method = req.method ?? "GET";
            // The counts of the phase the request arrived in, even if take() runs before its body ends.
            const counts = this.counts;
            const url = req.url ?? "/";
            counts.total++;
            counts.byMethod[method] = (counts.byMethod[method] ?? 0) + 1;
            const endpoint = endpointOf(method, url);
            counts.byEndpoint[endpoint] = (counts.byEndpoint[endpoint] ?? 0) + 1;
            counts.requests.push(`${method} ${url}`);
            counts.at.push(Math.round(performance.now() - this.since));
            const upstream = http.request(
                {
                    host: this.target.hostname,
                    port: this.target.port,
                    method,
                    path: url,
                    headers: { ...req.headers, host: this.target.host },
                    agent: this.agent,
                },
                (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                },
            );
            upstream.on("error", (err) => {
                if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
                res.end(`bench proxy: ${err.message}`);
            });
            const chunks: Buffer[] = [];
            if (method === "PUT" || method === "DELETE") req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const entry = writtenEntryOf(method, url, Buffer.concat(chunks).toString());
                if (entry !== undefined) counts.writesByEntry[entry] = (counts.writesByEntry[entry] ?? 0) + 1;
            });
            req.pipe(upstream);
        });
        this.server.keepAliveTimeout = 30_000;
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        const { port } = this.server.address() as AddressInfo;
        return `127.0.0.1:${port}`;
    }

    /** Returns the counts since the last take() (or start) and starts counting afresh. */
    take(): RequestCounts {
        const out = this.counts;
        this.counts = emptyCounts();
        this.since = performance.now();
        return out;
    }

    async stop(): Promise<void> {
        this.agent.destroy();
        if (!this.server) return;
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
}
