// A plain TCP forwarder on loopback that a test can cut (every connection reset, nothing listening)
// and bring back on the same port: a network outage between two clusters' gRPC ports, or, in front
// of an agent's HTTP port, the agent stopping at a chosen request (`cutBefore`).
import * as net from "node:net";

export class TcpProxy {
    private server?: net.Server;
    private readonly sockets = new Set<net.Socket>();
    port = 0;
    /** HTTP request lines seen (`POST /v1/peering/establish HTTP/1.1`), in order: what reached the agent. */
    readonly requests: string[] = [];
    /**
     * Checked on each HTTP request line a client sends (a request's first chunk): true cuts the proxy
     * before that request is forwarded, as if the agent had stopped there. Unset: nothing is cut.
     */
    cutBefore?: (requestLine: string) => boolean;

    constructor(
        private readonly targetHost: string,
        private readonly targetPort: number,
    ) {}

    /** Listens (on the same port as before when restarted) and returns the port. */
    async start(): Promise<number> {
        const server = net.createServer((client) => {
            const upstream = net.connect(this.targetPort, this.targetHost);
            for (const s of [client, upstream]) {
                this.sockets.add(s);
                s.on("close", () => this.sockets.delete(s));
                s.on("error", () => {
                    client.destroy();
                    upstream.destroy();
                });
            }
            client.on("data", (chunk: Buffer) => {
                const line = /^[A-Z]+ \S+ HTTP\/1\.[01]/.exec(chunk.toString("latin1", 0, Math.min(chunk.length, 512)))?.[0];
                if (line && this.cutBefore?.(line)) {
                    void this.cut();
                    return;
                }
                if (line) this.requests.push(line);
                upstream.write(chunk);
            });
            client.on("end", () => upstream.end());
            upstream.pipe(client);
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.port, "127.0.0.1", () => resolve());
        });
        this.server = server;
        this.port = (server.address() as net.AddressInfo).port;
        return this.port;
    }

    /** The outage: resets every connection and stops listening. */
    async cut(): Promise<void> {
        this.cutBefore = undefined;
        const server = this.server;
        this.server = undefined;
        for (const s of this.sockets) s.resetAndDestroy();
        this.sockets.clear();
        if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
}
