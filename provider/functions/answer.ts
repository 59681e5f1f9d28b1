// Reading Consul's answers for the functions: every body is parsed with a zod schema, so a malformed
// or unexpected answer is a clear error naming the endpoint and the field, never a TypeError later
// or a string stored where a list belongs. Messages name paths and expectations, never values (an
// answer may hold a private key).
import { z } from "zod";
import type { ConsulClient, RequestOptions } from "../consul/client";

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

/** GET path; the client parses the body with schema (a malformed answer names the endpoint and fields). */
export async function getParsed<T extends z.ZodType>(
    client: ConsulClient,
    path: string,
    schema: T,
    opts?: RequestOptions,
): Promise<z.output<T>> {
    return (await client.get(path, schema, opts)).body;
}

/** Encodes one path segment; refuses empty, "." and ".." (which a URL parser would resolve away). */
export function segment(value: string, what: string): string {
    if (value === "" || value === "." || value === "..") throw new Error(`${what} must be a name, not "${value}"`);
    return encodeURIComponent(value);
}
