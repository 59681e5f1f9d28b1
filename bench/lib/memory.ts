// Peak memory of the provider process, read from Linux /proc: every few hundred milliseconds the
// sampler looks for descendants of the pulumi CLI process whose command line is the Node.js dynamic
// provider (`.../@pulumi/pulumi/cmd/dynamic-provider`), the bridged plugin
// (`pulumi-resource-consul`) or consul-mesh's plugin (`node .../provider/plugin/main.js`), and keeps the largest VmHWM (the kernel's own peak resident set size
// of that process, so a peak between two samples is not missed as long as the process is sampled
// once before it exits).
import * as fs from "node:fs";

const PROVIDER_PATTERNS = [/cmd\/dynamic-provider/, /pulumi-resource-consul(\0|$)/, /provider\/plugin\/main\.js(\0|$)/];

function readOrUndefined(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

function parentOf(pid: number): number | undefined {
    const stat = readOrUndefined(`/proc/${pid}/stat`);
    if (!stat) return undefined;
    // pid (comm) state ppid ...; comm may contain spaces, so parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[1]);
}

function isDescendant(pid: number, ancestor: number): boolean {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 16; hops++) {
        if (p === ancestor) return true;
        p = parentOf(p);
    }
    return false;
}

function vmHwmKb(pid: number): number | undefined {
    const status = readOrUndefined(`/proc/${pid}/status`);
    const m = status?.match(/^VmHWM:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) : undefined;
}

export const MEMORY_METHOD =
    "VmHWM from /proc/<pid>/status of the provider process (node .../cmd/dynamic-provider, pulumi-resource-consul, or node .../provider/plugin/main.js for consul-mesh's plugin, a descendant of the pulumi CLI), sampled every 100 ms; max over the provider processes of the phase";

export class ProviderMemorySampler {
    private timer?: NodeJS.Timeout;
    private readonly peaks = new Map<number, number>();
    private readonly rejected = new Set<number>();
    readonly supported = fs.existsSync("/proc/self/status");

    constructor(private readonly rootPid: number) {}

    start(intervalMs = 100): void {
        if (!this.supported) return;
        this.sample();
        this.timer = setInterval(() => this.sample(), intervalMs);
    }

    private sample(): void {
        let entries: string[];
        try {
            entries = fs.readdirSync("/proc");
        } catch {
            return;
        }
        for (const name of entries) {
            if (!/^\d+$/.test(name)) continue;
            const pid = Number(name);
            if (this.rejected.has(pid)) continue;
            if (!this.peaks.has(pid)) {
                const cmdline = readOrUndefined(`/proc/${pid}/cmdline`);
                if (cmdline === undefined || cmdline === "") continue;
                if (!isDescendant(pid, this.rootPid)) {
                    this.rejected.add(pid);
                    continue;
                }
                // Not cached as rejected: the plugin wrapper script exec()s node under the same pid.
                if (!PROVIDER_PATTERNS.some((re) => re.test(cmdline))) continue;
            }
            const hwm = vmHwmKb(pid);
            if (hwm !== undefined) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, hwm));
        }
    }

    /** Stops sampling; the largest peak (kB) of any provider process seen, or undefined if none was seen. */
    stop(): { peakKb?: number; processes: number } {
        if (this.timer) clearInterval(this.timer);
        const values = [...this.peaks.values()];
        return { peakKb: values.length ? Math.max(...values) : undefined, processes: values.length };
    }
}
