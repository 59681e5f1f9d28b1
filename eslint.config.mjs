// typescript-eslint with type information (parserOptions.project: tsconfig.dev.json, which covers
// provider/, sdk/, tests/, scripts/, bench/, examples/ and demo/), plus the core recommended rules. Formatting is Prettier's job (npm run format).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import jsdoc from "eslint-plugin-jsdoc";

// provider/ is layered; a module may import its own layer and the ones below it, never one above:
//   model (pure)  <  consul (HTTP layer)  <  engine  <  functions  <  resources  <  index.ts, shim.ts  <  plugin (the Pulumi provider plugin)  <  cli (the consul-mesh command)
// and provider/ never imports sdk/. Each layer's entry: its folder, and the import patterns (relative
// to a file in that folder) it must not use: every folder above it, and the entry points above it
// (the plugin serves index.ts's providers, so index.ts is below it).
const order = ["model", "consul", "engine", "functions", "resources", "plugin"];
const entryPoints = (folder) => [...(folder === "plugin" ? [] : ["../index"]), "../shim", "../cli", "../cli/**"];
const layers = order.map((folder, i) => [
    folder,
    [...order.slice(i + 1).flatMap((above) => [`../${above}`, `../${above}/**`]), ...entryPoints(folder)],
]);
const layerRules = layers.map(([folder, banned]) => ({
    files: [`provider/${folder}/**/*.ts`],
    rules: {
        "no-restricted-imports": [
            "error",
            {
                patterns: [
                    {
                        group: banned,
                        message: `provider/${folder} may import only its own layer and the ones below it (model < consul < engine < functions < resources < plugin).`,
                    },
                    { group: ["**/sdk", "**/sdk/**"], message: "provider/ never imports sdk/." },
                ],
            },
        ],
    },
}));

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", ".consul-mesh/", "bench/results/", "**/*.d.ts"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { project: ["./tsconfig.dev.json"], tsconfigRootDir: import.meta.dirname },
        },
    },
    {
        // Omitting a property by destructuring it into an unused `_name` beside a rest element is the
        // codebase's idiom for "everything but these keys" (no cast needed): not an unused variable.
        rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }] },
    },
    {
        // No import cycle in the shipped code (type-only imports count: a cycle of types is still a
        // tangle), resolved the way TypeScript resolves them.
        files: ["provider/**/*.ts", "sdk/**/*.ts"],
        plugins: { "import-x": importX },
        settings: { "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.dev.json" })] },
        rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
    },
    ...layerRules,
    {
        // No type assertions (`x as T`, `<T>x`) in the shipped code: values from Pulumi and Consul are
        // parsed with zod instead. `as const` stays allowed; non-null assertions are a separate rule.
        files: ["provider/**/*.ts", "sdk/**/*.ts"],
        rules: { "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }] },
    },
    // The API reference npm run docs builds (generated HTML and scripts).
    { ignores: ["docs/api/"] },
    {
        // TSDoc on everything a user imports from sdk/ (editors show it; `npm run docs` and the plugin
        // schema are generated from it): exported classes, functions, consts, interfaces and their
        // properties, type aliases, and the public outputs declared on exported classes.
        files: ["sdk/**/*.ts"],
        plugins: { jsdoc },
        rules: {
            "jsdoc/require-jsdoc": [
                "error",
                {
                    publicOnly: true,
                    enableFixer: false,
                    require: { ClassDeclaration: true, FunctionDeclaration: true },
                    contexts: [
                        "TSInterfaceDeclaration",
                        "TSTypeAliasDeclaration",
                        "TSInterfaceDeclaration TSPropertySignature",
                        "ClassDeclaration > ClassBody > PropertyDefinition:not([accessibility=/private|protected/])",
                        "VariableDeclaration",
                    ],
                },
            ],
        },
    },
    {
        files: ["**/*.js", "**/*.mjs"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: {
            parserOptions: { project: null },
            // CommonJS and Node globals (the .js files are CommonJS modules run by Node).
            globals: {
                require: "readonly",
                module: "writable",
                exports: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
                __filename: "readonly",
            },
        },
        rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
    },
);
