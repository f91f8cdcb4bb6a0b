import type { UserWorkspaceConfig } from 'vitest/config';

/** The vitest project of one package of the monorepo (see `project.js`). */
export declare function packageProject(
  name: string,
  extra?: UserWorkspaceConfig['test'],
): UserWorkspaceConfig;
