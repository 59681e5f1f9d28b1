// AclAuthMethod: a `jwt` or `kubernetes` auth method (`/v1/acl/auth-method`), keyed by name. The
// Kubernetes service-account JWT is a credential: the SDK keeps the whole `kubernetes` block secret.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { explained, getAcl } from "../engine/acl-common";
import { ConsulResourceProvider, type Checked, type Created, type ReadOf, type Updated } from "../engine/base";
import type { ConsulClient } from "../consul/client";
import { connectionSchema, type Located } from "../consul/connection";
import { parseDuration, sameDuration } from "../model/durations";
import { isNotFound } from "../consul/errors";
import { maskCredentials } from "../model/credentials";
import { canonical, memoized } from "../model/validation";

function kubernetesSchema() {
    return z
        .object({
            host: z.string().min(1, "kubernetes.host is required (the Kubernetes API server URL)"),
            caCert: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "kubernetes.caCert must be a PEM certificate" }),
            // No value in messages: this is a credential.
            serviceAccountJwt: z
                .string({ message: "kubernetes.serviceAccountJwt must be a string" })
                .min(1, "kubernetes.serviceAccountJwt is required"),
        })
        .strict();
}

function jwtSchema() {
    return z
        .object({
            jwksUrl: z.string().url("jwt.jwksUrl must be a URL").optional(),
            jwksCaCert: z.string().optional(),
            jwtValidationPubKeys: z
                .array(z.string().includes("-----BEGIN PUBLIC KEY-----", { message: "each key must be a PEM public key" }))
                .optional(),
            oidcDiscoveryUrl: z.string().url("jwt.oidcDiscoveryUrl must be a URL").optional(),
            oidcDiscoveryCaCert: z.string().optional(),
            boundIssuer: z.string().optional(),
            boundAudiences: z.array(z.string()).optional(),
            claimMappings: z.record(z.string(), z.string()).optional(),
            listClaimMappings: z.record(z.string(), z.string()).optional(),
            jwtSupportedAlgs: z.array(z.string()).optional(),
        })
        .strict()
        .refine((j) => [j.jwksUrl, j.jwtValidationPubKeys?.length ? 1 : undefined, j.oidcDiscoveryUrl].filter(Boolean).length === 1, {
            message: "jwt needs exactly one key source: jwksUrl, jwtValidationPubKeys or oidcDiscoveryUrl",
        });
}

export function aclAuthMethodSchema() {
    return z
        .object({
            name: z.string().regex(/^[A-Za-z0-9\-_]{1,128}$/, "name must be 1-128 letters, digits, - or _"),
            type: z.enum(["jwt", "kubernetes"], { message: 'type must be "jwt" or "kubernetes"' }),
            displayName: z.string().optional(),
            description: z.string().optional(),
            maxTokenTtl: z
                .string()
                .refine((d) => parseDuration(d) !== undefined, 'maxTokenTtl must be a duration such as "8h"')
                .optional(),
            tokenLocality: z.enum(["local", "global"], { message: 'tokenLocality must be "local" or "global"' }).optional(),
            kubernetes: kubernetesSchema().optional(),
            jwt: jwtSchema().optional(),
            adopt: z.boolean({ message: "adopt must be a boolean" }).optional(),
            connection: connectionSchema().optional(),
        })
        .strict()
        .superRefine((m, ctx) => {
            const other = m.type === "jwt" ? "kubernetes" : "jwt";
            if (m[m.type] === undefined)
                ctx.addIssue({ code: "custom", path: [m.type], message: `type "${m.type}" needs its ${m.type} block` });
            if (m[other] !== undefined)
                ctx.addIssue({ code: "custom", path: [other], message: `${other} does not go with type "${m.type}"` });
        });
}

export type AclAuthMethodInputs = z.infer<ReturnType<typeof aclAuthMethodSchema>> & Located;

