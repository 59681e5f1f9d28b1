// typescript-eslint with type information (the project's tsconfig.dev.json, through the project
// service), plus the core recommended rules. Formatting is Prettier's job (npm run format).
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
        files: ["**/*.js", "**/*.mjs"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: {
            parserOptions: { project: null },
            globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" },
        },
        rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
    },
);
