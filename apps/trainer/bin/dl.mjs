#!/usr/bin/env node
// The `dl` command. In the monorepo it first builds what the trainer needs (turbo, cached: about a
// second when nothing changed), so `pnpm dl ...` always runs current code. Build output goes to
// stderr so `dl train --json` keeps stdout for JSON alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '..', '..');
if (existsSync(join(root, 'turbo.json')) && !process.env.DL_SKIP_BUILD) {
  const build = spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=@dl/trainer...',
      '--output-logs=errors-only',
      '--log-prefix=none',
    ],
    {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', process.stderr, process.stderr],
    },
  );
  if (build.signal) {
    // Ctrl-C during the build: exit as the shell reports a stopped command (130 for SIGINT).
    console.error(`dl: the build was stopped (${build.signal})`);
    process.exit(128 + (constants.signals[build.signal] ?? 0));
  }
  if (build.status !== 0) {
    console.error('dl: the build failed (see above)');
    process.exit(build.status ?? 1);
  }
}
await import(pathToFileURL(join(app, 'dist', 'cli.js')).href);
