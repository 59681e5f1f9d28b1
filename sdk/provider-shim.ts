import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "../provider";

// load() below require()s the consul-mesh installed next to the program at run time (untyped by nature).
// The directive sits outside the function: comments inside it would be serialised into every resource's state.
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment -- deliberate runtime require */
/**
 * The object handed to `pulumi.dynamic.Resource`. Pulumi serialises it (with everything it
 * captures) into every resource's state and runs that text in its provider process; this shim
 * captures only the resource kind and loads the real implementation there with
 * `require("consul-mesh/provider")`, resolved from the program's own node_modules like
 * `@pulumi/pulumi` itself. State stays small, and read/delete of old resources run the installed
 * version of consul-mesh (which reads every older state shape).
 */
export function providerShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    const load = (): pulumi.dynamic.ResourceProvider => {
        let mod: { providers: Record<string, pulumi.dynamic.ResourceProvider> };
        try {
            mod = require("consul-mesh/provider");
        } catch (err) {
            throw new Error(
                `consul-mesh could not be loaded by the Pulumi dynamic provider host from ${process.cwd()}: ` +
                    `install consul-mesh in the program's node_modules (${err instanceof Error ? err.message : String(err)})`,
                { cause: err },
            );
        }
        return mod.providers[kind];
    };
    return {
        configure: (req) => load().configure!(req),
        check: (olds, news) => load().check!(olds, news),
        diff: (id, olds, news) => load().diff!(id, olds, news),
        create: (inputs) => load().create(inputs),
        read: (id, props) => load().read!(id, props),
        update: (id, olds, news) => load().update!(id, olds, news),
        delete: (id, props) => load().delete!(id, props),
    };
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment */
