#!/usr/bin/env node
// Installs what the tests need beyond npm packages: Debian's Chromium for the playground's browser
// tests (Playwright drives it; `playwright install` cannot download browsers here). Idempotent.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const chromium = '/usr/bin/chromium';
if (!existsSync(join('apps', 'playground', 'playwright.config.ts'))) {
  console.log('setup: no browser tests in this checkout, nothing to install');
  process.exit(0);
}
if (existsSync(chromium)) {
  console.log(`setup: ${chromium} is installed`);
  process.exit(0);
}
if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
  console.error(`setup: browser tests need Chromium at ${chromium}; install it with your package manager`);
  process.exit(1);
}
const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
const step = (args) => {
  const [cmd, ...rest] = [...asRoot, ...args];
  const r = spawnSync(cmd, rest, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
console.log('setup: installing Debian chromium for the browser tests');
step(['apt-get', 'update', '-qq']);
step(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']);
