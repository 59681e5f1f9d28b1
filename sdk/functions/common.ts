// What every consul-mesh function shares: its arguments are validated with zod (errors name the
// function and the argument, never a value), its connection resolves like a resource's (the
// `connection` argument, then stack config `consul-mesh:*`, then Consul's environment variables,
// then http://127.0.0.1:8500), and it runs in the program process: a function is a question the
// program asks Consul, at preview as at update, like a data source.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConsulClient } from "../../provider/consul/client";
import { connectionSchema, resolveConnection } from "../../provider/consul/connection";
import type { ConnectionArgs } from "../connection";

/** The `connection` argument as the Promise form of a function takes it (plain values). */
export type PlainConnection = pulumi.Unwrap<ConnectionArgs>;

function problems(fn: string, error: z.ZodError, prefix = ""): Error {
    const lines = error.issues.map((i) => `${fn}: ${prefix}${i.path.map(String).join(".") || "(arguments)"}: ${i.message}`);
    return new Error(lines.join("\n"));
}

/**
 * Validates the arguments (everything but `connection` against `schema`), builds the client and
 * runs `read`. Throws before any request when an argument is invalid.
 */
export async function runFunction<S extends z.ZodType, R>(
    fn: string,
    schema: S,
    args: { connection?: PlainConnection },
    read: (client: ConsulClient, query: z.infer<S>) => Promise<R>,
): Promise<R> {
    const { connection, ...rest } = args;
    const query = schema.safeParse(rest);
    if (!query.success) throw problems(fn, query.error);
    const conn = connectionSchema().safeParse(connection ?? {});
    if (!conn.success) throw problems(fn, conn.error, "connection.");
    const client = new ConsulClient(resolveConnection(conn.data, (key) => pulumi.runtime.getConfig(`consul-mesh:${key}`), process.env));
    return read(client, query.data);
}

/** The Output form: runs once every argument is known; the result is secret when an argument was. */
export function outputOf<A, R>(args: pulumi.Input<A>, run: (plain: pulumi.Unwrap<A>) => Promise<R>): pulumi.Output<R> {
    return pulumi.output(args).apply(run);
}
