// Benchmark variant (d): the engine's floor. A dynamic provider that talks to nothing, with the
// same resources as the Consul variants: `shape: entries` gives D resources of 10 sources each
// (like ServiceIntentions), `shape: pairs` gives D x 10 single pairs (like Intention). Config: `d`,
// `changed` (flip source 0 of every destination to deny), `shape`.
import * as pulumi from "@pulumi/pulumi";

// An object literal capturing nothing, so its serialised text (stored per resource) is small.
const noop: pulumi.dynamic.ResourceProvider = {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        return Promise.resolve({ inputs: news });
    },
    diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return Promise.resolve({ changes: JSON.stringify(olds.policy) !== JSON.stringify(news.policy), replaces: [] });
    },
    create(inputs: Record<string, unknown>) {
        return Promise.resolve({ id: String(inputs.key), outs: inputs });
    },
    read(id: string, props: Record<string, unknown>) {
        return Promise.resolve({ id, props, inputs: props });
    },
    update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return Promise.resolve({ outs: news });
    },
    delete() {
        return Promise.resolve();
    },
};

class Noop extends pulumi.dynamic.Resource {
    constructor(name: string, props: { key: string; policy: unknown }) {
        super(noop, name, props, {}, "bench", "Noop");
    }
}

const config = new pulumi.Config();
const d = config.requireNumber("d");
const changed = config.getBoolean("changed") ?? false;
const shape = config.get("shape") ?? "entries";
const SOURCES = 10;
const action = (j: number) => (changed && j === 0 ? "deny" : "allow");

for (let i = 0; i < d; i++) {
    const destination = `bench-dest-${i}`;
    if (shape === "pairs") {
        for (let j = 0; j < SOURCES; j++) {
            const key = `bench-client-${j}=>${destination}`;
            new Noop(`bench-client-${j}-to-${destination}`, {
                key,
                policy: { source: `bench-client-${j}`, destination, action: action(j) },
            });
        }
    } else {
        const sources = Array.from({ length: SOURCES }, (_, j) => ({ name: `bench-client-${j}`, action: action(j) }));
        new Noop(destination, { key: destination, policy: { destination, sources } });
    }
}

export const resources = shape === "pairs" ? d * SOURCES : d;
