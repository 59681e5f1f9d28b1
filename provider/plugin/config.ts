// The plugin's provider configuration: `consul-mesh:<key>` of the default provider, or the inputs of
// an explicit `pulumi:providers:consul-mesh` resource. The keys and their rules are a connection's
// (connectionSchema), so a provider config and a resource's `connection` accept the same values.
// Stack config arrives as strings (`"true"`, `"5000"`, a JSON object for headers): parsed by the
// field's type. Refusals name the key and never show a value (a token must not reach a log).
import type { z } from "zod";
import { connectionSchema } from "../consul/connection";
import { CONFIG_KEYS } from "../engine/base";
import type { CheckFailure } from "../model/validation";
import { unwrapProps, type Props } from "./values";

/** The provider config, validated. */
export type ProviderConfig = z.infer<ReturnType<typeof connectionSchema>>;

/** Keys the engine adds to every provider's inputs: not configuration. */
export const RESERVED_CONFIG_KEYS: ReadonlySet<string> = new Set(["version", "pluginDownloadURL"]);

/** Config keys held as secrets in the provider's state (a proxy's credentials may be in headers). */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(["token", "headers"]);

const NON_STRING: Readonly<Record<string, "boolean" | "number" | "object">> = {
    insecureSkipVerify: "boolean",
    timeoutMs: "number",
    headers: "object",
};

/** A string from stack config parsed to the field's type; undefined when it does not parse. */
function parseText(key: string, text: string): unknown {
    const want = NON_STRING[key];
    if (!want) return text;
    try {
        const parsed: unknown = JSON.parse(text);
        return parsed;
    } catch {
        return undefined;
    }
}

/**
 * Validates a provider's config (secrets unwrapped first). `value` is the config when valid;
 * failures name the key and never hold a value.
 */
export function checkProviderConfig(raw: Props | undefined): { value?: ProviderConfig; failures: CheckFailure[] } {
    const { plain } = unwrapProps(raw);
    const given: Props = {};
    const failures: CheckFailure[] = [];
    for (const [key, v] of Object.entries(plain)) {
        if (RESERVED_CONFIG_KEYS.has(key) || v === undefined || v === null) continue;
        if (typeof v === "string" && NON_STRING[key]) {
            const parsed = parseText(key, v);
            if (parsed === undefined) {
                failures.push({ property: key, reason: `consul-mesh:${key} must be ${describe(key)}` });
                continue;
            }
            given[key] = parsed;
        } else {
            given[key] = v;
        }
    }
    const parsed = connectionSchema().safeParse(given);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const keys = issue.code === "unrecognized_keys" ? issue.keys : [issue.path.map(String).join(".")];
            for (const key of keys) {
                const top = key.split(".")[0];
                const reason =
                    issue.code === "unrecognized_keys"
                        ? `consul-mesh:${key} is not a consul-mesh provider setting (known: ${CONFIG_KEYS.join(", ")})`
                        : `consul-mesh:${key}: ${withoutSecrets(issue.message, plain)}`;
                failures.push({ property: top, reason });
            }
        }
    }
    return failures.length > 0 ? { failures } : { value: parsed.success ? parsed.data : undefined, failures };
}

function describe(key: string): string {
    const want = NON_STRING[key];
    return want === "object" ? "a JSON object of strings" : want === "boolean" ? "true or false" : "a number";
}

/** A message with any secret config value replaced (zod's own messages show none; a refinement might). */
function withoutSecrets(message: string, config: Props): string {
    let out = message;
    for (const key of SECRET_CONFIG_KEYS) {
        const v = config[key];
        if (typeof v === "string" && v.length > 0) out = out.split(v).join("***");
    }
    return out;
}

/** The config as the provider classes' stack config holds it: a string per key (JSON for objects, booleans, numbers). */
export function asStackConfig(config: ProviderConfig): (key: string) => string | undefined {
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(config)) {
        if (v !== undefined) values.set(k, typeof v === "string" ? v : JSON.stringify(v));
    }
    return (key) => values.get(key);
}