/** An auth method as Consul answers it. */
function consulAuthMethodSchema() {
    return z
        .object({
            Name: z.string(),
            Type: z.string(),
            DisplayName: z.string().optional(),
            Description: z.string().optional(),
            MaxTokenTTL: z.string().optional(),
            TokenLocality: z.string().optional(),
            Config: z.record(z.string(), z.unknown()).optional(),
        })
        .loose();
}
type ConsulAuthMethod = z.infer<ReturnType<typeof consulAuthMethodSchema>>;

const KUBERNETES_KEYS = { host: "Host", caCert: "CACert", serviceAccountJwt: "ServiceAccountJWT" } as const;
const JWT_KEYS = {
    jwksUrl: "JWKSURL",
    jwksCaCert: "JWKSCACert",
    jwtValidationPubKeys: "JWTValidationPubKeys",
    oidcDiscoveryUrl: "OIDCDiscoveryURL",
    oidcDiscoveryCaCert: "OIDCDiscoveryCACert",
    boundIssuer: "BoundIssuer",
    boundAudiences: "BoundAudiences",
    claimMappings: "ClaimMappings",
    listClaimMappings: "ListClaimMappings",
    jwtSupportedAlgs: "JWTSupportedAlgs",
} as const;

function keysOf(type: string): Record<string, string> {
    return type === "kubernetes" ? KUBERNETES_KEYS : JWT_KEYS;
}

function configOf(inputs: AclAuthMethodInputs): Record<string, unknown> {
    const block: Record<string, unknown> = inputs.type === "kubernetes" ? { ...inputs.kubernetes } : { ...inputs.jwt };
    const out: Record<string, unknown> = {};
    for (const [ours, theirs] of Object.entries(keysOf(inputs.type))) if (block[ours] !== undefined) out[theirs] = block[ours];
    return out;
}

function outputsOf(m: ConsulAuthMethod, inputs: AclAuthMethodInputs): AclAuthMethodInputs {
    const block: Record<string, unknown> = {};
    for (const [ours, theirs] of Object.entries(keysOf(m.Type))) {
        const v = m.Config?.[theirs];
        if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)) block[ours] = v;
    }
    const type = m.Type === "kubernetes" ? "kubernetes" : "jwt";
    // The service-account JWT Consul holds is copied only where it is the program's own (secret)
    // value: read realigns the inputs from these outputs, and inputs are never secret by themselves.
    const outs: Record<string, unknown> = { name: m.Name, type, [type]: maskCredentials(block, inputs[type]) };
    if (m.DisplayName) outs.displayName = m.DisplayName;
    if (m.Description) outs.description = m.Description;
    if (m.MaxTokenTTL && !sameDuration(m.MaxTokenTTL, "0s")) outs.maxTokenTtl = inputs.maxTokenTtl ?? m.MaxTokenTTL;
    if (m.TokenLocality) outs.tokenLocality = m.TokenLocality;
    if (inputs.adopt !== undefined) outs.adopt = inputs.adopt;
    if (inputs.connection !== undefined) outs.connection = inputs.connection;
    // Consul's own shape, read back: parsing it keeps the output typed (and drops nothing we model).
    const parsed = schema().safeParse(outs);
    if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
        throw new Error(`ACL auth method "${m.Name}" as Consul holds it is outside what consul-mesh manages (${why})`);
    }
    return inputs.cluster === undefined ? parsed.data : { ...parsed.data, cluster: inputs.cluster };
}

function bodyOf(inputs: AclAuthMethodInputs): ConsulAuthMethod {
    return {
        Name: inputs.name,
        Type: inputs.type,
        DisplayName: inputs.displayName ?? "",
        Description: inputs.description ?? "",
        ...(inputs.maxTokenTtl ? { MaxTokenTTL: inputs.maxTokenTtl } : {}),
        ...(inputs.tokenLocality ? { TokenLocality: inputs.tokenLocality } : {}),
        Config: configOf(inputs),
    };
}

const methodPath = (name: string) => `/v1/acl/auth-method/${encodeURIComponent(name)}`;

