import * as pulumi from "@pulumi/pulumi";

/**
 * How a resource reaches Consul. Every field is optional and resolved on its own: this input first,
 * then the stack config `consul-mesh:<field>` (e.g. `pulumi config set --secret consul-mesh:token ...`),
 * then Consul's environment variables, then the default `http://127.0.0.1:8500`.
 *
 * Moving the resource to another cluster (another `address` or `datacenter`, given here or through
 * the stack config or the environment) replaces it; the preview shows the old and new `cluster`
 * (normalised address and datacenter). Another spelling of the same address (`127.0.0.1:8500`,
 * `HTTP://127.0.0.1:8500/`, the scheme's default port written out or not, a reordered server list)
 * and changed credentials or TLS settings do not touch Consul.
 *
 * The whole connection is stored as a Pulumi secret.
 * @see https://developer.hashicorp.com/consul/commands#environment-variables
 */
export interface ConnectionArgs {
    /**
     * Consul HTTP address: `host:port`, `http://host:port` or `https://host:port`. Env: `CONSUL_HTTP_ADDR`.
     * May list several servers of one cluster, comma-separated (`http://10.0.0.1:8500,http://10.0.0.2:8500`):
     * the first is tried first; on a refused or reset connection, or while a server reports no leader,
     * the request moves to the next one. The list is compared as a set: reordering it replaces
     * nothing, adding or removing a server replaces the resource like any other address change.
     * A bare `host` (no port) means port 80 (443 with TLS), as in Consul's CLI, not 8500.
     * @default "http://127.0.0.1:8500"
     */
    address?: pulumi.Input<string>;
    /** ACL token sent as `X-Consul-Token`. Env: `CONSUL_HTTP_TOKEN`. Kept secret in state. */
    token?: pulumi.Input<string>;
    /** File holding the ACL token; wins over `token`. Env: `CONSUL_HTTP_TOKEN_FILE`. */
    tokenFile?: pulumi.Input<string>;
    /** Datacenter to address (`?dc=`); defaults to the agent's own. Changing it replaces the resource. */
    datacenter?: pulumi.Input<string>;
    /** CA certificate to verify Consul's HTTPS certificate: PEM text or a file path. Env: `CONSUL_CACERT`. */
    caCert?: pulumi.Input<string>;
    /** Directory of PEM CA certificates (`*.pem`, `*.crt`). Env: `CONSUL_CAPATH`. */
    caPath?: pulumi.Input<string>;
    /** Client certificate for `verify_incoming` agents: PEM text or a file path. Env: `CONSUL_CLIENT_CERT`. */
    clientCert?: pulumi.Input<string>;
    /** Client private key: PEM text or a file path. Env: `CONSUL_CLIENT_KEY`. */
    clientKey?: pulumi.Input<string>;
    /** Server name for TLS verification (SNI). Env: `CONSUL_TLS_SERVER_NAME`. */
    tlsServerName?: pulumi.Input<string>;
    /** Turns certificate verification off. Env: `CONSUL_HTTP_SSL_VERIFY=false`. @default false */
    insecureSkipVerify?: pulumi.Input<boolean>;
    /** Extra HTTP headers sent with every request. */
    headers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Per-request timeout in milliseconds (100 to 600000). @default 30000 */
    timeoutMs?: pulumi.Input<number>;
    /**
     * How consul-mesh's messages name this cluster, before its address: `cluster "dc4" (http://...)`.
     * Never sent to Consul, and no part of which cluster a resource lives on (changing it changes
     * nothing). `PeeringMesh` sets each cluster's fleet name.
     */
    clusterName?: pulumi.Input<string>;
}

/**
 * `connection` as inputs to spread into a registration: secret as a whole, so a token never reaches
 * state in plaintext, and left out when not given (a key registered as undefined still costs the
 * Node SDK tracked promises per resource; see secretNamesInput).
 */
export function connectionInputs(connection: pulumi.Input<ConnectionArgs> | undefined): { connection?: pulumi.Input<ConnectionArgs> } {
    return connection === undefined ? {} : { connection: pulumi.secret(connection) };
}
