// Every consul-mesh function once: its name, its arguments' zod schema, the read it runs and which
// of its results are secret. The SDK's functions (run in the program) and the plugin's invokes
// (`consul-mesh:index:<name>`) both take their arguments' schema and their read from here.
import { z } from "zod";
import type { ConsulClient } from "../consul/client";
import { serviceName, sourcePeerName, peerName } from "../model/names";
import { readAclReplication } from "./acl";
import { readAuthorization } from "./authorize";
import { readCaConfiguration, readCaRoots, readLeafCertificate } from "./ca";
import { readIntentionDecision, readIntentionMatches } from "./intentions";
import { readPeering, readPeerings } from "./peerings";

const namespacing = {
    namespace: z.string().min(1).optional(),
    partition: z.string().min(1).optional(),
};

/** Arguments of a function that takes none (but `connection`). */
export const noArgs = z.object({}).strict();

export const authorizeArgs = z
    .object({
        target: serviceName("target").refine((s) => s !== "*", 'target cannot be "*"'),
        clientCertUri: z.string().regex(/^spiffe:\/\/[^/]+\/.+/, "clientCertUri must be a SPIFFE URI (spiffe://<trust-domain>/...)"),
        clientCertSerial: z
            .string()
            .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$/, "clientCertSerial must be colon-separated hex (aa:bb:...)"),
    })
    .strict();

export const leafArgs = z.object({ service: serviceName("service").refine((s) => s !== "*", 'service cannot be "*"') }).strict();

export const checkIntentionArgs = z
    .object({
        source: serviceName("source"),
        destination: serviceName("destination"),
        sourcePeer: sourcePeerName("sourcePeer").optional(),
        ...namespacing,
    })
    .strict();

export const matchIntentionsArgs = z
    .object({
        by: z.enum(["source", "destination"], { error: 'by must be "source" or "destination"' }),
        name: serviceName("name"),
        ...namespacing,
    })
    .strict();

export const peeringArgs = z.object({ name: peerName("name") }).strict();

/** One function: its arguments, what it reads, and the results that are secret (top-level names). */
export interface FunctionSpec<S extends z.ZodType = z.ZodType, R = unknown> {
    readonly description: string;
    readonly args: S;
    readonly read: (client: ConsulClient, query: z.infer<S>) => Promise<R>;
    readonly secretResults: readonly string[];
    /** Parses raw arguments (failures name the argument, never a value) and, when valid, reads. */
    readonly invoke: (
        client: () => ConsulClient,
        raw: unknown,
    ) => Promise<{ result?: unknown; failures: { property: string; reason: string }[] }>;
}

function spec<S extends z.ZodType, R>(
    description: string,
    args: S,
    read: (client: ConsulClient, query: z.infer<S>) => Promise<R>,
    secretResults: readonly string[] = [],
): FunctionSpec<S, R> {
    const invoke = async (client: () => ConsulClient, raw: unknown) => {
        const query = args.safeParse(raw);
        if (!query.success) {
            return { failures: query.error.issues.map((i) => ({ property: i.path.map(String).join("."), reason: i.message })) };
        }
        return { result: await read(client(), query.data), failures: [] };
    };
    return { description, args, read, secretResults, invoke };
}

/** The functions, by name (the plugin's invoke token is `consul-mesh:index:<name>`). */
export const functionCatalog = {
    getAclReplication: spec("ACL replication status of the datacenter (`GET /v1/acl/replication`).", noArgs, (client) =>
        readAclReplication(client),
    ),
    authorize: spec(
        "Would Consul authorize a connection from the client certificate to the target service (`POST /v1/agent/connect/authorize`)?",
        authorizeArgs,
        (client, q) => readAuthorization(client, q),
    ),
    getCaRoots: spec("The Connect CA's roots (`GET /v1/connect/ca/roots`).", noArgs, (client) => readCaRoots(client)),
    getCaConfiguration: spec(
        "The Connect CA's configuration (`GET /v1/connect/ca/configuration`); the settings holding credentials are in `credentials`, a secret.",
        noArgs,
        (client) => readCaConfiguration(client),
        ["credentials"],
    ),
    getLeafCertificate: spec(
        "A leaf certificate for a service (`GET /v1/agent/connect/ca/leaf/:service`); the private key is a secret.",
        leafArgs,
        (client, q) => readLeafCertificate(client, q.service),
        ["privateKeyPem"],
    ),
    checkIntention: spec("Would Consul allow `source` to connect to `destination` (L4)?", checkIntentionArgs, (client, q) =>
        readIntentionDecision(client, q),
    ),
    matchIntentions: spec(
        "The intentions that apply to a service as a source or as a destination, in Consul's precedence order.",
        matchIntentionsArgs,
        async (client, q) => ({ intentions: await readIntentionMatches(client, q) }),
    ),
    getPeering: spec("One peering by its peer name (`GET /v1/peering/:name`).", peeringArgs, (client, q) => readPeering(client, q.name)),
    getPeerings: spec("Every peering of the partition (`GET /v1/peerings`).", noArgs, async (client) => ({
        peerings: await readPeerings(client),
    })),
};

export type FunctionName = keyof typeof functionCatalog;
