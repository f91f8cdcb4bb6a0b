import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNeeded, stampPath } from '../bin/build-check.mjs';
import { tempDir } from './testing/fixtures.js';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(app, 'bin', 'dl.mjs');

/** Writes `text` to `root/rel`, creating folders, with its modification time `seconds` after 2000-01-01. */
function put(root: string, rel: string, text: string, seconds: number): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  const time = 946_684_800 + seconds;
  utimesSync(path, time, time);
}

/** A monorepo of two packages: `@x/app` depends on `@x/lib`, which has a WebAssembly build too. */
function fakeRepo(root: string): void {
  const manifest = (name: string, extra: object): string =>
    JSON.stringify({ name, scripts: { build: 'tsc' }, ...extra });
  put(root, 'apps/app/package.json', manifest('@x/app', { dependencies: { '@x/lib': 'workspace:^' } }), 0);
  put(root, 'apps/app/src/main.ts', '', 10);
  put(root, 'apps/app/src/main.test.ts', '', 10);
  put(
    root,
    'packages/lib/package.json',
    manifest('@x/lib', { scripts: { build: 'tsc', 'build:wasm': 'asc' } }),
    0,
  );
  put(root, 'packages/lib/src/index.ts', '', 10);
  put(root, 'packages/lib/assembly/index.ts', '', 10);
}

describe('bin/build-check.mjs', () => {
  it('asks for a first build while an output folder is missing, then for none once built', () => {
    const repo = tempDir();
    try {
      fakeRepo(repo.path);
      expect(buildNeeded(repo.path, '@x/app')).toMatchObject({ first: true });
      put(repo.path, 'apps/app/dist/main.js', '', 20);
      put(repo.path, 'packages/lib/dist/index.js', '', 20);
      expect(buildNeeded(repo.path, '@x/app')).toEqual({
        first: true,
        reason: 'packages/lib/wasm is not built',
      });
      put(repo.path, 'packages/lib/wasm/kernels.wasm', '', 20);
      expect(buildNeeded(repo.path, '@x/app')).toBeNull();
    } finally {
      repo.cleanup();
    }
  });

  it("rebuilds when a dependency's source or kernel is newer than its output, not for a test file", () => {
    const repo = tempDir();
    try {
      fakeRepo(repo.path);
      for (const out of ['apps/app/dist/main.js', 'packages/lib/dist/index.js', 'packages/lib/wasm/k.wasm'])
        put(repo.path, out, '', 20);
      put(repo.path, 'apps/app/src/main.test.ts', '', 30);
      expect(buildNeeded(repo.path, '@x/app')).toBeNull();
      put(repo.path, 'packages/lib/assembly/index.ts', '', 30);
      expect(buildNeeded(repo.path, '@x/app')).toEqual({
        first: false,
        reason: 'packages/lib changed since packages/lib/wasm was built',
      });
      put(repo.path, 'packages/lib/wasm/k.wasm', '', 40);
      put(repo.path, 'packages/lib/src/index.ts', '', 50);
      expect(buildNeeded(repo.path, '@x/app')?.reason).toBe(
        'packages/lib changed since packages/lib/dist was built',
      );
      // A build that found everything up to date rewrote nothing but left the stamp: built.
      put(repo.path, relative(repo.path, stampPath(repo.path)), '', 60);
      expect(buildNeeded(repo.path, '@x/app')).toBeNull();
      put(repo.path, 'apps/app/src/main.ts', '', 70);
      expect(buildNeeded(repo.path, '@x/app')).toMatchObject({ first: false });
    } finally {
      repo.cleanup();
    }
  });
});

describe('bin/dl.mjs', () => {
  it('on a built tree prints help and nothing from turbo', { timeout: 600_000 }, () => {
    const run = (): { stdout: string; stderr: string; status: number | null } =>
      spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8', timeout: 590_000 });
    // The first run builds if this checkout is stale (its lines on stderr); the second finds it built.
    const first = run();
    expect(first.status).toBe(0);
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^dl — /);
    expect(second.stderr).toBe('');
  });
});
