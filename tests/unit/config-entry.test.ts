import { strict as assert } from "node:assert";
import { comparable, differingFields, dropUndefined, metaWithoutMark, parseEntry, withOwnerMark } from "../../provider/config-entry";
import { jwtFromConsul, jwtToConsul } from "../../provider/intention-model";

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
