// Programs that use consul-mesh through its provider plugin (`pulumi-resource-consul-mesh`), as
// Pulumi YAML: the project finds the plugin by `plugins.providers` (the repository root holds the
// executable; `npm run build` first), and the YAML language host is in the tools directory.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { PulumiProgram } from "./pulumi";

export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * A YAML program (`body`: the part of Pulumi.yaml after the project settings) using the plugin, found
 * by `plugins.providers` (or, with `findPlugin: false`, wherever the engine finds it: the plugin cache).
 */
export function yamlProgram(name: string, body: string, opts: { findPlugin?: boolean } = {}): PulumiProgram {
    const source = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-yaml-src-"));
    const plugins = ["plugins:", "  providers:", "    - name: consul-mesh", `      path: ${repoRoot}`];
    const header = [`name: ${name}`, "runtime: yaml", ...(opts.findPlugin === false ? [] : plugins), ""].join("\n");
    fs.writeFileSync(path.join(source, "Pulumi.yaml"), header + body);
    const program = new PulumiProgram(source);
    fs.rmSync(source, { recursive: true, force: true });
    return program;
}

const exportSchema = z.object({
    deployment: z.object({
        resources: z
            .array(
                z
                    .object({
                        type: z.string(),
                        urn: z.string(),
                        id: z.string().optional(),
                        inputs: z.record(z.string(), z.unknown()).optional(),
                        outputs: z.record(z.string(), z.unknown()).optional(),
                    })
                    .loose(),
            )
            .default([]),
    }),
});

/** The resources of a `pulumi stack export`. */
export function exportedResources(exported: string) {
    return exportSchema.parse(JSON.parse(exported)).deployment.resources;
}

/** Mean bytes of the state entries of resources whose type is `type`, as `pulumi stack export` writes them. */
export function bytesPer(exported: string, type: string): { count: number; mean: number } {
    const matching = exportedResources(exported).filter((r) => r.type === type);
    const total = matching.reduce((sum, r) => sum + JSON.stringify(r, null, 4).length, 0);
    return { count: matching.length, mean: matching.length === 0 ? 0 : Math.round(total / matching.length) };
}
