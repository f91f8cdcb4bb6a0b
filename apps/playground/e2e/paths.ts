import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The port `vite preview` serves the built app on during the e2e run. */
export const PREVIEW_PORT = 4391;

/** The port and the sub-path `e2e/subpath-server.ts` serves the built app under (a project page's). */
export const SUBPATH_PORT = 4392;
export const SUBPATH = '/dl/';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The app's directory (apps/playground). */
export const APP_DIR = appDir;

/**
 * Where the e2e run leaves its artefacts: the repository's `.test-results/` (ignored by git, Prettier
 * and ESLint, and cleared by each `pnpm test`). Screenshots of every page go to `screenshots/`.
 */
export const ARTIFACTS_DIR = join(appDir, '..', '..', '.test-results', 'playground');
export const SCREENSHOTS_DIR = join(ARTIFACTS_DIR, 'screenshots');

/** Debian's Chromium, driven by Playwright (never `playwright install`: no network for browsers). */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags every test's Chromium runs with (no sandbox in a container, nothing from the network). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * WebGPU in Chromium without a GPU: `--enable-unsafe-webgpu` and no `--disable-gpu` give a SwiftShader
 * adapter (software: correct and slow). The other tests run with `--disable-gpu`.
 */
export const WEBGPU_ARGS: readonly string[] = [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'];
