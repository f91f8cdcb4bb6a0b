#!/usr/bin/env node
// `pnpm dl ...`: builds what the trainer needs (turbo, cached: about a second when nothing changed),
// then runs the `dl` CLI. Build output goes to stderr so `dl train --json` keeps stdout clean.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
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
  { cwd: root, env, stdio: ['ignore', process.stderr, process.stderr] },
);
if (build.status !== 0) {
  console.error('dl: the build failed (see above)');
  process.exit(build.status ?? 1);
}
const cli = spawnSync(
  process.execPath,
  [join(root, 'apps', 'trainer', 'dist', 'cli.js'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env,
  },
);
process.exit(cli.status ?? 1);
