import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The local Opik server is for tests and scripts: the action must never bundle it.
const LOCAL_SERVER_MESSAGE = "The action never uses the local Opik server; only tests and scripts import opik-local-server.";
const LOCAL_SERVER_IMPORT = { name: "opik-local-server", message: LOCAL_SERVER_MESSAGE };
const LOCAL_SERVER_SOURCE = { group: ["opik-local-server/*", "**/packages/opik-local-server/**"], message: LOCAL_SERVER_MESSAGE };

export default tseslint.config(
  { ignores: ["dist/**", "packages/*/dist/**", "node_modules/**", "build/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/return-await": ["error", "in-try-catch"],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Network behind small interfaces: only src/opik talks to the opik SDK, only src/github to GitHub.
    files: ["src/**/*.ts"],
    ignores: ["src/opik/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "opik", message: "Only src/opik imports the opik SDK; use the OpikGateway interface." }, LOCAL_SERVER_IMPORT],
          patterns: [LOCAL_SERVER_SOURCE],
        },
      ],
    },
  },
  {
    // The same rule as above, without the opik restriction: a later block would replace it, not add to it.
    files: ["src/opik/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [LOCAL_SERVER_IMPORT], patterns: [LOCAL_SERVER_SOURCE] }],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/github/**"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "ImportDeclaration[source.value='@actions/github']", message: "Only src/github imports @actions/github." }],
    },
  },
  {
    // The core, pipeline, gate, report and publish code return plain data; only main.ts talks to the runner.
    files: ["src/core/**", "src/publish/**", "src/cli/**", "src/pipeline/**", "src/report/**", "src/metrics/**", "src/gate/**", "src/config/parse-*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@actions/core",
              message: "The core returns an outcome; only src/main.ts and src/config/read-inputs.ts (the action's adapter) use @actions/core.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["eslint.config.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
