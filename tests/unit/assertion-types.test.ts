// Type-level test, checked by `tsc -p tsconfig.dev.json`: the SDK's hand-written expectation and
// result types of IntentionAssertions have exactly the shape of the provider's zod-inferred ones.
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import type { Expectation, ExpectationResult, IntentionAssertionsInputs } from "../../provider/resources/intention-assertions";
import type { IntentionAssertionsArgs, IntentionExpectation, IntentionExpectationResult } from "../../sdk/resources/intention-assertions";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Plain<T> = { [K in keyof T]-?: Exclude<T[K], undefined> extends pulumi.Input<infer U> ? U : never };

const expectationShape: Same<IntentionExpectation, Expectation> = true;
const resultShape: Same<IntentionExpectationResult, ExpectationResult> = true;
const argsKeys: Same<keyof Plain<IntentionAssertionsArgs>, keyof Required<IntentionAssertionsInputs>> = true;

describe("IntentionAssertions: SDK and provider types", () => {
    it("have the same shape (checked at compile time)", () => {
        assert.equal(expectationShape && resultShape && argsKeys, true);
    });
});
