// Runs the built `consul-mesh import` command (dist/provider/cli/main.js) with Consul's connection
// variables cleared, so that only the flags a test gives reach the cluster.
import { spawn } from "node:child_process";
import * as path from "node:path";

const cli = path.resolve(__dirname, "..", "..", "dist", "provider", "cli", "main.js");

export interface Ran {
    code: number;
    stdout: string;
    stderr: string;
}

/** `consul-mesh import <args>`, with `stdin` (say, a token for `--token-stdin`) on its standard input. */
export function runImport(args: string[], stdin = ""): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, "import", ...args], {
            env: { ...process.env, CONSUL_HTTP_ADDR: undefined, CONSUL_HTTP_TOKEN: undefined, CONSUL_HTTP_TOKEN_FILE: undefined },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(stdin);
    });
}
