// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { maskDecorators } from './tooling/scripts/assembly-syntax.mjs';

export default tseslint.config(
  {
    ignores: [
      'docs/api/**',
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/coverage/**',
      'runs/**',
      '.test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Plain JavaScript (launchers, build scripts): linted without type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    // AssemblyScript (packages/tensor/assembly/): TypeScript syntax but for `@inline` on functions,
    // which typescript-eslint cannot parse, so a processor masks those lines as comments of the same
    // length (tooling/scripts/assembly-syntax.mjs; reported positions stay exact). Linted without type
    // information: its types (i32, f32, v128, load<T>) come from AssemblyScript's own library.
    files: ['packages/tensor/assembly/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
    processor: {
      meta: { name: 'assemblyscript-decorators' },
      supportsAutofix: true,
      preprocess: (text) => [maskDecorators(text)],
      postprocess: (messages) => messages.flat(),
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      // `// @ts-ignore: decorator` above each `@inline` is AssemblyScript's convention for editors
      // running TypeScript's checker, where the decorator is an error that asc accepts.
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description' }],
    },
  },
);
