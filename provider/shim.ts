// The prototype of every resource's serialised provider. Every state written since 0.1 names this
// file as `require("consul-mesh/dist/provider/shim.js")` (a package export of the same name, so the
// require resolves however the serialiser maps the path): never move or rename it.
// The SDK hands Pulumi `Object.create(<this module>)` with one own property, `kind`. Pulumi's closure
// serialiser stores a module of an installed package as `require("<package>/<export>")`, so each
// resource's `__provider` is a few hundred bytes: this require and the kind, no code. (Where
// consul-mesh is not under node_modules, as in this repository's own tests, the serialiser copies
// these functions by value instead; they are written to work either way: no relative require,
// nothing captured but `load`.) Each call loads the kind's provider through "consul-mesh/provider",
// which loads only that kind's module.
import type * as dynamic from "@pulumi/pulumi/dynamic";

declare global {
    // Set once the compile cache is switched on in this process (a global: this file may run as a serialised copy).
    var __consulMeshCompileCache: boolean | undefined;
}

/** What the SDK puts in front of this module: the resource kind (a key of `providers` in ./index). */
interface Shim {
    readonly kind: string;
}

// load(): the kind's provider from the installed consul-mesh. Once per process, before consul-mesh
// and its dependencies load, it switches on Node's on-disk compile cache (as NODE_COMPILE_CACHE
// does; NODE_DISABLE_COMPILE_CACHE turns it off): later provider processes load them about a third
// faster. No comments inside the function: in the by-value case they would be copied into states.
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment -- deliberate runtime require, resolved from the program's node_modules */
function load(kind: string): dynamic.ResourceProvider {
    let mod: { providers: Record<string, dynamic.ResourceProvider | undefined> };
    try {
        if (!globalThis.__consulMeshCompileCache) {
            globalThis.__consulMeshCompileCache = true;
            const nodeModule: { enableCompileCache?: () => unknown } = require("node:module");
            nodeModule.enableCompileCache?.();
        }
        mod = require("consul-mesh/provider");
    } catch (err) {
        throw new Error(
            `consul-mesh could not be loaded by the Pulumi dynamic provider host from ${process.cwd()}: ` +
                `install consul-mesh in the program's node_modules (${err instanceof Error ? err.message : String(err)})`,
            { cause: err },
        );
    }
    const provider = mod.providers[kind];
    if (!provider)
        throw new Error(`the installed consul-mesh has no resource kind "${kind}": upgrade consul-mesh in the program's node_modules`);
    return provider;
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment */

export function configure(this: Shim, req: dynamic.ConfigureRequest): Promise<void> {
    return load(this.kind).configure!(req);
}
export function check(this: Shim, olds: unknown, news: unknown): Promise<dynamic.CheckResult> {
    return load(this.kind).check!(olds, news);
}
export function diff(this: Shim, id: string, olds: unknown, news: unknown): Promise<dynamic.DiffResult> {
    return load(this.kind).diff!(id, olds, news);
}
export function create(this: Shim, inputs: unknown): Promise<dynamic.CreateResult> {
    return load(this.kind).create(inputs);
}
export function read(this: Shim, id: string, props: unknown): Promise<dynamic.ReadResult> {
    return load(this.kind).read!(id, props);
}
export function update(this: Shim, id: string, olds: unknown, news: unknown): Promise<dynamic.UpdateResult> {
    return load(this.kind).update!(id, olds, news);
}
// `delete` is a reserved word: exported under that name from a differently named function.
function remove(this: Shim, id: string, props: unknown): Promise<void> {
    return load(this.kind).delete!(id, props);
}
export { remove as delete };
