// Type-level test, checked by `tsc -p tsconfig.dev.json` (part of npm test): the hand-written Args
// of each resource and the provider's zod input type must stay in step.
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import type { IntentionInputs } from "../../provider/resources/intention";
import type { ConnectionInput } from "../../provider/connection";
import type { IntentionArgs } from "../../sdk/resources/intention";
import type { ConnectionArgs } from "../../sdk/connection";

type Plain<T> = { [K in keyof T]-?: Exclude<T[K], undefined> extends pulumi.Input<infer U> ? U : never };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type KeysMatch<A, B> = Same<keyof A, keyof B>;

const intentionKeys: KeysMatch<Plain<IntentionArgs>, Required<IntentionInputs>> = true;
const connectionKeys: KeysMatch<Plain<ConnectionArgs>, Required<ConnectionInput>> = true;
const actionType: Same<Plain<IntentionArgs>["action"], IntentionInputs["action"]> = true;

describe("SDK Args and provider inputs", () => {
    it("have the same keys (checked at compile time)", () => {
        assert.equal(intentionKeys && connectionKeys && actionType, true);
    });
});
