import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as WebGpu from '@dl/tensor/webgpu';
import type { WebGpuKernels } from '@dl/tensor/webgpu';
import { readCheckpoint } from '../run/checkpoint.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

// `dl train --backend webgpu` meeting a real GPU failure in the middle of a run: the device lost
// (`device.destroy()`, the one loss a program can cause) and validation errors, one inside a kernel
// and one outside every kernel (uncaptured). WebGPU throws none of them, and a failed submit leaves
// zeros: the run must end at the step's own read, in one line, exit 1, keeping its last checkpoint.
// The CLI runs in-process (`runDl`); the failure is provoked from here, through the kernels the CLI
// creates: `createWebGpuKernels` is wrapped (test-only) so that the loss's backward of the chosen
// step, called once per training step, also runs the sabotage.
const enabled = process.env.DL_WEBGPU !== 'off';

/** What to do to the device after the loss's backward of step `step` (1-based) is recorded. */
interface Sabotage {
  step: number;
  act: (kernels: WebGpuKernels) => void;
}
const plan: { sabotage: Sabotage | undefined; done: (() => void) | undefined } = {
  sabotage: undefined,
  done: undefined,
};

vi.mock('@dl/tensor/webgpu', async (importOriginal) => {
  const original = await importOriginal<typeof WebGpu>();
  return {
    ...original,
    createWebGpuKernels: async (
      ...args: Parameters<typeof original.createWebGpuKernels>
    ): Promise<WebGpuKernels> => {
      const kernels = await original.createWebGpuKernels(...args);
      const sabotage = plan.sabotage;
      if (sabotage === undefined) return kernels;
      const { fused } = kernels;
      let steps = 0;
      // The same kernels, with the loss's backward counting the steps (its fields are readonly).
      return {
        ...kernels,
        fused: {
          ...fused,
          softmaxCrossEntropyBackward: (y, labels, rows, classes, dx) => {
            const took = fused.softmaxCrossEntropyBackward(y, labels, rows, classes, dx);
            if (++steps === sabotage.step) {
              plan.done?.();
              sabotage.act(kernels);
            }
            return took;
          },
        },
      };
    },
  };
});

let tmp: { path: string; cleanup: () => void };
let data: string;

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

/**
 * Trains (200 images in batches of 20: 10 steps an epoch, `last` written at each epoch's
 * evaluation) with `sabotage` at step 15; returns the run, the `last` checkpoint as it was when
 * the failure was provoked, and the directory.
 */
async function failedRun(
  name: string,
  sabotage: Sabotage,
): Promise<{ code: number; stderr: string; before: Buffer; dir: string }> {
  const dir = join(tmp.path, name);
  let before = Buffer.alloc(0);
  plan.sabotage = sabotage;
  plan.done = () => (before = readFileSync(join(dir, 'last.safetensors')));
  try {
    const args = ['train', '--data', data, '--batch-size', '20', '--lr', '0.5', '--iters', '40'];
    const r = await runDl([...args, '--backend', 'webgpu', '--out', dir, '--json']);
    return { code: r.code, stderr: r.stderr, before, dir };
  } finally {
    plan.sabotage = undefined;
    plan.done = undefined;
  }
}

/** The run ended in exactly `line`, exit 1, with its last checkpoint as it was, and loadable. */
function expectEnded(run: Awaited<ReturnType<typeof failedRun>>, line: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  const last = join(run.dir, 'last.safetensors');
  expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line) as string]);
  expect(run.stderr).toContain(`; the last checkpoint is ${last}`);
  expect(run.before.length).toBeGreaterThan(0);
  expect(readFileSync(last).equals(run.before)).toBe(true);
  const step = readCheckpoint(last).info!.step;
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(15);
  const record = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as { status: string };
  expect(record.status).toBe('failed');
  expect(existsSync(join(run.dir, 'best.safetensors'))).toBe(true);
}

describe.runIf(enabled)('dl train --backend webgpu, a GPU failure mid-run', () => {
  it('a lost device ends the run in one line, exit 1, the last checkpoint kept', async () => {
    const run = await failedRun('lost', { step: 15, act: (k) => k.gpu.device.destroy() });
    expectEnded(run, /^dl: webgpu: device lost \(destroyed\): [^\n]+ \(last kernel: [^\n)]+\); the last/);
  }, 120_000);

  it('a validation error in a kernel ends the run in one line, exit 1, the checkpoint kept', async () => {
    // A dispatch, in the step, of a kernel bound to a buffer without STORAGE usage (MAP_READ | COPY_DST).
    const run = await failedRun('invalid', {
      step: 15,
      act: ({ gpu }) => {
        const buffer = gpu.device.createBuffer({ size: 32, usage: 0x0001 | 0x0008, label: 'not storage' });
        gpu.unary('exp', { buffer, dtype: 'float32', length: 8 }, gpu.alloc('float32', 8));
      },
    });
    expectEnded(run, /^dl: webgpu unary exp: [^\n]*\[Buffer "not storage"\][^\n]*; the last/);
  }, 120_000);

  it('an uncaptured validation error ends the run in one line, exit 1, the checkpoint kept', async () => {
    const run = await failedRun('uncaptured', {
      step: 15,
      act: (k) => k.gpu.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080, label: 'bad usage' }),
    });
    expectEnded(run, /^dl: webgpu: uncaptured validation error \(last kernel: [^\n]+\): [^\n]+bad usage/);
  }, 120_000);
});
