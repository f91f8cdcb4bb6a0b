import { defineConfig } from '@playwright/test';
import { ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, PREVIEW_PORT, SUBPATH, SUBPATH_PORT } from './e2e/paths.js';

// End-to-end tests in Debian's Chromium (never `playwright install`: no network for browsers) against
// `vite preview` of the production build, which sends the COOP/COEP headers. `pnpm run e2e` builds first.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.ts',
  // Under the repository's .test-results/ (ignored by git and Prettier): traces, failure screenshots.
  outputDir: `${ARTIFACTS_DIR}/output`,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // The root test runner reads the JSON report from PLAYWRIGHT_JSON_OUTPUT_NAME; by hand it lands next to the artefacts.
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? `${ARTIFACTS_DIR}/report.json` }],
  ],
  use: {
    baseURL: `http://localhost:${PREVIEW_PORT}`,
    viewport: { width: 1366, height: 900 },
    browserName: 'chromium',
    // e2e/webgpu.e2e.ts drops `--disable-gpu` and enables WebGPU for its own tests (WEBGPU_ARGS).
    launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--disable-gpu'] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: `pnpm exec vite preview --port ${PREVIEW_PORT} --strictPort`,
      url: `http://localhost:${PREVIEW_PORT}/`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      // The same dist/ under a sub-path, as a static host serves a project page (e2e/subpath.e2e.ts).
      command: 'node --import tsx e2e/subpath-server.ts',
      url: `http://localhost:${SUBPATH_PORT}${SUBPATH}`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
