// The consul-mesh resource-provider plugin's gRPC service. It serves the same provider instances the
// dynamic path loads (provider/index.ts's `providers`) and the functions of functions/catalog.ts;
// this file only adapts the protocol:
// - configuration: the engine's Configure request (an explicit provider's inputs, or the stack's
//   `consul-mesh:*` variables) becomes the provider classes' stack config. CheckConfig refuses a
//   bad key by name, DiffConfig tells the engine what changed. `@pulumi/pulumi/provider`'s server
//   ignores Configure's request and answers CheckConfig/DiffConfig with UNIMPLEMENTED, so one
//   process could not be told which cluster it serves: hence this service, on the same gRPC
//   pieces (`@pulumi/pulumi/proto`, @grpc/grpc-js).
// - secrets: they arrive wrapped (we accept secrets), so each call unwraps them for the classes
//   and wraps again, by name, the inputs that were secret and the outputs the kind declares secret
//   (the SDK's `additionalSecretOutputs`). The dynamic path's `secretNames` input is derived here
//   from the paths of the secret inputs.
// - `pulumi import`: a Read with no properties; the kind's import ID is turned into what its
//   class's read needs (kinds.ts), and read returns the inputs as check would give them.
// No `__provider` ever: the engine knows the plugin by its package name.
import * as grpc from "@grpc/grpc-js";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import type * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { providers, type ProviderKind } from "../index";
import type { ConsulResourceProvider } from "../engine/base";
import { ConsulClient } from "../consul/client";
import { clusterTarget, connectionSchema, resolveConnection, type ConnectionInput } from "../consul/connection";
import { effectOutput } from "../model/effective-policy";
import type { FunctionName, functionCatalog as FunctionCatalog } from "../functions/catalog";
import { asStackConfig, checkProviderConfig, RESERVED_CONFIG_KEYS, SECRET_CONFIG_KEYS } from "./config";
import { importable, kindOfUrn, PACKAGE, secretOutputs } from "./kinds";
import { markSecret, toStruct, topLevel, unwrapProps, type Props } from "./values";

type Provider = dynamic.ResourceProvider & ConsulResourceProvider;

/** Kinds whose schema takes the `secretNames` input (masked names in what check prints). */
const TAKES_SECRET_NAMES: ReadonlySet<ProviderKind> = new Set(["Intention", "ServiceIntentions"]);

/** A gRPC error for `err`: its message (ours never hold a secret), with the init-failure detail when it carries an id. */
function grpcError(err: unknown): grpc.ServiceError {
    const message = err instanceof Error ? err.message : String(err);
    const metadata = new grpc.Metadata();
    const id: unknown = err instanceof Error ? Reflect.get(err, "id") : undefined;
    if (typeof id === "string" && id !== "") {
        const properties: unknown = Reflect.get(err instanceof Error ? err : {}, "properties");
        const reasons: unknown = Reflect.get(err instanceof Error ? err : {}, "reasons");
        const detail = new provproto.ErrorResourceInitFailed();
        detail.setId(id);
        detail.setProperties(structproto.Struct.fromJavaScript(toStruct(isProps(properties) ? properties : {})));
        detail.setReasonsList(Array.isArray(reasons) ? reasons.map(String) : [message]);
        const status = new statusproto.Status();
        status.setCode(grpc.status.UNKNOWN);
        status.setMessage(message);
        const any = new anyproto.Any();
        any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
        status.addDetails(any);
        metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
    }
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata });
}

function isProps(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A unary handler from an async function: its result answers, its error is the gRPC error. */
function unary<Req, Res>(run: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
        // A synchronous throw is an answer too, never an escaped exception.
        Promise.resolve()
            .then(() => run(call.request))
            .then(
                (res) => callback(null, res),
                (err: unknown) => callback(grpcError(err)),
            );
    };
}

function unimplemented(what: string): grpc.handleUnaryCall<unknown, never> {
    return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `consul-mesh does not implement ${what}` });
}

function structOf(s: structproto.Struct | undefined): Props {
    return s ? s.toJavaScript() : {};
}

function struct(props: Props): structproto.Struct {
    return structproto.Struct.fromJavaScript(toStruct(props));
}

function failuresOf(failures: readonly { property: string; reason: string }[] | undefined): provproto.CheckFailure[] {
    return (failures ?? []).map((f) => {
        const failure = new provproto.CheckFailure();
        failure.setProperty(f.property);
        failure.setReason(f.reason);
        return failure;
    });
}

export interface PluginOptions {
    /** The package version reported to the engine. */
    readonly version: string;
    /** The package schema (JSON text) GetSchema answers with. */
    readonly schema: () => string;
    /**
     * Sends a message about a resource to the engine's log, which the CLI shows (the plugin's
     * standard error it does not show). Without it, messages go to standard error.
     */
    readonly log?: (urn: string, message: string) => Promise<void>;
}

