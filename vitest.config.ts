import { defineConfig } from 'vitest/config';

// One vitest run over every package and app; each has its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/pack-test', 'tooling/book-fixtures', 'tooling/bench'],
  },
});
