// What `consul-mesh import` found: one declaration per Consul object, in the inputs form the
// resource's own provider `read` realigns them to, plus what the program writer needs around it.

/** The consul-mesh resource classes the command writes. */
export const RESOURCE_TYPES = [
    "CaConfiguration",
    "AclPolicy",
    "AclRole",
    "AclToken",
    "AclAuthMethod",
    "AclBindingRule",
    "ProxyDefaults",
    "Mesh",
    "JwtProvider",
    "ServiceDefaults",
    "ServiceResolver",
    "ConfigEntry",
    "ServiceIntentions",
    "Intention",
    "ExportedServices",
    "Peering",
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** A value written as code in the program: a reference to another declaration, or a secret from config. */
export class Code {
    constructor(
        readonly text: string,
        /** A stand-in of the right shape, for validating the declaration with the resource's check. */
        readonly standIn?: unknown,
    ) {}
}

/** A reference to `prop` of the declaration for (type, id), rendered once the variable names are known. */
export class Reference {
    constructor(
        readonly type: ResourceType,
        readonly id: string,
        readonly prop: string,
        /** The plain value (Consul's name): written instead when the target is not declared. */
        readonly value: string,
    ) {}
}

/** A declaration's inputs with references and code replaced by their plain values. */
export function plain(value: unknown): unknown {
    if (value instanceof Reference) return value.value;
    if (value instanceof Code) return value.standIn;
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return value;
}

/** One object to declare. */
export interface Declaration {
    type: ResourceType;
    /** Consul's id of the object (entry name, accessor id, policy id, ...): the sort key. */
    id: string;
    /** What it is, in Consul's words, for progress lines, comments and the README. */
    label: string;
    /** The base of the resource and variable names, derived from Consul's name. */
    baseName: string;
    /** The resource's inputs, as its provider's read realigns them (without connection, cluster, adopt). */
    inputs: Record<string, unknown>;
    /** Whether the resource takes `adopt: true`. */
    adoptable: boolean;
    /** Secret stack-config keys the program reads with config.requireSecret (named in the README). */
    secrets?: Array<{ key: string; what: string }>;
    /** A comment placed above the declaration. */
    comment?: string;
}

/** Something found but not declared, and why (README and stderr). */
export interface Skipped {
    what: string;
    why: string;
}

/** Requests sent, per kind (one list per kind plus what a list does not carry). */
export type RequestCounts = Record<string, number>;

export interface ImportResult {
    declarations: Declaration[];
    skipped: Skipped[];
    requests: RequestCounts;
}
