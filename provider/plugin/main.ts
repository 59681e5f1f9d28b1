// Entry of the `pulumi-resource-consul-mesh` plugin (the executable of the same name at the package
// root runs Node on this file's build). The engine starts it with its own address as the argument
// and reads the port we listen on from our first line of standard output.
import "./compile-cache";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { z } from "zod";
import { consulMeshService } from "./server";

/** The package root: the nearest directory above this file holding consul-mesh's package.json. */
function packageRoot(): string {
    let dir = __dirname;
    for (;;) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest)) {
            const parsed = z
                .object({ name: z.string() })
                .loose()
                .safeParse(JSON.parse(fs.readFileSync(manifest, "utf8")));
            if (parsed.success && parsed.data.name === "consul-mesh") return dir;
        }
        const up = path.dirname(dir);
        if (up === dir) throw new Error(`consul-mesh's package.json not found above ${__dirname}`);
        dir = up;
    }
}

/**
 * A message about a resource in the engine's log (at info level, as the CLI shows `pulumi.log.info`),
 * through the engine's address the plugin was started with; standard error when there is none or
 * the engine does not answer (the engine prints a plugin's standard error only in its own logs).
 */
function engineLog(address: string | undefined): (urn: string, message: string) => Promise<void> {
    const fallback = (message: string) => {
        fs.writeSync(2, `${message}\n`);
    };
    if (!address) return (_urn, message) => Promise.resolve(fallback(message));
    let client: engrpc.EngineClient | undefined;
    return (urn, message) =>
        new Promise((resolve) => {
            client ??= new engrpc.EngineClient(address, grpc.credentials.createInsecure());
            const req = new engproto.LogRequest();
            req.setSeverity(engproto.LogSeverity.INFO);
            req.setMessage(message);
            req.setUrn(urn);
            client.log(req, (err) => {
                if (err) fallback(message);
                resolve();
            });
        });
}

async function main(): Promise<void> {
    const root = packageRoot();
    const manifest = z
        .object({ version: z.string() })
        .loose()
        .parse(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")));
    let schema: string | undefined;
    const service = consulMeshService({
        version: manifest.version,
        schema: () => (schema ??= fs.readFileSync(path.join(root, "schema.json"), "utf8")),
        // The engine starts a plugin with its own address as the last argument (after any logging
        // and tracing flags).
        log: engineLog(process.argv.length > 2 ? process.argv[process.argv.length - 1] : undefined),
    });
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(provrpc.ResourceProviderService, service);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    process.stdout.write(`${port}\n`);
}

main().catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-consul-mesh: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
