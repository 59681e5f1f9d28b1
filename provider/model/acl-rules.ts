// Consul's ACL rule language, checked at preview without calling Consul. One small tokenizer and
// parser reads both spellings Consul accepts (HCL v1 and its JSON form) into items with line numbers;
// the checks then follow Consul 1.16's acl.PolicyRules.Validate: which rules exist, which take a
// label, which fields a block has and which access levels each field allows. Where Consul CE
// silently ignores something (an unknown rule or field: a typo that grants nothing), we refuse it.

/** Rules that take one value: `operator = "read"`. */
const SCALAR_RULES = ["acl", "operator", "keyring", "mesh", "peering"];
/** Rules that take a label and a body: `service "web" { policy = "write" }`. */
export const BLOCK_RULES = [
    "agent",
    "agent_prefix",
    "event",
    "event_prefix",
    "key",
    "key_prefix",
    "node",
    "node_prefix",
    "query",
    "query_prefix",
    "service",
    "service_prefix",
    "session",
    "session_prefix",
];
const ACCESS_LEVELS = ["read", "write", "deny"];

interface Token {
    kind: "word" | "string" | "punct";
    text: string;
    line: number;
}

interface Item {
    keys: Token[];
    value: Value;
    line: number;
}

type Value =
    { kind: "scalar"; token: Token } | { kind: "object"; items: Item[]; line: number } | { kind: "list"; values: Value[]; line: number };

/** A rule Consul would refuse (or silently ignore), with the 1-based line it is on. */
export class RulesError extends Error {
    constructor(
        readonly line: number,
        readonly reason: string,
    ) {
        super(`rules line ${line}: ${reason}`);
    }
}

function tokenize(src: string): Token[] {
    const tokens: Token[] = [];
    let line = 1;
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (c === "\n") {
            line++;
            i++;
        } else if (/\s/.test(c)) {
            i++;
        } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
            while (i < src.length && src[i] !== "\n") i++;
        } else if (c === "/" && src[i + 1] === "*") {
            const start = line;
            const end = src.indexOf("*/", i + 2);
            if (end < 0) throw new RulesError(start, "comment /* is never closed with */");
            for (let j = i; j < end; j++) if (src[j] === "\n") line++;
            i = end + 2;
        } else if (c === '"') {
            const start = line;
            let text = "";
            i++;
            for (;;) {
                if (i >= src.length || src[i] === "\n") throw new RulesError(start, "string is never closed with a quote");
                if (src[i] === '"') break;
                if (src[i] === "\\" && i + 1 < src.length) {
                    const e = src[i + 1];
                    text += e === "n" ? "\n" : e === "t" ? "\t" : e;
                    i += 2;
                } else text += src[i++];
            }
            i++;
            tokens.push({ kind: "string", text, line: start });
        } else if ("{}[]=,:".includes(c)) {
            tokens.push({ kind: "punct", text: c, line });
            i++;
        } else if (/[A-Za-z0-9_.-]/.test(c)) {
            let text = "";
            while (i < src.length && /[A-Za-z0-9_.\-/]/.test(src[i]) && !(src[i] === "/" && "/*".includes(src[i + 1] ?? ""))) {
                text += src[i++];
            }
            tokens.push({ kind: "word", text, line });
        } else {
            throw new RulesError(line, `unexpected "${c}"`);
        }
    }
    return tokens;
}

class Parser {
    private pos = 0;
    constructor(private readonly tokens: Token[]) {}

    private peek(): Token | undefined {
        return this.tokens[this.pos];
    }

    private lastLine(): number {
        return this.tokens[this.tokens.length - 1]?.line ?? 1;
    }

    private isPunct(t: Token | undefined, text: string): boolean {
        return t !== undefined && t.kind === "punct" && t.text === text;
    }

    /** Items until `close` (or the end of input when close is undefined). */
    items(close: string | undefined, openLine: number): Item[] {
        const items: Item[] = [];
        for (;;) {
            const t = this.peek();
            if (t === undefined) {
                if (close === undefined) return items;
                throw new RulesError(openLine, `"${close === "}" ? "{" : "["}" is never closed`);
            }
            if (close !== undefined && this.isPunct(t, close)) {
                this.pos++;
                return items;
            }
            if (this.isPunct(t, ",")) {
                this.pos++;
                continue;
            }
            items.push(this.item());
        }
    }

    private item(): Item {
        const keys: Token[] = [];
        for (let t = this.peek(); t !== undefined && t.kind !== "punct"; t = this.peek()) {
            keys.push(t);
            this.pos++;
        }
        const t = this.peek();
        if (keys.length === 0) throw new RulesError(t?.line ?? this.lastLine(), `unexpected "${t?.text ?? "end of rules"}"`);
        if (this.isPunct(t, "=") || this.isPunct(t, ":")) {
            this.pos++;
            return { keys, value: this.value(keys[0].line), line: keys[0].line };
        }
        if (this.isPunct(t, "{")) return { keys, value: this.value(keys[0].line), line: keys[0].line };
        const after = keys[keys.length - 1];
        throw new RulesError(t?.line ?? after.line, `expected "=" or "{" after "${after.text}"`);
    }

