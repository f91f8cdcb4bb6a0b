#!/usr/bin/env node
// The project's one test command (`pnpm test`): builds everything, runs the code-health checks and
// every test suite, then prints the closing line `N passed, N failed` that CI reads.
// Each check (build, typecheck, lint, format) counts as one test; vitest and Playwright count their
// own tests, and a test file that fails to load counts as a failure. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const results = join(root, '.test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

// Colour on a terminal; none in CI logs (FORCE_COLOR set to anything, even 0, turns colour on in some tools).
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  ...(process.env.CI ? {} : { FORCE_COLOR: '1' }),
};
let passed = 0;
let failed = 0;
const failures = [];

function run(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `=== ${label}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${seconds}s`,
  );
  return r.status === 0;
}

function check(label, command, args) {
  if (run(label, command, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

const setupSteps = process.argv.includes('--no-setup')
  ? []
  : [['setup', 'node', ['tooling/scripts/setup.mjs']]];
for (const [label, cmd, args] of setupSteps) check(label, cmd, args);

check('build', 'pnpm', ['run', 'build']);
check('typecheck', 'pnpm', ['run', 'typecheck']);
check('lint', 'pnpm', ['run', 'lint']);
check('format', 'pnpm', ['run', 'format:check']);
check('sizes', 'pnpm', ['run', 'check:sizes']);
check('packages', 'pnpm', ['run', 'check:packages']);
check('docs', 'pnpm', ['run', 'docs']);

// Unit tests: one vitest run over every project, counted from its JSON report.
const vitestJson = join(results, 'vitest.json');
run('vitest', 'pnpm', [
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  for (const file of report.testResults) {
    // A file that failed to load has no assertion results but is marked failed.
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      failed++;
      failures.push(`vitest: ${file.name} failed to load`);
    }
    for (const t of file.assertionResults) if (t.status === 'failed') failures.push(`vitest: ${t.fullName}`);
  }
} else {
  failed++;
  failures.push('vitest: no report was written');
}

// Browser end-to-end tests (Playwright), where an app has them.
const e2eConfig = join(root, 'apps', 'playground', 'playwright.config.ts');
if (existsSync(e2eConfig)) {
  const e2eJson = join(results, 'playwright.json');
  const ok = spawnSync('pnpm', ['--filter', '@dl/playground', 'run', 'e2e'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson },
  });
  if (existsSync(e2eJson)) {
    const report = JSON.parse(readFileSync(e2eJson, 'utf8'));
    passed += report.stats.expected + (report.stats.flaky ?? 0);
    failed += report.stats.unexpected;
    if (report.stats.unexpected > 0) failures.push('playwright: see the report above');
    else if (ok.status !== 0) {
      // No test failed, yet the run did (a web server that could not start, a config error): the
      // report then holds no tests at all, and that must not read as a pass.
      failed++;
      failures.push(`playwright: the run failed before or around its tests (exit ${ok.status})`);
    }
  } else {
    failed++;
    failures.push(`playwright: no report was written (exit ${ok.status})`);
  }
}

if (failures.length > 0) {
  console.log('\nFailures:');
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
