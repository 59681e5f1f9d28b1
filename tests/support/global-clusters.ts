// Mocha global fixture for the integration and e2e suites: dc1 and dc2 (ACLs off) are started once
// per run through the project's own cluster script, and stopped afterwards if this run started them.
import { start, status } from "../../scripts/lib/clusters";

const startedHere: string[] = [];

export async function mochaGlobalSetup(): Promise<void> {
    for (const name of ["dc1", "dc2"]) {
        const before = status(name);
        if (before.running && !before.acl) continue;
        await start(name, { acl: false, log: (m) => console.error(`[clusters] ${m}`) });
        startedHere.push(name);
    }
}

export async function mochaGlobalTeardown(): Promise<void> {
    const { stop } = await import("../../scripts/lib/clusters");
    for (const name of startedHere) await stop(name, { log: (m) => console.error(`[clusters] ${m}`) });
}
