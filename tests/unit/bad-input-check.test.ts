// Every invalid input of the bad-input table, in process: each case is declared through the SDK's own
// resource or component class (Pulumi's mock monitor records what the class registers, after its
// secret wrapping and defaults), and the registered inputs go to the provider's check, which must
// refuse them naming the property with the table's reason. The fault suite's sweep then sends a
// sample of the same table through the real `pulumi preview` (one preview per case: the engine stops
// a preview at the first invalid resource), which shows the engine reports these failures unchanged.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { providers, type ProviderKind } from "../../provider";
import * as mesh from "../../sdk";
import { BAD_INPUTS, type BadInputCase } from "../faults/bad-input-cases";

interface Registration {
    type: string;
    inputs: Record<string, unknown>;
}

const constructors: Record<string, new (name: string, args: never) => unknown> = {
    Intention: mesh.Intention,
    ServiceIntentions: mesh.ServiceIntentions,
    ServiceDefaults: mesh.ServiceDefaults,
    MeshPolicy: mesh.MeshPolicy,
    CaConfiguration: mesh.CaConfiguration,
    PeeringToken: mesh.PeeringToken,
    Peering: mesh.Peering,
    ExportedServices: mesh.ExportedServices,
    ClusterPeering: mesh.ClusterPeering,
    AclBootstrap: mesh.AclBootstrap,
    IntentionAssertions: mesh.IntentionAssertions,
    AclPolicy: mesh.AclPolicy,
    AclRole: mesh.AclRole,
    AclToken: mesh.AclToken,
    AclAuthMethod: mesh.AclAuthMethod,
    AclBindingRule: mesh.AclBindingRule,
    JwtProvider: mesh.JwtProvider,
    ProxyDefaults: mesh.ProxyDefaults,
    Mesh: mesh.Mesh,
    ServiceResolver: mesh.ServiceResolver,
    ConfigEntry: mesh.ConfigEntry,
};

/** The inputs as the dynamic-provider host hands them to check: secrets unwrapped to their values. */
function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value === null || typeof value !== "object") return value;
    const record = Object.fromEntries(Object.entries(value));
    if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

function isProviderKind(kind: string): kind is ProviderKind {
    return Object.hasOwn(providers, kind);
}

describe("bad inputs: every case of the table is refused by check, naming the property", () => {
    const waiting = new Map<string, (r: Registration) => void>();
    const seen = new Map<string, Registration>();

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    const inputs = unwrapSecrets(args.inputs);
                    assert.ok(inputs !== null && typeof inputs === "object" && !Array.isArray(inputs));
                    const registration = { type: args.type, inputs: Object.fromEntries(Object.entries(inputs)) };
                    seen.set(args.name, registration);
                    waiting.get(args.name)?.(registration);
                    return { id: `${args.name}-id`, state: registration.inputs };
                },
                call: () => ({}),
            },
            "bad-inputs",
            "unit",
            true,
        );
    });

    /** What the resource that must report the failure registered (a component's child for component cases). */
    function registrationOf(name: string): Promise<Registration> {
        const already = seen.get(name);
        return already ? Promise.resolve(already) : new Promise((resolve) => waiting.set(name, resolve));
    }

    async function failuresOf(c: BadInputCase, name: string): Promise<{ property: string; reason: string }[]> {
        const Ctor = constructors[c.kind];
        assert.ok(Ctor, `no SDK class ${c.kind}`);
        new Ctor(name, c.args as never);
        const registered = await registrationOf(`${name}${c.childSuffix ?? ""}`);
        const kind = registered.type.split(":").pop() ?? "";
        assert.ok(isProviderKind(kind), `registered type ${registered.type} is not a consul-mesh resource`);
        const checked = await providers[kind].check({}, registered.inputs);
        return [...(checked.failures ?? [])];
    }

    BAD_INPUTS.forEach((c, i) => {
        const args = JSON.stringify(c.args).slice(0, 100);
        it(`${c.kind} ${c.childSuffix ? `(child ${c.childSuffix}) ` : ""}refuses ${c.property}: ${args}`, async () => {
            const failures = await failuresOf(c, `bad-${i}`);
            const named = failures.find((f) => f.property === c.property);
            assert.ok(named, `expected a failure on ${c.property}, got ${JSON.stringify(failures)}`);
            assert.match(named.reason, c.reason);
        });
    });
});
