import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "../provider";
import * as shim from "../provider/shim";

/**
 * The object handed to `pulumi.dynamic.Resource`. Pulumi serialises it (with everything it
 * captures) into every resource's state and runs that text in its provider process. It is an
 * object whose only own property is the resource kind, with the module "consul-mesh/provider/shim"
 * as its prototype: the serialiser stores that module as a `require`, so `__provider` is a few
 * hundred bytes and the state shows the user's inputs and Consul's answers, not code. The provider
 * process then loads the real implementation from the program's own node_modules (like
 * `@pulumi/pulumi` itself), so read/delete of old resources run the installed version of
 * consul-mesh (which reads every older state shape).
 */
export function providerShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    const found = shims.get(kind);
    if (found) return found;
    // Object.create is untyped: the prototype is the typed module above.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- see above
    const provider: pulumi.dynamic.ResourceProvider = Object.assign(Object.create(shim), { kind });
    shims.set(kind, provider);
    return provider;
}

/**
 * One shim object per kind for the whole program: Pulumi caches the serialised text by provider
 * object, so every resource of a kind after the first skips the closure serialiser (about a
 * millisecond or more per resource).
 */
const shims = new Map<ProviderKind, pulumi.dynamic.ResourceProvider>();
