// The ACL rules check run at preview (provider/model/acl-rules.ts): what Consul 1.16 accepts passes, and
// what it refuses (or silently ignores: a typo that grants nothing) is refused naming the line.
import { strict as assert } from "node:assert";
import { aclRulesProblem, BLOCK_RULES } from "../../provider/model/acl-rules";

const valid: Record<string, string> = {
    empty: "",
    "comments only": "# nothing\n// still nothing\n/* and\nnothing */\n",
    "every scalar rule": 'acl = "read"\noperator = "write"\nkeyring = "deny"\nmesh = "read"\npeering = "write"\n',
    "every block rule": BLOCK_RULES.map((r) => `${r} "x" { policy = "read" }`).join("\n"),
    "service intentions":
        'service "web" {\n  policy = "write"\n  intentions = "read"\n}\nservice_prefix "" { policy = "read" intentions = "deny" }',
    "list on key and key_prefix": 'key "a" { policy = "list" }\nkey_prefix "" { policy = "list" }',
    "empty prefix label": 'node_prefix "" { policy = "read" }',
    "access levels in any case": 'service "web" { policy = "WRITE" }\noperator = "Read"',
    "field and rule names in any case (HCL v1 matches keys case-insensitively)": 'Service "web" { Policy = "read" }',
    "unquoted label": 'service web { policy = "read" }',
    "comma separated fields": 'service "web" { policy = "read", intentions = "read" }',
    "nested object form": 'service = { web = { policy = "read" } }',
    "empty scalar (Consul allows it)": 'operator = ""',
    "comments everywhere": 'service "web" { # why\n  policy = "read" // because\n  /* intentions = "bogus" */\n}',
    JSON: '{\n  "service": { "web": { "policy": "write", "intentions": "read" } },\n  "operator": "read"\n}',
    "JSON with lists": '{"key_prefix": [{"": [{"policy": "list"}]}], "node": [{"n1": {"policy": "read"}}]}',
};

const invalid: Array<[string, string, RegExp]> = [
    [
        "unknown rule, with a suggestion",
        'service "web" { policy = "read" }\n\nservce "api" { policy = "read" }',
        /^rules line 3: unknown rule "servce" \(did you mean "service"\?\)$/,
    ],
    ["unknown rule without a near name", 'acl = "read"\nfrobnicate = "read"', /^rules line 2: unknown rule "frobnicate"$/],
    [
        "bad access level",
        'service "web" {\n  policy = "admin"\n}',
        /^rules line 2: policy of service "web" is "admin"; it must be one of "read", "write", "deny"$/,
    ],
    ["list outside key rules", 'node "n" { policy = "list" }', /^rules line 1: policy of node "n" is "list"/],
    ["list on acl", 'acl = "list"', /^rules line 1: acl is "list"/],
    ["list on intentions", 'service "web" { policy = "read" intentions = "list" }', /intentions of service "web" is "list"/],
    ["block without policy", '\nsession "n" {\n}', /^rules line 2: session "n" has no policy/],
    [
        "intentions on a node",
        'node "n" {\n policy = "read"\n intentions = "read"\n}',
        /^rules line 3: unknown field "intentions" in node "n"$/,
    ],
    [
        "typo in a field",
        'service "web" { polcy = "read" }',
        /^rules line 1: unknown field "polcy" in service "web" \(did you mean "policy"\?\)$/,
    ],
    ["unclosed block", 'key "a" {\n  policy = "read"\n', /^rules line 1: "\{" is never closed$/],
    ["unclosed string", 'key "a" {\n  policy = "read\n}', /^rules line 2: string is never closed/],
    ["unclosed comment", '/* start\nservice "x" { policy = "read" }', /^rules line 1: comment/],
    ["label on a scalar rule", 'operator "x" = "read"', /^rules line 1: operator takes no label/],
    ["two labels", 'service "a" "b" { policy = "read" }', /^rules line 1: service takes one label, found 2$/],
    ["block rule given a string", 'service = "read"', /^rules line 1: service needs a label/],
    ["unquoted level", 'service "web" { policy = read }', /must be a quoted string/],
    ["missing =", 'operator "read"\n', /^rules line 1: expected "=" or "\{" after "read"$/],
    ["stray brace", 'operator = "read"\n}', /^rules line 2: unexpected "\}"$/],
    ["bad JSON level", '{\n  "service": {\n    "web": { "policy": "all" }\n  }\n}', /^rules line 3: policy of service "web" is "all"/],
    ["trailing text after JSON", '{"operator": "read"}\nacl = "read"', /^rules line 2: unexpected rules after/],
    ["unexpected character", 'operator = "read";', /^rules line 1: unexpected ";"$/],
];

describe("ACL rules check (Consul's rule grammar, at preview)", () => {
    for (const [name, rules] of Object.entries(valid)) {
        it(`accepts ${name}`, () => assert.equal(aclRulesProblem(rules), undefined));
    }
    for (const [name, rules, reason] of invalid) {
        it(`refuses ${name}, naming the line`, () => {
            const problem = aclRulesProblem(rules);
            assert.ok(problem !== undefined, "accepted");
            assert.match(problem, reason);
        });
    }
});
