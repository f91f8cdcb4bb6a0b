import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTinyMnist } from './testing/fixtures.js';

// The real command in a child process (TypeScript run directly, workspace packages from source).
const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = ['--conditions=source', '--import', 'tsx', join(app, 'src', 'cli.ts')];

let tmp: { path: string; cleanup: () => void };
let data: string;

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

describe('the dl process', () => {
  it('keeps stdout pure JSON with --json and exits 0; errors go to stderr with exit code 2', () => {
    const ok = spawnSync(
      process.execPath,
      [
        ...cli,
        'train',
        '--data',
        data,
        '--batch-size',
        '20',
        '--iters',
        '12',
        '--out',
        join(tmp.path, 'json'),
        '--json',
      ],
      { encoding: 'utf8', cwd: app },
    );
    expect(ok.status).toBe(0);
    for (const line of ok.stdout.trimEnd().split('\n'))
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    const bad = spawnSync(process.execPath, [...cli, 'train', '--batch-size', '0'], {
      encoding: 'utf8',
      cwd: app,
    });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("dl: --batch-size must be a positive integer, got '0'\n");
  });

  it('ends quietly when the reader of its output goes away (| head -1)', () => {
    // The shell's pipeline: dl writes many lines, head takes one and exits.
    const r = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" ${cli.map((a) => `'${a}'`).join(' ')} train --data '${data}' --batch-size 20 ` +
          `--iters 60 --log-every 1 --out '${join(tmp.path, 'pipe')}' --json | head -1`,
      ],
      { encoding: 'utf8', cwd: app },
    );
    expect(r.stdout.split('\n')[0]).toMatch(/^\{"type":"epoch"/);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|Error/);
  });

  it('Ctrl-C (SIGINT) finishes the step, writes a checkpoint and exits 130', async () => {
    const dir = join(tmp.path, 'sigint');
    const child = spawn(
      process.execPath,
      [...cli, 'train', '--data', data, '--batch-size', '20', '--iters', '100000', '--out', dir],
      { cwd: app },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      // Interrupt once training is under way.
      if (/epoch +2 /.test(stdout) && child.signalCode === null && !child.killed) child.kill('SIGINT');
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    clearTimeout(guard);
    expect(stderr).toMatch(/SIGINT: stopping after this step/);
    expect(code).toBe(130);
    expect(stdout).toMatch(/stopped after \d+ steps/);
    expect(existsSync(join(dir, 'last.safetensors'))).toBe(true);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string };
    expect(run.status).toBe('interrupted');
  });
});
