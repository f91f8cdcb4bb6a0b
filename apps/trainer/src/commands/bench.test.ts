import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../cli/io.js';
import { runDl, tempDir } from '../testing/fixtures.js';
import { benchCommand, repositoryRoot, type BenchInvocation } from './bench.js';

const root = repositoryRoot();
const harness = join(root, 'tooling', 'bench', 'src', 'main.ts');

/** Runs `dl bench ARGS` with a runner that records the command line instead of starting it. */
async function planned(
  args: string[],
  exit = 0,
): Promise<{ code: number; invocation: BenchInvocation | undefined }> {
  let invocation: BenchInvocation | undefined;
  const code = await benchCommand(args, captureIo(), (i) => {
    invocation = i;
    return Promise.resolve(exit);
  });
  return { code, invocation };
}

describe('dl bench', () => {
  it('runs the quick benchmark harness with node --import tsx, passing the flags on', async () => {
    const plain = await planned([]);
    expect(plain.code).toBe(0);
    expect(plain.invocation).toEqual({
      command: process.execPath,
      args: ['--import', 'tsx', harness, '--quick', '--summary'],
      cwd: root,
    });
    expect((await planned(['--full'])).invocation?.args).toEqual(['--import', 'tsx', harness, '--quick']);
    const all = await planned(['--only', 'gemm', '--json', '--no-numpy', '--no-relaxed']);
    expect(all.invocation?.args).toEqual([
      '--import',
      'tsx',
      harness,
      '--quick',
      '--only',
      'gemm',
      '--json',
      '--no-numpy',
      '--no-relaxed',
    ]);
  });

  it("passes the harness's exit code on", async () => {
    expect((await planned(['--only', 'steps'], 3)).code).toBe(3);
  });

  it('rejects a bad suite or flag, and a checkout without the harness, in one line', async () => {
    const suite = await runDl(['bench', '--only', 'fft']);
    expect(suite.code).toBe(2);
    expect(suite.stderr).toBe(
      "dl: --only must be one of gemm, layers, steps, inference, epoch, memory, got 'fft'\n",
    );
    const flag = await runDl(['bench', '--wide']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^dl: bench: unknown option '--wide'/);
    const elsewhere = tempDir();
    try {
      const io = captureIo();
      await expect(benchCommand([], io, () => Promise.resolve(0), elsewhere.path)).rejects.toThrow(
        /dl bench runs the benchmark harness of the repository checkout, and .*tooling\/bench\/src\/main\.ts is not there/,
      );
    } finally {
      elsewhere.cleanup();
    }
  });

  it('has help with examples', async () => {
    const r = await runDl(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dl bench \[options\]/);
    expect(r.stdout).toMatch(/--only SUITE +gemm \| layers \| steps \| inference \| epoch/);
    expect(r.stdout).toMatch(/dl bench --only gemm --no-numpy/);
    expect(r.stdout).toMatch(/--full +the full tables/);
    const top = await runDl(['--help']);
    expect(top.stdout).toMatch(/^ {2}bench +the quick benchmarks/m);
  });

  /** Runs `dl bench ARGS` on the real harness, its stdout captured; progress lines go to stderr. */
  async function really(args: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const code = await benchCommand(args, captureIo(), (i) => {
      const r = spawnSync(i.command, i.args, { cwd: i.cwd, encoding: 'utf8', timeout: 170_000 });
      stdout = r.stdout;
      return Promise.resolve(r.status ?? 1);
    });
    return { code, stdout };
  }

  it(
    'really runs: by default a summary within 100 columns (the quickest suite)',
    { timeout: 180_000 },
    async () => {
      const { code, stdout } = await really(['--only', 'gemm', '--no-numpy']);
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(100);
      expect(stdout).toMatch(/^GEMM, ms per call +js +wasm 1T +threads +GFLOP\/s +tfjs wasm +numpy 1T$/m);
      expect(stdout).toMatch(/^ {2}GEMM 512³ on all threads >= 1\.4× TF\.js wasm$/m);
    },
  );

  it('really runs: --full prints every table of the harness', { timeout: 180_000 }, async () => {
    const { code, stdout } = await really(['--only', 'gemm', '--no-numpy', '--full']);
    expect(code).toBe(0);
    for (const title of [
      'ms per call',
      'GFLOP/s',
      'speed relative to NumPy on one thread (higher is faster)',
    ])
      expect(stdout.split('\n')).toContain(title);
    expect(stdout).toMatch(
      /^workload +m×k·k×n +js naive +js packed +wasm simd +wasm relaxed +wasm threads +tfjs wasm +tfjs cpu +numpy 1T +numpy MT$/m,
    );
  });

  it('really runs: the quick GEMM table as JSON (about 10 s)', { timeout: 180_000 }, async () => {
    // The real harness, with its output captured instead of inherited.
    const code = await benchCommand(['--only', 'gemm', '--no-numpy', '--json'], captureIo(), (i) => {
      const r = spawnSync(i.command, i.args, { cwd: i.cwd, encoding: 'utf8', timeout: 110_000 });
      // Only the harness's CLI is relied on (its report's layout is its own): JSON on stdout.
      expect(typeof JSON.parse(r.stdout)).toBe('object');
      return Promise.resolve(r.status ?? 1);
    });
    expect(code).toBe(0);
  });
});
