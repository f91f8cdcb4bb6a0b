#!/usr/bin/env node
// The `dl` command. In the monorepo it first makes sure the packages it runs are built, so
// `pnpm dl ...` always runs current code: a check of file times (build-check.mjs) decides, and
// only when something is stale does it run turbo (cached per package). On a built tree nothing is
// printed and turbo is not started. Build messages go to stderr, so `dl train --json` keeps stdout
// for JSON alone. DL_SKIP_BUILD=1 skips the check and the build (run dist/ as it is).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildNeeded, writeStamp } from './build-check.mjs';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '..', '..');

/** Runs turbo's build of the trainer and its packages, its output on stderr; exits if it fails. */
function build(stale) {
  console.error(
    stale.first
      ? 'dl: building the packages (first run: TypeScript and the WebAssembly kernels, a minute or two)…'
      : `dl: rebuilding (${stale.reason})…`,
  );
  const result = spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=@dl/trainer...',
      // One line per package ("@dl/tensor:build: cache miss, executing …"), no compiler chatter.
      '--output-logs=hash-only',
    ],
    {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_PRINT_VERSION_DISABLED: '1' },
      stdio: ['ignore', process.stderr, process.stderr],
    },
  );
  if (result.signal) {
    // Ctrl-C during the build: exit as the shell reports a stopped command (130 for SIGINT).
    console.error(`dl: the build was stopped (${result.signal})`);
    process.exit(128 + (constants.signals[result.signal] ?? 0));
  }
  if (result.status !== 0) {
    console.error('dl: the build failed (see above)');
    process.exit(result.status ?? 1);
  }
  writeStamp(root);
}

if (existsSync(join(root, 'turbo.json')) && !process.env.DL_SKIP_BUILD) {
  const stale = buildNeeded(root);
  if (stale !== null) build(stale);
}
await import(pathToFileURL(join(app, 'dist', 'cli.js')).href);
