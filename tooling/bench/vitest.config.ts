// The bench's own unit tests (src/**/*.test.ts): `pnpm exec vitest run --root tooling/bench`. The shared
// project settings by path: @dl/bench declares no workspace dependencies.
import { packageProject } from '../vitest/project.js';

export default packageProject('@dl/bench', { testTimeout: 120_000 });
