// A plain TCP forwarder on loopback that a test can cut (every connection reset, nothing listening)
// and bring back on the same port: a network outage between two clusters' gRPC ports.
import * as net from "node:net";

export class TcpProxy {
    private server?: net.Server;
    private readonly sockets = new Set<net.Socket>();
    port = 0;

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
            client.pipe(upstream);
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
        const server = this.server;
        this.server = undefined;
        for (const s of this.sockets) s.resetAndDestroy();
        this.sockets.clear();
        if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
}
