import { describe, expect, it } from 'vitest';
import { onBackend } from '../index.js';
import { tensor } from '../../create.js';
import { stepScope } from '../../scope.js';
import { add } from '../../ops/elementwise.js';
import { relu } from '../../ops/activation.js';
import { sum } from '../../ops/reduce.js';
import { openDevice } from './device.js';
import { errorLine } from './errors.js';
import { createWebGpuBackend, createWebGpuKernels, type WebGpuBackend } from './index.js';
import { GpuRuntime } from './runtime.js';
import { BUFFER_COPY_DST, BUFFER_MAP_READ, BUFFER_STORAGE } from './usage.js';

// Real GPU failures, provoked on the machine's adapter (llvmpipe here): a lost device (the one loss
// a program can cause, `device.destroy()`), a validation error inside a kernel, in WGSL, and one
// outside every kernel (uncaptured). WebGPU throws none of them, and a failed submit leaves its
// outputs as they were (zeros): each must come back as one line from the step's own read, never
// as numbers. DL_WEBGPU=off skips them, as the other webgpu tests.
const enabled = process.env.DL_WEBGPU !== 'off';

const N = 1 << 16;
const LOST = /^webgpu: device lost \(destroyed\): [^\n]+ \(last kernel: binary add\)$/;

/** `count` additions of 1 into a zeroed array of N, recorded (not submitted). */
function additions(gpu: WebGpuBackend, count: number): ReturnType<WebGpuBackend['alloc']> {
  const y = gpu.alloc('float32', N);
  const one = gpu.upload(new Float32Array([1]));
  for (let i = 0; i < count; i++)
    gpu.binary({ op: 'add', a: y, aStrides: [1], b: one, bStrides: [0], out: y, outShape: [N] });
  return y;
}

describe.skipIf(!enabled)('webgpu failures, provoked', () => {
  it('a device lost under a read in flight: the read rejects in one line, and so does every later call', async () => {
    const gpu = await createWebGpuBackend();
    const y = additions(gpu, 100);
    const reading = gpu.read(y);
    gpu.device.destroy();
    await expect(reading).rejects.toThrow(LOST);
    expect(() =>
      gpu.binary({ op: 'add', a: y, aStrides: [1], b: y, bStrides: [1], out: y, outShape: [N] }),
    ).toThrow(LOST);
    expect(() => gpu.alloc('float32', 4)).toThrow(LOST);
    await expect(gpu.read(y)).rejects.toThrow(LOST);
  });

  it('a device lost between recording and reading: the read rejects, never returns zeros', async () => {
    const gpu = await createWebGpuBackend();
    await gpu.read(additions(gpu, 1));
    // Recorded before the loss is known (device.lost resolves later): the read must still fail.
    const y = additions(gpu, 3);
    gpu.device.destroy();
    const z = additions(gpu, 2);
    await expect(gpu.read(z)).rejects.toThrow(LOST);
    await expect(gpu.read(y)).rejects.toThrow(LOST);
  });

  it('tensors: a step on a lost device fails at its own read, in one line; the next op throws it', async () => {
    const gpu = await createWebGpuKernels();
    const x = onBackend(gpu, () => tensor([-1, 2, -3, 4]));
    expect(await onBackend(gpu, () => stepScope(() => sum(relu(x)))).read()).toEqual(new Float32Array([6]));
    const loss = onBackend(gpu, () => stepScope(() => sum(add(relu(x), 1))));
    gpu.gpu.device.destroy();
    const line = /^webgpu: device lost \(destroyed\): [^\n]+ \(last kernel: reduce sum\)$/;
    await expect(loss.read()).rejects.toThrow(line);
    expect(() => onBackend(gpu, () => add(x, 1))).toThrow(line);
  });

  it('a kernel bound to a buffer without STORAGE usage fails its read in one line naming the buffer', async () => {
    const gpu = await createWebGpuBackend();
    const bad = gpu.device.createBuffer({
      size: 4 * 8,
      usage: BUFFER_MAP_READ | BUFFER_COPY_DST,
      label: 'not storage',
    });
    const out = gpu.alloc('float32', 8);
    gpu.unary('exp', { buffer: bad, dtype: 'float32', length: 8 }, out);
    const line = /^webgpu unary exp: [^\n]*\[Buffer "not storage"\][^\n]*usage[^\n]*$/;
    await expect(gpu.read(out)).rejects.toThrow(line);
    expect(() => gpu.unary('exp', out, out)).toThrow(line);
    gpu.destroy();
  });

  it('a kernel whose WGSL does not compile fails in one line with the source line at fault', async () => {
    const opened = await openDevice();
    const rt = new GpuRuntime(opened.device, opened.gpu);
    const x = rt.alloc('float32', 8, true);
    const spec = {
      name: 'broken kernel',
      key: 'broken',
      bindings: [{ name: 'x', access: 'write', dtype: 'float32' }],
      params: [['n', 'u32']],
      body: '@compute @workgroup_size(64) fn main() { x_st(0u, no_such_value); }',
    } as const;
    rt.dispatch(spec, [x], { n: 8 }, [1]);
    await expect(rt.read(x)).rejects.toThrow(
      /^webgpu broken kernel: [^\n]*:\d+:\d+ error: unresolved value 'no_such_value' \(in `[^`\n]*no_such_value[^`\n]*`\)$/,
    );
    rt.destroy();
  });

  it('an error outside every kernel (uncaptured) fails the next read in one line naming the call', async () => {
    const gpu = await createWebGpuBackend();
    const y = gpu.alloc('float32', 8);
    gpu.activation('relu', y, y);
    // MAP_READ goes with COPY_DST only: a validation error no error scope of the backend sees.
    gpu.device.createBuffer({ size: 16, usage: BUFFER_MAP_READ | BUFFER_STORAGE, label: 'bad usage' });
    const line =
      /^webgpu: uncaptured validation error \(last kernel: activation relu\): [^\n]*MapRead[^\n]* \(while calling [^\n]*bad usage[^\n]*\)$/;
    await expect(gpu.read(y)).rejects.toThrow(line);
    expect(() => gpu.activation('relu', y, y)).toThrow(line);
    gpu.destroy();
  });
});

// Needs no adapter: Dawn's message formats, as the tests above met them.
describe('webgpu error lines', () => {
  it('keep the first line, and the WGSL source line a caret points at', () => {
    expect(errorLine('Destroyed buffer used in a submit.\n - While calling [Queue].Submit().\n')).toBe(
      'Destroyed buffer used in a submit.',
    );
    expect(
      errorLine(
        "Error while parsing WGSL: :2:11 error: unresolved value 'nope'\n  let a = nope;\n          ^^^^\n\n\n - While calling [Device].CreateShaderModule().\n",
      ),
    ).toBe("Error while parsing WGSL: :2:11 error: unresolved value 'nope' (in `let a = nope;`)");
  });
});
