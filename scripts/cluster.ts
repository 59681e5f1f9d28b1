// npm run cluster -- start [--acl[=dc1,dc2]] [--only=dc1,dc2] | stop | status
import { start, status, stop } from "./lib/clusters";

function listArg(args: string[], flag: string): string[] | undefined {
    const hit = args.find((a) => a === flag || a.startsWith(`${flag}=`));
    if (!hit) return undefined;
    return hit === flag ? ["dc1", "dc2"] : hit.slice(flag.length + 1).split(",").filter(Boolean);
}

async function main(): Promise<void> {
    const [command, ...args] = process.argv.slice(2);
    // dc1 and dc2 by default; dc3 (for ACL tests) only when named with --only.
    const names = listArg(args, "--only") ?? ["dc1", "dc2"];
    const log = (msg: string) => console.error(`[cluster] ${msg}`);
    switch (command) {
        case "start": {
            const acl = listArg(args, "--acl") ?? [];
            const started = Date.now();
            // Sequential on purpose: two agents booting at once on 2 cores slow each other down.
            for (const name of names) {
                await start(name, { acl: acl.includes(name), log });
            }
            log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            break;
        }
        case "stop":
            // Stops every cluster this checkout started (dc3 included) unless --only says otherwise.
            for (const name of listArg(args, "--only") ?? ["dc1", "dc2", "dc3"]) await stop(name, { log });
            break;
        case "status":
            for (const name of names) {
                const s = status(name);
                console.log(
                    s.running
                        ? `${name}: running pid ${s.pid} at ${s.address} acl ${s.acl ? "on" : "off"} log ${s.logFile}`
                        : `${name}: stopped`,
                );
            }
            break;
        default:
            console.error("usage: npm run cluster -- start [--acl[=dc1,dc2]] [--only=dc1,dc2] | stop | status");
            process.exitCode = 2;
    }
}

main().catch((err: Error) => {
    console.error(`[cluster] error: ${err.message}`);
    process.exitCode = 1;
});
