// Property values on the plugin's gRPC boundary. A provider that says it accepts secrets (as ours
// does in configure) receives each secret as an object `{ <sig>: <secret sig>, value }` and marks its
// own secret outputs the same way; the provider classes work on plain values. Unknowns stay the
// sentinel string the classes already tolerate (the dynamic path's `unknownValue` is the same one).
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";

/** Pulumi's special-value signature key and the signature of a secret (sdk/go/common/resource/sig). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A record of plain values, as the provider classes take them. */
export type Props = Record<string, unknown>;

function isRecord(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True if `value` is a wrapped secret. */
export function isSecretValue(value: unknown): value is { value?: unknown } {
    return isRecord(value) && value[SIG_KEY] === SECRET_SIG;
}

/** `value` wrapped as a secret (a value already secret is returned as is). */
export function secret(value: unknown): Props {
    return isSecretValue(value) ? value : { [SIG_KEY]: SECRET_SIG, value };
}

/**
 * `value` with every secret unwrapped; the dotted paths of the secrets found are added to `paths`
 * (a secret at the top of property `token` is "token", inside a list "sources.1.name").
 */
export function unwrapSecrets(value: unknown, paths: string[] = [], path = ""): unknown {
    if (isSecretValue(value)) {
        paths.push(path);
        return unwrapSecrets(value.value, [], path);
    }
    if (Array.isArray(value)) {
        const items: unknown[] = value;
        return items.map((item, i) => unwrapSecrets(item, paths, path === "" ? String(i) : `${path}.${i}`));
    }
    if (isRecord(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, paths, path === "" ? k : `${path}.${k}`)]));
    }
    return value;
}

/** A record's properties unwrapped, with the paths of its secrets. */
export function unwrapProps(props: Props | undefined): { plain: Props; secrets: string[] } {
    const secrets: string[] = [];
    const plain: Props = {};
    for (const [k, v] of Object.entries(props ?? {})) plain[k] = unwrapSecrets(v, secrets, k);
    return { plain, secrets };
}

/** `props` with the top-level properties in `names` wrapped as secrets (absent ones stay absent). */
export function markSecret(props: Props, names: Iterable<string>): Props {
    const out: Props = { ...props };
    for (const name of names) {
        if (out[name] !== undefined) out[name] = secret(out[name]);
    }
    return out;
}

/** The top-level property names of secret paths ("sources.1.name" -> "sources"). */
export function topLevel(paths: readonly string[]): Set<string> {
    return new Set(paths.map((p) => p.split(".")[0]));
}

/**
 * A plain value as the protobuf Struct takes it: undefined properties are dropped (a Struct has no
 * undefined), anything that is not JSON data is refused by name.
 */
export function toStructValue(value: unknown, path = "(value)"): JavaScriptValue {
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new Error(`${path} is not a finite number`);
        return value;
    }
    if (Array.isArray(value)) {
        const items: unknown[] = value;
        return items.map((item, i) => toStructValue(item === undefined ? null : item, `${path}.${i}`));
    }
    if (isRecord(value)) return toStruct(value, path);
    throw new Error(`${path} is not JSON data (${typeof value})`);
}

/** A record as a protobuf Struct's JavaScript form (see toStructValue). */
export function toStruct(props: Props, path = ""): { [key: string]: JavaScriptValue } {
    const out: { [key: string]: JavaScriptValue } = {};
    for (const [k, v] of Object.entries(props)) {
        if (v !== undefined) out[k] = toStructValue(v, path === "" ? k : `${path}.${k}`);
    }
    return out;
}
