// What the plugin needs to know per resource kind beyond its provider class: the outputs it marks
// secret (the same lists the SDK's resource classes give as `additionalSecretOutputs`), and for
// `pulumi import`, how the import ID names the Consul object (the properties its class's `read`
// needs to find it). Kinds without an import entry have no stable identity that Consul can read
// back in full (a peering token, the bootstrap token's secret, a set of assertions).
import { providers, type ProviderKind } from "../index";
import type { Props } from "./values";

/** The Pulumi package name: type tokens are `consul-mesh:index:<Kind>`. */
export const PACKAGE = "consul-mesh";

/** Outputs marked secret per kind, beyond `connection` (secret on every kind). */
const SECRET_OUTPUTS: Partial<Record<ProviderKind, readonly string[]>> = {
    AclBootstrap: ["secretId", "bootstrapSecret"],
    AclToken: ["secretId"],
    AclAuthMethod: ["kubernetes"],
    CaConfiguration: ["providerConfig"],
    ConfigEntry: ["lastWrite"],
    PeeringToken: ["dialer", "peeringToken"],
    Peering: ["peeringToken", "acceptor"],
};

/** The outputs of `kind` that are secret, given its plain outputs. */
export function secretOutputs(kind: ProviderKind, outs: Props): string[] {
    const names = ["connection", ...(SECRET_OUTPUTS[kind] ?? [])];
    // A CA configuration with a private key in its config: the whole config (as the SDK does).
    if (kind === "CaConfiguration" && isRecordWith(outs.config, "privateKey")) names.push("config");
    return names;
}

function isRecordWith(value: unknown, key: string): boolean {
    return typeof value === "object" && value !== null && key in value && Reflect.get(value, key) !== undefined;
}

/** The kind a type token names, or undefined for a token that is not one of ours. */
export function kindOfType(type: string): ProviderKind | undefined {
    const [pkg, mod, name] = type.split(":");
    if (pkg !== PACKAGE || mod !== "index" || name === undefined) return undefined;
    return isKind(name) ? name : undefined;
}

/** The kind in a resource URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function kindOfUrn(urn: string): ProviderKind | undefined {
    const type = urn.split("::")[2] ?? "";
    return kindOfType(type.split("$").pop() ?? "");
}

export function isKind(name: string): name is ProviderKind {
    return Object.prototype.hasOwnProperty.call(providers, name);
}

/** Every kind, in the order of the providers map. */
export function allKinds(): ProviderKind[] {
    return Object.keys(providers).filter(isKind);
}

/** How `pulumi import` names an object: the ID's form (documentation) and the read it makes. */
export interface ImportSpec {
    /** The import ID's form, as the README and the schema describe it. */
    readonly form: string;
    /** The resource ID and the properties read needs, from the import ID; throws on a malformed ID. */
    readonly seed: (importId: string) => { id: string; props: Props };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function byUuid(what: string): ImportSpec {
    return {
        form: `the ${what} ID (a UUID)`,
        seed: (id) => {
            if (!UUID.test(id)) throw new Error(`the import ID of a ${what} is its ID, a UUID (got "${id}")`);
            return { id, props: {} };
        },
    };
}

function byName(what: string, props: (name: string) => Props = () => ({}), form = `the ${what} name`): ImportSpec {
    return {
        form,
        seed: (id) => {
            if (id === "") throw new Error(`the import ID of a ${what} is its name`);
            return { id, props: props(id) };
        },
    };
}

/** The kinds `pulumi import` takes, and the ID each takes. */
export const importable: Partial<Record<ProviderKind, ImportSpec>> = {
    Intention: {
        form: "`<source>=><destination>`, or `peer:<peer>/<source>=><destination>` for a peer's source",
        seed: (id) => {
            const m = /^(?:peer:([^/]+)\/)?([^=]+)=>(.+)$/.exec(id);
            if (!m)
                throw new Error(
                    `the import ID of an Intention is "<source>=><destination>" or "peer:<peer>/<source>=><destination>" (got "${id}")`,
                );
            const [, sourcePeer, source, destination] = m;
            return { id, props: { source, destination, ...(sourcePeer ? { sourcePeer } : {}) } };
        },
    },
    ServiceIntentions: byName("destination service", (destination) => ({ destination, sources: [] })),
    ServiceDefaults: byName("service", (name) => ({ name })),
    ServiceResolver: byName("service", (name) => ({ name })),
    ProxyDefaults: byName("proxy-defaults entry (`global`)", (name) => ({ name })),
    Mesh: byName("mesh entry (`mesh`)", (name) => ({ name })),
    JwtProvider: byName("JWT provider", (name) => ({ name })),
    ExportedServices: byName("exported-services entry (`default`)", (name) => ({ name })),
    ConfigEntry: {
        form: "`<kind>/<name>` (the config entry's kind and name, e.g. `terminating-gateway/gw`)",
        seed: (id) => {
            const at = id.indexOf("/");
            if (at <= 0 || at === id.length - 1) throw new Error(`the import ID of a ConfigEntry is "<kind>/<name>" (got "${id}")`);
            const kind = id.slice(0, at);
            const name = id.slice(at + 1);
            return { id: name, props: { kind, name } };
        },
    },
    AclPolicy: byName("ACL policy", () => ({}), "the policy's ID (a UUID) or its name"),
    AclRole: byName("ACL role", () => ({}), "the role's ID (a UUID) or its name"),
    AclToken: { ...byUuid("ACL token's accessor"), form: "the token's accessor ID (a UUID; never the secret ID)" },
    AclAuthMethod: byName("auth method", (name) => ({ name })),
    AclBindingRule: byUuid("binding rule"),
};
