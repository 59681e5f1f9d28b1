// AclBootstrap: `PUT /v1/acl/bootstrap` once per cluster, and the resulting management token kept
// as a secret. Every bootstrap call carries a BootstrapSecret chosen before the call (the user's, or
// a fresh UUID), so an answer lost to a timeout or a dropped connection never loses the token: the
// token is found again by that secret (`/v1/acl/token/self`) and adopted.
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import { ConsulClient } from "../consul/client";
import { connectionSchema, type Located } from "../consul/connection";
import { ConsulApiError, isNotFound } from "../consul/errors";
import { memoized } from "../model/validation";

/** The ID of Consul's built-in `global-management` policy. */
export const GLOBAL_MANAGEMENT_POLICY_ID = "00000000-0000-0000-0000-000000000001";
/** Per-call timeout of the bootstrap request (Raft write plus token replication can take seconds). */
export const BOOTSTRAP_CALL_TIMEOUT_MS = 120_000;
/** How long create keeps trying when Consul does not answer (each try first looks for the token). */
export const BOOTSTRAP_DEADLINE_MS = 300_000;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function aclBootstrapSchema() {
    return z
        .object({
            // Custom messages: zod's defaults may quote the value, and this value is a secret.
            bootstrapSecret: z
                .string({ message: "bootstrapSecret must be a string (a UUID)" })
                // A placeholder, not an example UUID: a copied example would be a secret everyone knows.
                .regex(
                    UUID,
                    "bootstrapSecret must be a UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex digits: generate your own (uuidgen); Consul parses it with go-uuid",
                )
                .optional(),
            revokeOnDelete: z.boolean({ message: "revokeOnDelete must be a boolean" }).optional(),
            connection: connectionSchema().optional(),
        })
        .strict();
}

export type AclBootstrapInputs = z.infer<ReturnType<typeof aclBootstrapSchema>>;

export interface AclPolicyLink {
    id: string;
    name: string;
}

export interface AclBootstrapOutputs {
    accessorId: string;
    /** The management token's secret (stored as a Pulumi secret by the SDK). */
    secretId: string;
    description: string;
    policies: AclPolicyLink[];
    revokeOnDelete?: boolean;
    connection?: AclBootstrapInputs["connection"];
    /** Where the token lives (normalised address and datacenter), computed by check. */
    cluster?: string;
}

/** An ACL token as Consul returns it (fields we use). */
function aclTokenSchema() {
    return z.object({
        AccessorID: z.string().min(1),
        SecretID: z.string().min(1),
        Description: z.string().optional(),
        Policies: z
            .array(z.object({ ID: z.string(), Name: z.string() }))
            .nullish()
            .transform((p) => p ?? undefined),
    });
}
type ConsulAclToken = z.infer<ReturnType<typeof aclTokenSchema>>;

function outputsFrom(
    token: ConsulAclToken,
    inputs: Pick<AclBootstrapInputs, "connection" | "revokeOnDelete"> & Located,
): AclBootstrapOutputs {
    const outs: AclBootstrapOutputs = {
        accessorId: token.AccessorID,
        secretId: token.SecretID,
        description: token.Description ?? "",
        policies: (token.Policies ?? []).map((p) => ({ id: p.ID, name: p.Name })),
    };
    if (inputs.revokeOnDelete !== undefined) outs.revokeOnDelete = inputs.revokeOnDelete;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    if (typeof inputs.cluster === "string") outs.cluster = inputs.cluster;
    return outs;
}

function isManagement(token: ConsulAclToken): boolean {
    return (token.Policies ?? []).some((p) => p.ID === GLOBAL_MANAGEMENT_POLICY_ID);
}

export function aclDisabledError(address: string): Error {
    return new Error(
        `ACLs are not enabled on the Consul agent at ${address} (PUT /v1/acl/bootstrap: 401 ACL support disabled): ` +
            `start its servers with acl { enabled = true default_policy = "deny" } before bootstrapping, or remove this AclBootstrap`,
    );
}

