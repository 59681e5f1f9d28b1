// What may be a credential in something read from Consul, by field name, and how a value read from
// Consul is kept out of inputs and non-secret outputs. Consul decodes its maps case- and
// underscore-insensitively (mapstructure with weak decoding: `PrivateKey`, `privatekey` and
// `private_key` are one key) and returns keys as they were written, so names are compared folded.

import { canonical } from "./validation";

/** A field name folded the way Consul matches it: lower case, without `_` and `-`. */
export function foldKey(key: string): string {
    return key.replace(/[_-]/g, "").toLowerCase();
}

/**
 * Folded names that are credentials whatever their value: a private or client key, a token, a
 * secret, a password, a Kubernetes service-account JWT (`ServiceAccountJWT`; a bare `JWT` is a block
 * of rules), and an inline JSON web key set (which may hold private keys). Names that only start
 * with "token" or name a kind of key (`TokenLocality`, `MaxTokenTTL`, `PrivateKeyType`) are
 * settings, not credentials.
 */
const CREDENTIAL_NAMES =
    /(privatekey(pem)?|clientkey|signingkey|apikey|accesskey|tokens?|password|passphrase|.jwt)$|secret|credential|bearer|^jwks$/;

/** Whether a field of this name holds (or may hold) a credential, in any spelling Consul accepts. */
export function isCredentialKey(key: string): boolean {
    return CREDENTIAL_NAMES.test(foldKey(key));
}

/**
 * The same for a CA provider's settings, where Vault's `AuthMethod` (type, mount path and
 * parameters such as a secret id) is a credential as a whole.
 */
export function isCaCredentialKey(key: string): boolean {
    return isCredentialKey(key) || foldKey(key) === "authmethod";
}

/** What stands in, in inputs and non-secret outputs, for a credential read from Consul that the program did not declare. */
export const UNDECLARED_CREDENTIAL = "(a credential held by Consul, not copied out of it: declare it to manage it)";

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * `read` (what Consul holds) with every value under a credential-named field replaced by
 * UNDECLARED_CREDENTIAL, unless it equals what `declared` (the program's value at the same place)
 * holds: a credential the program declared (and keeps secret) is echoed, one it did not is never
 * copied. Drift stays visible: the stand-in differs from any declared value. Depth is bounded
 * by the caller (answers are depth-checked when they arrive).
 */
export function maskCredentials<T>(read: T, declared: unknown): T;
export function maskCredentials(read: unknown, declared: unknown): unknown {
    if (Array.isArray(read)) {
        const items: unknown[] = read;
        const theirs: unknown[] = Array.isArray(declared) ? declared : [];
        return items.map((v, i): unknown => maskCredentials(v, theirs[i]));
    }
    if (!isRecord(read)) return read;
    const theirs = isRecord(declared) ? declared : {};
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(read)) {
        // The declared value under the same folded name (the program may spell it otherwise).
        const twin = theirs[key] ?? Object.entries(theirs).find(([k]) => foldKey(k) === foldKey(key))?.[1];
        if (isCredentialKey(key) && value !== undefined && value !== null && value !== "") {
            out[key] = twin !== undefined && canonical(value) === canonical(twin) ? value : UNDECLARED_CREDENTIAL;
        } else {
            out[key] = maskCredentials(value, twin);
        }
    }
    return out;
}

/** Every string inside a value (for scrubbing what was sent from error text). */
export function stringLeaves(value: unknown): string[] {
    const out: string[] = [];
    const stack: unknown[] = [value];
    while (stack.length > 0) {
        const v = stack.pop();
        if (typeof v === "string") out.push(v);
        else if (Array.isArray(v)) {
            const items: unknown[] = v;
            for (const item of items) stack.push(item);
        } else if (isRecord(v)) for (const item of Object.values(v)) stack.push(item);
    }
    return out;
}

/** Consul quotes bad values in errors Go-style ("\n" escaped): scrub the raw, quoted and per-line forms. */
export function secretForms(values: unknown[]): string[] {
    const strings = values.filter((v): v is string => typeof v === "string");
    return strings.flatMap((v) => [v, JSON.stringify(v).slice(1, -1), ...v.split("\n").filter((line) => line.trim().length >= 16)]);
}

/**
 * What to scrub from the error text of a config-entry write: every string value the entry holds
 * (Consul's 400s quote the request, and wrongly typed values as `map[k:...]`), but its kind and
 * name, which are in the request path anyway.
 */
export function writtenValues(entry: Record<string, unknown> | undefined): string[] {
    if (entry === undefined) return [];
    const { Kind: _kind, Name: _name, ...rest } = entry;
    return secretForms(stringLeaves(rest));
}
