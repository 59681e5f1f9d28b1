// Mocha global fixture for the integration and e2e suites: fresh dc1 and dc2 (ACLs off) are started
// once per run through the project's own cluster script and stopped afterwards. Clusters already
// running (say, from `npm start`) are restarted so that tests see empty, in-memory clusters.
import { start, status, stop } from "../../scripts/lib/clusters";

const log = (m: string) => console.error(`[clusters] ${m}`);

export async function mochaGlobalSetup(): Promise<void> {
    for (const name of ["dc1", "dc2"]) {
        if (status(name).running) {
            log(`${name} was running; restarting it empty for the tests`);
            await stop(name, { log });
        }
        await start(name, { acl: false, log });
    }
}

export async function mochaGlobalTeardown(): Promise<void> {
    for (const name of ["dc1", "dc2"]) await stop(name, { log });
}