/** Point 2 of the design: one message, with the reset index and both ways out, adoption first. */
export function alreadyBootstrappedError(address: string, resetIndex: string, secretGiven: boolean): Error {
    const why = secretGiven
        ? "and bootstrapSecret is not the SecretID of a token there"
        : "and no bootstrapSecret was given to adopt the existing bootstrap token";
    return new Error(
        `Consul at ${address} is already ACL-bootstrapped (reset index: ${resetIndex}), ${why}. ` +
            `(1) Adopt it (the way out to take): set bootstrapSecret to the SecretID of the existing bootstrap (or any global-management) token, ` +
            `reading it from standard input so that it never appears on a command line or in your shell history ` +
            `(pulumi config set --secret <key> < file-holding-the-secret-id), and run again. ` +
            `(2) Only if no management token is left: reset the bootstrap by writing ${resetIndex} to the file <data_dir>/acl-bootstrap-reset ` +
            `on the leader server and run again; Consul then makes a new bootstrap token, and existing tokens stay valid.`,
    );
}

function notManagementError(address: string): Error {
    return new Error(
        `Consul at ${address} is already ACL-bootstrapped and bootstrapSecret is a valid token there but not a management token ` +
            `(it lacks the global-management policy): give the SecretID of the bootstrap token or of another global-management token`,
    );
}

function isTransient(err: ConsulApiError): boolean {
    if (err.statusCode === 0) return true; // no answer: timeout, reset, refused while restarting
    if (err.statusCode === 429 || err.statusCode === 502 || err.statusCode === 503 || err.statusCode === 504) return true;
    return err.statusCode === 500 && /No cluster leader|leadership lost|timed out/i.test(err.consulMessage);
}

/** The token that `secret` is, or undefined when Consul does not know it. */
export async function tokenBySecret(client: ConsulClient, secret: string): Promise<ConsulAclToken | undefined> {
    try {
        return (await client.get("/v1/acl/token/self", aclTokenSchema(), { token: secret, secrets: [secret] })).body;
    } catch (err) {
        if (err instanceof ConsulApiError && err.statusCode === 401) throw aclDisabledError(client.address);
        if (isNotFound(err)) return undefined;
        if (err instanceof ConsulApiError && err.statusCode === 403 && /ACL not found|does not exist/i.test(err.consulMessage)) {
            return undefined;
        }
        throw err;
    }
}

/**
 * Bootstraps with `secret`, or adopts the token that already has it. Safe to repeat: a try whose
 * answer was lost either did nothing (the next try bootstraps) or created the token (the next try
 * gets 403 "no longer allowed" and finds the token by its secret).
 */
export async function bootstrapOrAdopt(client: ConsulClient, secret: string, secretGiven: boolean): Promise<ConsulAclToken> {
    const deadline = Date.now() + BOOTSTRAP_DEADLINE_MS;
    for (let attempt = 1; ; attempt++) {
        try {
            // Nothing after the write may fail: an answer we cannot read is resolved by the secret we chose
            // (so the answer is taken as it is, and parsed below).
            const res = await client.put("/v1/acl/bootstrap", { BootstrapSecret: secret }, z.unknown(), {
                retry: false,
                secrets: [secret],
            });
            const token = aclTokenSchema().safeParse(res.body);
            if (token.success) return token.data;
            const made = await tokenBySecret(client, secret).catch(() => undefined);
            if (made) return made;
            throw new Error(
                `Consul at ${client.address} bootstrapped ACLs but neither its answer nor the token could be read; ` +
                    (secretGiven
                        ? "run again with the same bootstrapSecret to adopt the token"
                        : "the token's secret was generated for this call only: reset the bootstrap (see the reset index in Consul's log) and run again with a bootstrapSecret"),
            );
        } catch (err) {
            if (!(err instanceof ConsulApiError)) throw err;
            if (err.statusCode === 401) throw aclDisabledError(client.address);
            const noLongerAllowed = err.statusCode === 403 && /bootstrap no longer allowed/i.test(err.consulMessage);
            const secretInUse = /token with that secret already exists/i.test(err.consulMessage);
            if (noLongerAllowed || secretInUse) {
                // After a lost answer the token may still be replicating to the server we ask: look a few times.
                let existing = await tokenBySecret(client, secret);
                for (let look = 1; !existing && attempt > 1 && look <= 3; look++) {
                    await new Promise((r) => setTimeout(r, 500 * look));
                    existing = await tokenBySecret(client, secret);
                }
                if (existing) {
                    if (!isManagement(existing)) throw notManagementError(client.address);
                    return existing;
                }
                const index = /reset index: (\d+)/.exec(err.consulMessage)?.[1] ?? "unknown";
                throw alreadyBootstrappedError(client.address, index, secretGiven);
            }
            if (/Invalid bootstrap reset index/i.test(err.consulMessage)) {
                throw new Error(
                    `${err.message}: put the reset index from that message into <data_dir>/acl-bootstrap-reset on the leader and run again`,
                    { cause: err },
                );
            }
            if (!isTransient(err) || Date.now() >= deadline) throw err;
            // The server may have made the token although we saw no answer: look for it by its secret.
            const made = await tokenBySecret(client, secret).catch(() => undefined);
            if (made && isManagement(made)) return made;
            const backoff = Math.min(8000, 500 * 2 ** (attempt - 1));
            await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * (backoff / 2)));
        }
    }
}

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(aclBootstrapSchema);

