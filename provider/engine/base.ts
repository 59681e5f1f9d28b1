// What every consul-mesh resource provider shares: the stack config captured in configure(), and a
// Consul client built per call from the resource's connection input.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { ConsulClient } from "../consul/client";
import {
    clusterTarget,
    connectionDiff,
    resolveConnection,
    resolveRecorded,
    type ConnectionInput,
    type Located,
} from "../consul/connection";
import { WriteLeftInConsulError } from "./config-entry";
import { writeMayHaveLanded } from "../consul/errors";
import { validate, type CheckFailure } from "../model/validation";

/** The provider configuration keys (`consul-mesh:<key>`): the dynamic path's stack config, the plugin's provider config. */
export const CONFIG_KEYS = [
    "address",
    "token",
    "tokenFile",
    "datacenter",
    "caCert",
    "caPath",
    "clientCert",
    "clientKey",
    "tlsServerName",
    "insecureSkipVerify",
    "headers",
    "timeoutMs",
] as const;

/** check's result: the inputs to use (always given), and any failures. */
export interface Checked extends dynamic.CheckResult<Record<string, unknown>> {
    readonly inputs: Record<string, unknown>;
}

/** create's result with the outputs typed (always given). */
export interface Created<Outputs> extends dynamic.CreateResult<Outputs> {
    readonly outs: Outputs;
}

/** update's result with the outputs typed (always given). */
export interface Updated<Outputs> extends dynamic.UpdateResult<Outputs> {
    readonly outs: Outputs;
}

/** read's result with the outputs and the realigned inputs typed; `{}` when the object is gone. */
export interface ReadOf<Outputs, Inputs = Outputs> extends dynamic.ReadResult {
    readonly props?: Outputs;
    readonly inputs?: Inputs;
}

export abstract class ConsulResourceProvider {
    /** Stack config `consul-mesh:*`, set by the dynamic-provider host before any other call. */
    protected stackConfig: Record<string, string | undefined> = {};

    configure(req: dynamic.ConfigureRequest): Promise<void> {
        this.configureFrom((key) => req.config.get(`consul-mesh:${key}`));
        return Promise.resolve();
    }

    /** Sets the provider configuration from `lookup` (a key without the namespace, a value as stack config holds it). */
    configureFrom(lookup: (key: string) => string | undefined): void {
        for (const key of CONFIG_KEYS) this.stackConfig[key] = lookup(key);
    }

    /** A client for the resource's connection (input, then stack config, then env, then default). */
    protected client(connection: ConnectionInput | undefined): ConsulClient {
        return new ConsulClient(resolveConnection(connection, (k) => this.stackConfig[k], process.env));
    }

    /**
     * A client for an object that exists in Consul, from the resource's recorded state (read,
     * delete, the old side of a replacement): it reaches the recorded `cluster` only, whatever the
     * stack config and environment say today, and never with credentials of another cluster (see
     * resolveRecorded). New objects (create, update) go where the current settings say: `client`.
     */
    protected recordedClient(props: Located): ConsulClient {
        return new ConsulClient(resolveRecorded(props, (k) => this.stackConfig[k], process.env));
    }

    /** The cluster a connection reaches (see clusterTarget): every resource's computed `cluster` input. */
    protected clusterOf(connection: unknown): string {
        return clusterTarget(connection, (k) => this.stackConfig[k], process.env);
    }

    /** The connection part of diff: another cluster replaces, another way to reach the same one updates. */
    protected where(olds: Located, news: Located): { replaces: string[]; changes: string[] } {
        return connectionDiff(olds, news, (k) => this.stackConfig[k], process.env);
    }

    /**
     * check's common part: the inputs validated with `schema` (Pulumi's reserved keys and the computed
     * `cluster` are not user inputs) and returned parsed once known and valid (as given while parts
     * are unknown at preview), with the computed `cluster` added. `value` is the parsed inputs.
     */
    protected checkLocated<T extends object>(
        schema: z.ZodType<T>,
        news: Record<string, unknown>,
    ): { value?: T; checked: { inputs: Record<string, unknown>; failures: CheckFailure[] } } {
        const { cluster: _computed, ...given } = news;
        const { value, failures } = validate(schema, given);
        const inputs: Record<string, unknown> = value && failures.length === 0 ? Object.fromEntries(Object.entries(value)) : given;
        inputs.cluster = this.clusterOf(given.connection);
        return { value: failures.length === 0 ? value : undefined, checked: { inputs, failures } };
    }
}

/**
 * The error for a create that failed after its write may have been applied in Consul (the answer
 * was lost: a killed leader, a reset connection, a timeout). It carries the id and properties, so
 * the engine records the resource (with an initialization error) instead of forgetting something
 * that may exist; the next `pulumi up` updates it, which writes it again idempotently, and
 * `destroy` removes it. The same for a write that stays in Consul after a later failure it could not
 * undo. Any other error is returned unchanged.
 */
export function createFailure(err: unknown, id: string, inputs: object): unknown {
    const landed = writeMayHaveLanded(err);
    if (!landed && !(err instanceof WriteLeftInConsulError)) return err;
    const message =
        `${err instanceof Error ? err.message : String(err)}\n` +
        (landed
            ? `The write may have been applied in Consul before the answer was lost: ${id} is recorded in `
            : `The write stays in Consul: ${id} is recorded in `) +
        "the stack and the next `pulumi up` writes it again (nothing is duplicated).";
    // __provider must stay in the recorded properties: later read/delete calls need it.
    return Object.assign(new Error(message), { id, properties: { ...inputs }, reasons: [message] });
}
