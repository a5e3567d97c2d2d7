// ESLint flat config: typescript-eslint's recommended rules on the program, tests and tools.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "out/**", "bin/**", "scratch/**", "policy/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // Policies read provider properties as the policy engine hands them over: untyped JSON
    // (`Record<string, any>` in @pulumi/policy's own API), often from remote components.
    files: ["policy/policies/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
