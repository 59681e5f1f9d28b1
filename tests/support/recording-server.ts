// A loopback HTTP server that records every request (method, path, headers) and answers with what
// the test scripts. It stands in for no Consul behaviour: the security tests use it to see which
// token and headers a client sends to which address, and to feed the client malformed answers.
import * as http from "node:http";

export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    /** The X-Consul-Token header, if any. */
    token?: string;
}

export interface RecordingServer {
    address: string;
    requests: RecordedRequest[];
    close(): Promise<void>;
}

export type Answer = (req: RecordedRequest) => { status: number; body: string; contentType?: string };

const ok: Answer = () => ({ status: 200, body: "{}", contentType: "application/json" });

export async function startRecordingServer(answer: Answer = ok): Promise<RecordingServer> {
    const requests: RecordedRequest[] = [];
    const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
            const header = req.headers["x-consul-token"];
            const recorded: RecordedRequest = {
                method: req.method ?? "",
                path: req.url ?? "",
                headers: req.headers,
                token: Array.isArray(header) ? header.join(",") : header,
            };
            requests.push(recorded);
            const { status, body, contentType } = answer(recorded);
            res.writeHead(status, { "content-type": contentType ?? "text/plain" });
            res.end(body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("recording server: no TCP address");
    return {
        address: `http://127.0.0.1:${bound.port}`,
        requests,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
