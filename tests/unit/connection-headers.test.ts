// Issue 31, item 5: an Authorization header (Consul takes a Bearer value as the ACL token) is refused
// like X-Consul-Token, and stack-config headers go to the stack's address only.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { connectionSchema, resolveConnection } from "../../provider/consul/connection";
import { validate } from "../../provider/model/validation";

const none = () => undefined;
const lookup = (values: Record<string, string>) => (k: string) => values[k];

describe("headers: Authorization refused, stack-config headers to the stack's address only", () => {
    it("refuses Authorization in any letter case from the input (at check, naming the property) and the stack config", () => {
        for (const name of ["Authorization", "authorization", "AUTHORIZATION"]) {
            const { failures } = validate(z.object({ connection: connectionSchema() }), {
                connection: { headers: { [name]: "Bearer secret-token" } },
            });
            assert.deepEqual(
                failures.map((f) => f.property),
                ["connection.headers"],
            );
            assert.match(failures[0].reason, /must not set Authorization/);
            assert.ok(!JSON.stringify(failures).includes("secret-token"));
            assert.throws(() => resolveConnection({ headers: { [name]: "Bearer t" } }, none, {}), /must not set Authorization/);
            assert.throws(
                () => resolveConnection({ address: "http://elsewhere:1" }, lookup({ headers: JSON.stringify({ [name]: "Bearer t" }) }), {}),
                /must not set Authorization/,
                "refused even where it would not be sent",
            );
        }
    });

    it("sends stack-config headers to the stack's address only; the resource's own headers wherever it points", () => {
        const config = lookup({ address: "http://stack:8500", headers: JSON.stringify({ "X-Proxy-Key": "stack-proxy" }) });
        assert.deepEqual(resolveConnection(undefined, config, {}).headers, { "X-Proxy-Key": "stack-proxy" });
        assert.deepEqual(resolveConnection({ address: "HTTP://stack:8500/" }, config, {}).headers, { "X-Proxy-Key": "stack-proxy" });
        assert.deepEqual(resolveConnection({ address: "http://other:8500" }, config, {}).headers, {});
        assert.deepEqual(resolveConnection({ address: "http://other:8500", headers: { "X-Own": "o" } }, config, {}).headers, {
            "X-Own": "o",
        });
        // Without consul-mesh:address, the stack's address is the environment's (as for the stack token).
        const headersOnly = lookup({ headers: JSON.stringify({ "X-Proxy-Key": "stack-proxy" }) });
        assert.deepEqual(resolveConnection(undefined, headersOnly, { CONSUL_HTTP_ADDR: "envdc:8500" }).headers, {
            "X-Proxy-Key": "stack-proxy",
        });
        assert.deepEqual(resolveConnection({ address: "http://other:8500" }, headersOnly, { CONSUL_HTTP_ADDR: "envdc:8500" }).headers, {});
    });
});
