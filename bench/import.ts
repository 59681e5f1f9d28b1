// `npx ts-node --transpile-only bench/import.ts [--entries 1000] [--acl 500]`: the scale measurement
// of `consul-mesh import` (not a timed test, never part of `npm test`). Starts a fresh ACL-enabled
// dc3 (moved by CONSUL_MESH_PORT_OFFSET), fills it with config entries of five kinds and ACL
// policies, roles and tokens through raw HTTP, then runs the import (reading and writing the
// project into a temp dir) and prints the time and the requests per kind. Stops dc3 afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { clusterAddress, start, stop } from "../scripts/lib/clusters";
import { collect } from "../provider/cli/import/collect";
import { CountingProxy } from "./lib/proxy";
import { projectFiles } from "../provider/cli/import/render";

const t0 = performance.now();
const log = (m: string) => console.error(`[bench-import +${Math.round(performance.now() - t0)} ms] ${m}`);

async function call(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(url, {
        method,
        headers: { "x-consul-token": token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Runs `jobs` with at most `width` at a time. */
async function pool(jobs: Array<() => Promise<unknown>>, width = 16): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: width }, async () => {
            while (next < jobs.length) await jobs[next++]();
        }),
    );
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { entries: { type: "string" }, acl: { type: "string" } } });
    const entries = Number(values.entries ?? 1000);
    const aclObjects = Number(values.acl ?? 500);
    const address = clusterAddress("dc3");
    await stop("dc3", { log });
    await start("dc3", { acl: true, log });
    try {
        const boot = await fetch(`${address}/v1/acl/bootstrap`, { method: "PUT" });
        const token = String(((await boot.json()) as { SecretID: string }).SecretID);

        // Config entries: 40% service-defaults, 20% service-resolver, 20% service-intentions,
        // 10% service-router, 10% service-splitter (routers and splitters on http services).
        const services = Math.ceil(entries * 0.4);
        const put = (entry: Record<string, unknown>) => () => call("PUT", `${address}/v1/config`, token, entry);
        const jobs: Array<() => Promise<unknown>> = [];
        for (let i = 0; i < services; i++) jobs.push(put({ Kind: "service-defaults", Name: `svc-${i}`, Protocol: "http" }));
        await pool(jobs);
        jobs.length = 0;
        const n = (share: number) => Math.floor(entries * share);
        for (let i = 0; i < n(0.2); i++) jobs.push(put({ Kind: "service-resolver", Name: `svc-${i}`, ConnectTimeout: "5s" }));
        for (let i = 0; i < n(0.2); i++) {
            jobs.push(put({ Kind: "service-intentions", Name: `svc-${i}`, Sources: [{ Name: `svc-${i + 1}`, Action: "allow" }] }));
        }
        for (let i = 0; i < n(0.1); i++) {
            jobs.push(
                put({
                    Kind: "service-router",
                    Name: `svc-${i}`,
                    Routes: [{ Match: { HTTP: { PathPrefix: "/a" } }, Destination: { Service: `svc-${i + 1}` } }],
                }),
            );
        }
        for (let i = 0; i < entries - services - 2 * n(0.2) - n(0.1); i++) {
            jobs.push(put({ Kind: "service-splitter", Name: `svc-${i + n(0.1)}`, Splits: [{ Weight: 100, Service: `svc-${i}` }] }));
        }
        await pool(jobs);
        jobs.length = 0;

        // ACL objects: 40% policies, 20% roles, 40% tokens.
        const policies = Math.floor(aclObjects * 0.4);
        const roles = Math.floor(aclObjects * 0.2);
        for (let i = 0; i < policies; i++) {
            jobs.push(() =>
                call("PUT", `${address}/v1/acl/policy`, token, { Name: `p-${i}`, Rules: `service "svc-${i}" { policy = "read" }` }),
            );
        }
        await pool(jobs);
        jobs.length = 0;
        for (let i = 0; i < roles; i++)
            jobs.push(() => call("PUT", `${address}/v1/acl/role`, token, { Name: `r-${i}`, Policies: [{ Name: `p-${i}` }] }));
        await pool(jobs);
        jobs.length = 0;
        for (let i = 0; i < aclObjects - policies - roles; i++) {
            jobs.push(() =>
                call("PUT", `${address}/v1/acl/token`, token, {
                    Description: `t-${i}`,
                    Policies: [{ Name: `p-${i % policies}` }],
                    Roles: [{ Name: `r-${i % roles}` }],
                }),
            );
        }
        await pool(jobs);
        log(`filled dc3 with ${entries} config entries and ${aclObjects} ACL objects`);

        const out = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-bench-import-"));
        // Every request Consul receives, counted by endpoint through a forwarding proxy.
        const proxy = new CountingProxy(address);
        const proxied = await proxy.start();
        const started = performance.now();
        const result = await collect({ connection: { address: proxied, token }, progress: log });
        const read = performance.now();
        const files = projectFiles(result, {
            project: "bench",
            address,
            tls: {},
            retain: true,
            consulMeshVersion: "*",
            pulumiVersion: "^3.276.0",
        });
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
        const done = performance.now();
        const counted = proxy.take();
        await proxy.stop();
        // Per endpoint, with object ids collapsed (GET /v1/acl/policy/:id).
        const byEndpoint: Record<string, number> = {};
        for (const [endpoint, n] of Object.entries(counted.byEndpoint)) {
            const key = endpoint.replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "/:id");
            byEndpoint[key] = (byEndpoint[key] ?? 0) + n;
        }
        const requests = Object.entries(byEndpoint).sort(([a], [b]) => a.localeCompare(b));
        console.log(`| what | value |\n|---|---|`);
        console.log(`| declarations | ${result.declarations.length} (left out: ${result.skipped.length}) |`);
        console.log(`| read | ${Math.round(read - started)} ms |`);
        console.log(`| write project | ${Math.round(done - read)} ms (index.ts ${files["index.ts"].length} bytes) |`);
        console.log(`| requests | ${requests.reduce((a, [, c]) => a + c, 0)} |`);
        for (const [kind, count] of requests) console.log(`| requests: ${kind} | ${count} |`);
        fs.rmSync(out, { recursive: true, force: true });
    } finally {
        await stop("dc3", { log });
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
