// Reading Consul's answers for the functions: every body is parsed with a zod schema, so a malformed
// or unexpected answer is a clear error naming the endpoint and the field, never a TypeError later
// or a string stored where a list belongs. Messages name paths and expectations, never values (an
// answer may hold a private key).
import { z } from "zod";
import type { ConsulClient, RequestOptions } from "../client";

/** Consul's `null` for an empty list, read as []. */
export function list<T extends z.ZodType>(item: T) {
    return z
        .array(item)
        .nullish()
        .transform((v) => v ?? []);
}

/** An optional string that Consul may send as "" or null: undefined when empty. */
export const optionalText = z
    .string()
    .nullish()
    .transform((v) => (v ? v : undefined));

export function parseAnswer<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(the answer)"}: ${i.message}`);
    throw new Error(`${what} answered in an unexpected shape (${problems.slice(0, 5).join("; ")})`);
}

/** GET path and parse the body with schema. */
export async function getParsed<T extends z.ZodType>(
    client: ConsulClient,
    path: string,
    schema: T,
    opts?: RequestOptions,
): Promise<z.infer<T>> {
    const res = await client.get(path, opts);
    return parseAnswer(schema, res.body, `Consul GET ${path} at ${client.address}`);
}

/** Encodes one path segment; refuses empty, "." and ".." (which a URL parser would resolve away). */
export function segment(value: string, what: string): string {
    if (value === "" || value === "." || value === "..") throw new Error(`${what} must be a name, not "${value}"`);
    return encodeURIComponent(value);
}
