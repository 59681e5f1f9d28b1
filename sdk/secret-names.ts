// Which name inputs the program made secret. Secret inputs reach a dynamic provider as plain
// values, so the provider cannot tell them apart: the SDK lists their paths (never the names) in
// the computed `secretNames` input, and the provider masks those names in what it prints (the
// effective-policy text of a preview).
import * as pulumi from "@pulumi/pulumi";

/** A path (as the provider reads it: "destination", "sources.1.name", "sources") and the input there. */
export type NamedInput = [path: string, value: unknown];

async function secretPaths(named: NamedInput[]): Promise<string[] | undefined> {
    const found: string[] = [];
    for (const [path, value] of named) {
        if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) found.push(path);
    }
    return found.length > 0 ? found : undefined;
}

/**
 * The paths of the secret ones among `named`; undefined (no input at all) when none is, so that a
 * program without secret names keeps its inputs as they were.
 */
export function secretNames(named: NamedInput[]): pulumi.Output<string[] | undefined> {
    return pulumi.output(secretPaths(named));
}

/** The names inside a list of sources: the whole list when it is one Output, else each source's name and peer. */
export function sourceNames(sources: unknown): NamedInput[] {
    if (!Array.isArray(sources)) return [["sources", sources]];
    const items: unknown[] = sources;
    return items.flatMap((source, i): NamedInput[] => {
        if (pulumi.Output.isInstance(source) || source === null || typeof source !== "object") return [[`sources.${i}`, source]];
        return [
            [`sources.${i}.name`, Reflect.get(source, "name")],
            [`sources.${i}.peer`, Reflect.get(source, "peer")],
        ];
    });
}

/**
 * `secretNames` as the inputs to spread into a resource's registration: `{ secretNames }` when any
 * of `named` is an Output (only an Output can be secret), else nothing at all. A key left out costs
 * the engine nothing per resource; one registered as undefined still costs the Node SDK a tracked
 * promise (with a stack trace) per resource. The provider reads a missing list as "none secret".
 */
export function secretNamesInput(named: NamedInput[]): { secretNames?: pulumi.Output<string[] | undefined> } {
    return named.some(([, value]) => pulumi.Output.isInstance(value)) ? { secretNames: secretNames(named) } : {};
}