    value(line: number): Value {
        const t = this.peek();
        if (t === undefined) throw new RulesError(line, "a value is missing at the end of the rules");
        this.pos++;
        if (t.kind !== "punct") return { kind: "scalar", token: t };
        if (t.text === "{") return { kind: "object", items: this.items("}", t.line), line: t.line };
        if (t.text === "[") {
            const values: Value[] = [];
            for (;;) {
                const n = this.peek();
                if (n === undefined) throw new RulesError(t.line, '"[" is never closed');
                if (this.isPunct(n, "]")) {
                    this.pos++;
                    return { kind: "list", values, line: t.line };
                }
                if (this.isPunct(n, ",")) {
                    this.pos++;
                    continue;
                }
                values.push(this.value(n.line));
            }
        }
        throw new RulesError(t.line, `unexpected "${t.text}"`);
    }
}

function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return d[a.length][b.length];
}

function suggestion(word: string, known: readonly string[]): string {
    const best = known.map((k) => ({ k, d: distance(word.toLowerCase(), k) })).sort((x, y) => x.d - y.d)[0];
    return best && best.d <= 2 ? ` (did you mean "${best.k}"?)` : "";
}

function levelOf(value: Value, what: string, allowList: boolean, line: number): void {
    if (value.kind !== "scalar" || value.token.kind !== "string") {
        throw new RulesError(line, `${what} must be a quoted string ("read", "write" or "deny")`);
    }
    const level = value.token.text.toLowerCase();
    const allowed = allowList ? [...ACCESS_LEVELS, "list"] : ACCESS_LEVELS;
    if (!allowed.includes(level)) {
        const names = allowed.map((l) => `"${l}"`).join(", ");
        throw new RulesError(value.token.line, `${what} is "${value.token.text}"; it must be one of ${names}`);
    }
}

/** The body of one labelled block: `{ policy = "read" intentions = "write" }`. */
function checkBody(rule: string, label: string, body: Value, line: number): void {
    const what = `${rule} "${label}"`;
    if (body.kind === "list") {
        for (const v of body.values) checkBody(rule, label, v, v.kind === "scalar" ? v.token.line : v.line);
        return;
    }
    if (body.kind !== "object") throw new RulesError(line, `${what} must be a block such as { policy = "read" }`);
    const fields = rule === "service" || rule === "service_prefix" ? ["policy", "intentions"] : ["policy"];
    let hasPolicy = false;
    for (const item of body.items) {
        const name = item.keys[0].text.toLowerCase();
        if (item.keys.length > 1 || !fields.includes(name)) {
            throw new RulesError(item.line, `unknown field "${item.keys[0].text}" in ${what}${suggestion(name, fields)}`);
        }
        if (name === "policy") hasPolicy = true;
        levelOf(item.value, `${name} of ${what}`, name === "policy" && (rule === "key" || rule === "key_prefix"), item.line);
    }
    if (!hasPolicy) throw new RulesError(line, `${what} has no policy (Consul requires policy = "read", "write" or "deny")`);
}

/** `service = { web = { ... } }` or JSON `"service": {"web": {...}}` / `[{"web": {...}}]`: label -> body. */
function checkLabelled(rule: string, value: Value, line: number): void {
    if (value.kind === "list") {
        for (const v of value.values) checkLabelled(rule, v, v.kind === "scalar" ? v.token.line : v.line);
        return;
    }
    if (value.kind !== "object") throw new RulesError(line, `${rule} needs a label and a block, e.g. ${rule} "name" { policy = "read" }`);
    for (const item of value.items) {
        if (item.keys.length !== 1) throw new RulesError(item.line, `${rule} takes one label, found ${item.keys.length}`);
        checkBody(rule, item.keys[0].text, item.value, item.line);
    }
}

function checkItem(item: Item): void {
    const [head, ...labels] = item.keys;
    const rule = head.text.toLowerCase();
    if (SCALAR_RULES.includes(rule)) {
        if (labels.length > 0) throw new RulesError(item.line, `${rule} takes no label: write ${rule} = "read"`);
        if (item.value.kind === "scalar" && item.value.token.kind === "string" && item.value.token.text === "") return;
        levelOf(item.value, rule, false, item.line);
        return;
    }
    if (!BLOCK_RULES.includes(rule)) {
        throw new RulesError(item.line, `unknown rule "${head.text}"${suggestion(rule, [...SCALAR_RULES, ...BLOCK_RULES])}`);
    }
    if (labels.length === 0) checkLabelled(rule, item.value, item.line);
    else if (labels.length === 1) checkBody(rule, labels[0].text, item.value, item.line);
    else throw new RulesError(item.line, `${rule} takes one label, found ${labels.length}`);
}

/** Throws a RulesError (naming the line) for rules Consul would refuse or ignore; empty rules are valid. */
export function checkAclRules(rules: string): void {
    const tokens = tokenize(rules);
    const parser = new Parser(tokens);
    let items: Item[];
    if (tokens[0]?.kind === "punct" && tokens[0].text === "{") {
        // The JSON form: one object around everything, and nothing after it.
        const top = parser.value(tokens[0].line);
        items = top.kind === "object" ? top.items : [];
        const rest = parser.items(undefined, 1);
        if (rest.length > 0) throw new RulesError(rest[0].line, "unexpected rules after the closing } of the JSON object");
    } else {
        items = parser.items(undefined, 1);
    }
    for (const item of items) checkItem(item);
}

/** The reason rules are refused, or undefined when Consul would accept them. */
export function aclRulesProblem(rules: string): string | undefined {
    try {
        checkAclRules(rules);
        return undefined;
    } catch (err) {
        if (err instanceof RulesError) return err.message;
        throw err;
    }
}
