// typescript-eslint with type information (parserOptions.project: tsconfig.dev.json, which covers
// provider/, sdk/, tests/, scripts/, bench/, examples/ and demo/), plus the core recommended rules. Formatting is Prettier's job (npm run format).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
        // No type assertions (`x as T`, `<T>x`) in the shipped code: values from Pulumi and Consul are
        // parsed with zod instead. `as const` stays allowed; non-null assertions are a separate rule.
        files: ["provider/**/*.ts", "sdk/**/*.ts"],
        rules: { "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }] },
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