/** Built once: check runs for every declaration of a program (and of an import). */
const schema = memoized(aclAuthMethodSchema);

export class AclAuthMethodProvider extends ConsulResourceProvider implements dynamic.ResourceProvider {
    check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Checked> {
        return Promise.resolve(this.checkLocated(schema(), news).checked);
    }

    diff(_id: string, olds: AclAuthMethodInputs, news: AclAuthMethodInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const changes: string[] = [];
        const where = this.where(olds, news);
        replaces.push(...where.replaces);
        changes.push(...where.changes);
        if (olds.name !== news.name) replaces.push("name");
        if (olds.type !== news.type) replaces.push("type");
        for (const key of ["displayName", "description", "tokenLocality"] as const)
            if ((olds[key] ?? "") !== (news[key] ?? "")) changes.push(key);
        if (!sameDuration(olds.maxTokenTtl ?? "0s", news.maxTokenTtl ?? "0s")) changes.push("maxTokenTtl");
        if (olds.type === news.type && canonical(configOf(olds)) !== canonical(configOf(news))) changes.push(news.type);
        if ((olds.adopt ?? false) !== (news.adopt ?? false)) changes.push("adopt");
        return Promise.resolve({ changes: replaces.length > 0 || changes.length > 0, replaces, deleteBeforeReplace: true });
    }

    private async put(client: ConsulClient, inputs: AclAuthMethodInputs, path: string): Promise<AclAuthMethodInputs> {
        const secrets = inputs.kubernetes ? [inputs.kubernetes.serviceAccountJwt] : [];
        const res = await explained(client, () => client.put(path, bodyOf(inputs), consulAuthMethodSchema(), { secrets }));
        return outputsOf(res.body, inputs);
    }

    async create(inputs: AclAuthMethodInputs): Promise<Created<AclAuthMethodInputs>> {
        const client = this.client(inputs.connection);
        const existing = await getAcl(client, methodPath(inputs.name), consulAuthMethodSchema());
        if (existing && !inputs.adopt) {
            throw new Error(`ACL auth method "${inputs.name}" already exists at ${client.address}; set adopt: true to manage it`);
        }
        try {
            const outs = await this.put(client, inputs, existing ? methodPath(inputs.name) : "/v1/acl/auth-method");
            return { id: inputs.name, outs };
        } catch (err) {
            if (existing) throw err;
            // An answer lost (and the repeat refused with "already exists"): no method had the name at
            // our first look, so one that is now there exactly as declared is the one we wrote.
            const found = await getAcl(client, methodPath(inputs.name), consulAuthMethodSchema()).catch(() => undefined);
            if (found && !(await this.diff(inputs.name, outputsOf(found, inputs), inputs)).changes) {
                return { id: inputs.name, outs: outputsOf(found, inputs) };
            }
            throw err;
        }
    }

    async read(id: string, props: AclAuthMethodInputs): Promise<ReadOf<AclAuthMethodInputs>> {
        const method = await getAcl(this.recordedClient(props), methodPath(props.name), consulAuthMethodSchema());
        if (!method) return {};
        const outs = outputsOf(method, props);
        return { id, props: outs, inputs: outs };
    }

    async update(_id: string, _olds: AclAuthMethodInputs, news: AclAuthMethodInputs): Promise<Updated<AclAuthMethodInputs>> {
        // No compare-and-set on ACL endpoints: the whole method is written.
        return { outs: await this.put(this.client(news.connection), news, methodPath(news.name)) };
    }

    /** Deleting an auth method also makes Consul delete its binding rules and the tokens it issued. */
    async delete(_id: string, props: AclAuthMethodInputs): Promise<void> {
        const client = this.recordedClient(props);
        try {
            await explained(client, () => client.delete(methodPath(props.name), z.unknown()));
        } catch (err) {
            if (!isNotFound(err) && !isNotFound(err instanceof Error ? err.cause : undefined)) throw err;
        }
    }
}

export const aclAuthMethodProvider = new AclAuthMethodProvider();
