import { strict as assert } from "node:assert";
import { comparable, differingFields, dropUndefined, metaWithoutMark, parseEntry, withOwnerMark } from "../../provider/engine/config-entry";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { jwtFromConsul, jwtToConsul } from "../../provider/model/intention-model";
import { ExportedServicesProvider } from "../../provider/resources/exported-services";
import { ServiceIntentionsProvider } from "../../provider/resources/service-intentions";
import { UNKNOWN } from "../../provider/model/validation";

describe("config-entry engine helpers", () => {
    it("compares what Consul stores back: zero values and computed fields are not differences", () => {
        const written = { Kind: "service-defaults", Name: "api", Protocol: "http", Meta: withOwnerMark(undefined) };
        const storedBack = { ...written, Expose: {}, MeshGateway: {}, TransparentProxy: {}, CreateIndex: 7, ModifyIndex: 9 };
        assert.equal(comparable(storedBack), comparable(written));
        assert.deepEqual(differingFields(storedBack, written), []);
        assert.deepEqual(differingFields(storedBack, { ...written, Protocol: "grpc" }), ["Protocol"]);
    });

    it("keeps the ownership mark out of user meta", () => {
        assert.deepEqual(metaWithoutMark(parseEntry({ Kind: "k", Name: "n", Meta: withOwnerMark({ team: "a" }) })), { team: "a" });
        assert.equal(metaWithoutMark(parseEntry({ Kind: "k", Name: "n", Meta: withOwnerMark(undefined) })), undefined);
        assert.equal(parseEntry({ Kind: "k", Name: "n", Meta: null }).Meta, undefined);
    });

    // Defect 7 (sibling): no provider may hand `undefined` to the dynamic-provider host.
    it("removes undefined everywhere inside outputs", () => {
        const outs = { a: 1, b: undefined, c: [{ d: undefined, e: "x" }, undefined], f: { g: { h: undefined } } };
        dropUndefined(outs);
        assert.deepEqual(outs, { a: 1, c: [{ e: "x" }], f: { g: {} } });
        assert.ok(!JSON.stringify(outs).includes("undefined") && !Object.values(outs).includes(undefined));
    });

    // Defect 7: Consul omits an empty claim value (omitempty); it reads back as "", not undefined.
    it("reads a JWT claim stored without Value as the empty value it was written with", () => {
        const declared = { providers: [{ name: "okta", verifyClaims: [{ path: ["role"], value: "" }] }] };
        assert.deepEqual(jwtToConsul(declared), { Providers: [{ Name: "okta", VerifyClaims: [{ Path: ["role"], Value: "" }] }] });
        const storedBack = { Providers: [{ Name: "okta", VerifyClaims: [{ Path: ["role"] }] }] };
        assert.deepEqual(jwtFromConsul(storedBack), declared);
    });
});

describe("config-entry resources' diff during preview", () => {
    // Sibling found while porting: diff crashed on Pulumi's unknown sentinel in place of a list.
    // Called through the untyped interface the Pulumi host uses.
    it("reports unknown sources and services as changes instead of failing", async () => {
        const si: dynamic.ResourceProvider = new ServiceIntentionsProvider();
        const olds = { destination: "api", sources: [{ name: "web", action: "allow" }] };
        assert.equal((await si.diff!("api", olds, { destination: "api", sources: UNKNOWN })).changes, true);
        assert.equal((await si.diff!("api", olds, { destination: "api", sources: [UNKNOWN] })).changes, true);
        const es: dynamic.ResourceProvider = new ExportedServicesProvider();
        const exported = { services: [{ name: "api", consumers: [{ peer: "p" }] }] };
        assert.equal((await es.diff!("default", exported, { services: UNKNOWN })).changes, true);
        assert.equal((await es.diff!("default", exported, { services: [UNKNOWN] })).changes, true);
    });
});