/** The service implementation; one per plugin process (the engine starts one process per provider). */
export function consulMeshService(options: PluginOptions): provrpc.IResourceProviderServer {
    // The provider config of this process, as the classes' stack config reads it.
    let lookup: (key: string) => string | undefined = () => undefined;

    const providerFor = (urn: string): { kind: ProviderKind; provider: Provider } => {
        const kind = kindOfUrn(urn);
        if (!kind) throw new Error(`consul-mesh has no resource type in ${urn}`);
        const provider: Provider = providers[kind];
        provider.configureFrom(lookup);
        return { kind, provider };
    };

    /** The inputs' secret top-level names (those given secret, `connection`, and the kind's secret outputs). */
    const inputSecrets = (kind: ProviderKind, given: readonly string[], plain: Props): Set<string> =>
        new Set([...topLevel(given), ...secretOutputs(kind, plain)]);

    return {
        handshake: unimplemented("Handshake"),
        parameterize: unimplemented("Parameterize"),
        construct: unimplemented("Construct"),
        call: unimplemented("Call"),
        getMapping: unary(() => Promise.resolve(new provproto.GetMappingResponse())),
        getMappings: unary(() => Promise.resolve(new provproto.GetMappingsResponse())),
        list: (call) => call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "consul-mesh does not implement List" }),
        cancel: unary(() => Promise.resolve(new emptyproto.Empty())),
        attach: unary(() => Promise.resolve(new emptyproto.Empty())),
        getPluginInfo: unary(() => {
            const info = new plugproto.PluginInfo();
            info.setVersion(options.version);
            return Promise.resolve(info);
        }),
        getSchema: unary((req: provproto.GetSchemaRequest) => {
            if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
            const res = new provproto.GetSchemaResponse();
            res.setSchema(options.schema());
            return Promise.resolve(res);
        }),

        checkConfig: unary((req: provproto.CheckRequest) => {
            const news = structOf(req.getNews());
            const { failures } = checkProviderConfig(news);
            const res = new provproto.CheckResponse();
            // The token (and headers) stay secret in the provider's state however they were given, and
            // so does any other setting given as a secret.
            const { plain, secrets } = unwrapProps(news);
            res.setInputs(struct(markSecret(plain, new Set([...SECRET_CONFIG_KEYS, ...topLevel(secrets)]))));
            res.setFailuresList(failuresOf(failures));
            return Promise.resolve(res);
        }),
        diffConfig: unary((req: provproto.DiffRequest) => {
            const olds = unwrapProps(structOf(req.getOldInputs() ?? req.getOlds())).plain;
            const news = unwrapProps(structOf(req.getNews())).plain;
            const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
            const changed = [...keys].filter((k) => !RESERVED_CONFIG_KEYS.has(k) && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
            const res = new provproto.DiffResponse();
            // A new address or token changes how resources are reached, never the provider itself:
            // each resource's own diff decides (another cluster replaces it; see connectionDiff).
            res.setChanges(
                changed.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE,
            );
            res.setDiffsList(changed);
            return Promise.resolve(res);
        }),
        configure: unary((req: provproto.ConfigureRequest) => {
            let raw: Props = {};
            const args = req.getArgs();
            if (args) raw = structOf(args);
            else {
                for (const [k, v] of req.getVariablesMap().entries()) {
                    if (k.startsWith(`${PACKAGE}:`)) raw[k.slice(PACKAGE.length + 1)] = v;
                }
            }
            const { value, failures } = checkProviderConfig(raw);
            if (!value) throw new Error(`invalid consul-mesh provider configuration: ${failures.map((f) => f.reason).join("; ")}`);
            lookup = asStackConfig(value);
            const res = new provproto.ConfigureResponse();
            res.setAcceptsecrets(true);
            res.setAcceptresources(false);
            res.setSupportspreview(false);
            res.setAcceptoutputs(false);
            return Promise.resolve(res);
        }),

        check: unary(async (req: provproto.CheckRequest) => {
            const { kind, provider } = providerFor(req.getUrn());
            const olds = unwrapProps(structOf(req.getOlds())).plain;
            const { plain: news, secrets } = unwrapProps(structOf(req.getNews()));
            if (TAKES_SECRET_NAMES.has(kind) && secrets.length > 0) news.secretNames = secrets;
            // What check prints (the effective policy change) goes to the engine's log, for this resource.
            const logged: Array<Promise<void>> = [];
            const log = options.log;
            const result = log
                ? await effectOutput.run(
                      (text) => logged.push(log(req.getUrn(), text.trimEnd())),
                      () => provider.check!(olds, news),
                  )
                : await provider.check!(olds, news);
            await Promise.all(logged);
            const inputs: unknown = result.inputs;
            const checked = isProps(inputs) ? inputs : news;
            const res = new provproto.CheckResponse();
            res.setInputs(struct(markSecret(checked, inputSecrets(kind, secrets, checked))));
            res.setFailuresList(failuresOf(result.failures));
            return res;
        }),
        diff: unary(async (req: provproto.DiffRequest) => {
            const { provider } = providerFor(req.getUrn());
            const olds = unwrapProps(structOf(req.getOlds())).plain;
            const news = unwrapProps(structOf(req.getNews())).plain;
            const result = await provider.diff!(req.getId(), olds, news);
            const res = new provproto.DiffResponse();
            res.setChanges(
                result.changes === true
                    ? provproto.DiffResponse.DiffChanges.DIFF_SOME
                    : result.changes === false
                      ? provproto.DiffResponse.DiffChanges.DIFF_NONE
                      : provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN,
            );
            res.setReplacesList(result.replaces ?? []);
            res.setDeletebeforereplace(result.deleteBeforeReplace ?? false);
            return res;
        }),
        create: unary(async (req: provproto.CreateRequest) => {
            const { kind, provider } = providerFor(req.getUrn());
            const { plain: inputs, secrets } = unwrapProps(structOf(req.getProperties()));
            const result = await provider.create(inputs);
            const outsValue: unknown = result.outs;
            const outs = isProps(outsValue) ? outsValue : {};
            const res = new provproto.CreateResponse();
            res.setId(result.id);
            res.setProperties(struct(markSecret(outs, inputSecrets(kind, secrets, outs))));
            return res;
        }),
        read: unary(async (req: provproto.ReadRequest) => {
            const { kind, provider } = providerFor(req.getUrn());
            let id = req.getId();
            let { plain: props, secrets } = unwrapProps(structOf(req.getProperties()));
            const importing = Object.keys(props).length === 0;
            if (importing) {
                const spec = importable[kind];
                if (!spec) throw new Error(`consul-mesh:index:${kind} cannot be imported (see the README's "Import existing objects")`);
                const seed = spec.seed(id);
                id = seed.id;
                // Where it lives: the cluster this provider reaches (as check records it).
                props = { ...seed.props, cluster: clusterTarget(undefined, lookup, process.env) };
                secrets = [];
            }
            const result = await provider.read!(id, props);
            const res = new provproto.ReadResponse();
            if (!result.id) return res;
            const outsValue: unknown = result.props;
            const outs = isProps(outsValue) ? outsValue : {};
            const inputsValue: unknown = result.inputs;
            res.setId(result.id);
            res.setProperties(struct(markSecret(outs, inputSecrets(kind, secrets, outs))));
            if (isProps(inputsValue)) res.setInputs(struct(markSecret(inputsValue, inputSecrets(kind, secrets, inputsValue))));
            return res;
        }),
        update: unary(async (req: provproto.UpdateRequest) => {
            const { kind, provider } = providerFor(req.getUrn());
            const olds = unwrapProps(structOf(req.getOlds())).plain;
            const { plain: news, secrets } = unwrapProps(structOf(req.getNews()));
            const result = await provider.update!(req.getId(), olds, news);
            const outsValue: unknown = result.outs;
            const outs = isProps(outsValue) ? outsValue : {};
            const res = new provproto.UpdateResponse();
            res.setProperties(struct(markSecret(outs, inputSecrets(kind, secrets, outs))));
            return res;
        }),
        delete: unary(async (req: provproto.DeleteRequest) => {
            const { provider } = providerFor(req.getUrn());
            await provider.delete!(req.getId(), unwrapProps(structOf(req.getProperties())).plain);
            return new emptyproto.Empty();
        }),

        invoke: unary(async (req: provproto.InvokeRequest) => {
            const tok = req.getTok();
            const name = tok.startsWith(`${PACKAGE}:index:`) ? tok.slice(`${PACKAGE}:index:`.length) : "";
            if (!isFunctionName(name)) throw new Error(`consul-mesh has no function ${tok}`);
            const fn = catalog()[name];
            const { connection, ...args } = unwrapProps(structOf(req.getArgs())).plain;
            const res = new provproto.InvokeResponse();
            const client = () => new ConsulClient(resolveConnection(connectionOf(connection), lookup, process.env));
            const { result, failures } = await fn.invoke(client, args);
            res.setFailuresList(failuresOf(failures));
            if (failures.length === 0) res.setReturn(struct(markSecret(isProps(result) ? result : { value: result }, fn.secretResults)));
            return res;
        }),
    };
}

/** The functions, loaded on the first invoke (most runs make none; the catalog loads every reader). */
function catalog(): typeof FunctionCatalog {
    return load<typeof import("../functions/catalog")>("../functions/catalog").functionCatalog;
}

/** The module at `path` (relative to this file), typed by the caller with `typeof import(path)`. */
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-return -- lazy load, typed by the caller
const load = <T>(path: string): T => require(path);

function isFunctionName(name: string): name is FunctionName {
    return Object.prototype.hasOwnProperty.call(catalog(), name);
}

function connectionOf(value: unknown): ConnectionInput {
    const parsed = connectionSchema().safeParse(value ?? {});
    if (!parsed.success) throw new Error(`connection: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return parsed.data;
}
