import { defineProject } from 'vitest/config';

/**
 * The vitest project every package uses: tests live next to the code (`src/**\/*.test.ts`) and
 * workspace packages resolve to their TypeScript source through the `source` export condition, so
 * tests need no build of their dependencies. Plain JavaScript (typed by `project.d.ts`) because
 * vitest loads a config's dependencies from `node_modules` with Node itself, which runs no TypeScript.
 *
 * @param {string} name
 * @param {import('vitest/config').UserWorkspaceConfig['test']} [extra]
 * @returns {import('vitest/config').UserWorkspaceConfig}
 */
export function packageProject(name, extra = {}) {
  const conditions = ['source', 'module', 'node', 'import', 'default'];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      // The wasm heap fills every freed block with NaN bytes in tests: a tensor read after its step
      // released it gives NaN (and a failing test) instead of another tensor's numbers.
      env: { DL_WASM_POISON: '1' },
      ...extra,
    },
  });
}
