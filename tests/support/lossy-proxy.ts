// A forwarding proxy on loopback in front of a real Consul agent that can lose answers: the request
// reaches Consul and is applied, then the client's connection is cut before the response arrives
// (what a leader killed right after a commit, or a dropped connection, looks like to a client).
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface LostAnswer {
    method: string;
    url: string;
    /** Consul's status for the request whose answer was lost. */
    status: number;
    /** Consul's answer that was lost ("true" for an applied compare-and-set write). */
    body: string;
}

/** Decides per request (after reading its body) whether to lose Consul's answer. */
export type LosePolicy = (method: string, url: string, body: string) => boolean;

/** An answer the proxy gives itself instead of forwarding the request (Consul never sees it). */
export interface RefusedAnswer {
    status: number;
    body: string;
}

/** Decides per request (after reading its body) whether to refuse it without forwarding, and how. */
export type RefusePolicy = (method: string, url: string, body: string) => RefusedAnswer | undefined;

export class LossyProxy {
    readonly lost: LostAnswer[] = [];
    /** Requests answered by `refuse` instead of Consul. */
    readonly refused: { method: string; url: string; status: number }[] = [];
    forwarded = 0;
    /** Answers some requests itself, before Consul sees them (say, a 429 as Consul's rate limiter gives it). */
    refuse: RefusePolicy = () => undefined;
    private server?: http.Server;
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    private readonly target: URL;

    /** Runs after Consul applied a write whose answer is being lost, before the client's connection is cut. */
    afterLoss?: (lost: LostAnswer, requestBody: string) => Promise<void>;

    constructor(
        target: string,
        public lose: LosePolicy = () => false,
    ) {
        this.target = new URL(target);
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const body = Buffer.concat(chunks);
                const method = req.method ?? "GET";
                const url = req.url ?? "/";
                const refusal = this.refuse(method, url, body.toString());
                if (refusal) {
                    this.refused.push({ method, url, status: refusal.status });
                    res.writeHead(refusal.status, { "content-type": "text/plain; charset=utf-8" });
                    res.end(refusal.body);
                    return;
                }
                const loseIt = this.lose(method, url, body.toString());
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
                        const answer: Buffer[] = [];
                        up.on("data", (c: Buffer) => answer.push(c));
                        up.on("end", () => {
                            this.forwarded++;
                            if (loseIt) {
                                // Consul has answered (and applied the write): the client never hears of it.
                                const lost = { method, url, status: up.statusCode ?? 0, body: Buffer.concat(answer).toString().trim() };
                                this.lost.push(lost);
                                void (this.afterLoss?.(lost, body.toString()) ?? Promise.resolve()).finally(() => req.socket.destroy());
                                return;
                            }
                            res.writeHead(up.statusCode ?? 502, up.headers);
                            res.end(Buffer.concat(answer));
                        });
                    },
                );
                upstream.on("error", () => req.socket.destroy());
                upstream.end(body);
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        this.agent.destroy();
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}
