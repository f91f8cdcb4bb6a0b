import { packageProject } from '@dl/vitest-config/project';

// Slow by nature (pnpm pack, npm install, tsc, Vite, Chromium): one file, long timeouts.
export default packageProject('@dl/pack-test', { testTimeout: 120_000, hookTimeout: 300_000 });
