import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * The vitest project every package uses: tests live next to the code (`src/**\/*.test.ts`) and
 * workspace packages resolve to their TypeScript source through the `source` export condition, so
 * tests need no build of their dependencies.
 */
export function packageProject(name: string, extra: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  const conditions = ['source', 'module', 'node', 'import', 'default'];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      ...extra,
    },
  });
}