export class AclBootstrapProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(schema(), news).checked);
    }

    diff(_id: string, olds: AclBootstrapOutputs, news: AclBootstrapInputs & Located): Promise<dynamic.DiffResult> {
        // Another cluster needs its own bootstrap. bootstrapSecret is only used when creating (to
        // choose or adopt the token): changing it later changes nothing in Consul, so it is not diffed.
        const { replaces, changes } = this.where(olds, news);
        if ((olds.revokeOnDelete ?? false) !== (news.revokeOnDelete ?? false)) changes.push("revokeOnDelete");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: false });
    }

    async create(inputs: AclBootstrapInputs): Promise<Created<AclBootstrapOutputs>> {
        const base = this.client(inputs.connection);
        const client = new ConsulClient({ ...base.conn, timeoutMs: Math.max(base.conn.timeoutMs, BOOTSTRAP_CALL_TIMEOUT_MS) });
        // Always send a secret chosen here, so a lost answer can be resolved (see bootstrapOrAdopt).
        const secret = inputs.bootstrapSecret ?? randomUUID();
        const token = await bootstrapOrAdopt(client, secret, inputs.bootstrapSecret !== undefined);
        return { id: token.AccessorID, outs: outputsFrom(token, inputs) };
    }

    async read(id: string, props: AclBootstrapOutputs): Promise<ReadOf<AclBootstrapOutputs>> {
        const token = await tokenBySecret(this.recordedClient(props), props.secretId);
        if (!token || token.AccessorID !== id) return {};
        return { id, props: outputsFrom(token, props) };
    }

    async update(id: string, olds: AclBootstrapOutputs, news: AclBootstrapInputs): Promise<Updated<AclBootstrapOutputs>> {
        const token = await tokenBySecret(this.client(news.connection), olds.secretId);
        if (!token || token.AccessorID !== id) {
            throw new Error(`the bootstrap token ${id} no longer exists in Consul; run pulumi refresh to plan its re-creation`);
        }
        return { outs: outputsFrom(token, news) };
    }

    /** Forgets the token, or with revokeOnDelete deletes it (bootstrap itself cannot be undone). */
    async delete(id: string, props: AclBootstrapOutputs): Promise<void> {
        if (!props.revokeOnDelete) return;
        const client = this.recordedClient(props);
        const secrets = [props.secretId];
        if (!(await tokenBySecret(client, props.secretId))) return;
        // A token cannot delete itself: use the connection's token when it is another one, else a
        // management token that expires a minute later (Consul's minimum TTL) and is never stored.
        let revoker = client.conn.token && client.conn.token !== props.secretId ? client.conn.token : undefined;
        if (!revoker) {
            const temp = await client.put(
                "/v1/acl/token",
                {
                    Description: `consul-mesh: revokes bootstrap token ${id}, expires by itself`,
                    Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID }],
                    ExpirationTTL: "1m",
                },
                aclTokenSchema(),
                { token: props.secretId, secrets, retry: false },
            );
            revoker = temp.body.SecretID;
        }
        try {
            await client.delete(`/v1/acl/token/${encodeURIComponent(id)}`, z.unknown(), { token: revoker, secrets: [...secrets, revoker] });
        } catch (err) {
            if (!isNotFound(err)) throw err;
        }
    }
}

/** The one provider instance every AclBootstrap shares. */
export const aclBootstrapProvider = new AclBootstrapProvider();
