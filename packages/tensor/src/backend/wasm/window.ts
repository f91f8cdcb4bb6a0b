import { jsKernels } from '../js/js.js';
import type { ConvGeometry, Kernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { runParts } from './gemm.js';
import { geometryArgs, type KernelModule } from './module.js';
import { planSamples } from './split.js';
import type { WasmThreadPool } from './threads.js';

/**
 * A pooled input element costs about what 30 GEMM flops do (max pooling ~0.75 ns an element, the
 * GEMM ~41 GFLOP/s: docs/benchmarks.md), for the threads' split threshold.
 */
const POOL_FLOPS_PER_ELEMENT = 30;

type WindowKernels = Pick<
  Kernels,
  'im2col' | 'col2im' | 'maxPool' | 'maxPoolBackward' | 'avgPool' | 'avgPoolBackward'
>;

const imageSize = (g: ConvGeometry): number => g.batch * g.channels * g.height * g.width;
const pooledSize = (g: ConvGeometry): number => g.batch * g.channels * g.outH * g.outW;
const colSize = (g: ConvGeometry): number => g.batch * g.outH * g.outW * g.channels * g.filterH * g.filterW;

function checkLength(
  op: string,
  name: string,
  array: { length: number },
  need: number,
  g: ConvGeometry,
): void {
  if (array.length < need) {
    throw new RangeError(
      `${op} (wasm): ${name} has ${array.length} elements, the geometry ` +
        `[${g.batch},${g.channels},${g.height},${g.width}] window ${g.filterH}x${g.filterW} ` +
        `stride ${g.stride} pad ${g.pad} needs ${need}`,
    );
  }
}

/**
 * The window kernels in WebAssembly (assembly/window.ts): float32 (operands outside the heap are
 * copied in and out, see io.ts); float64 (gradient checks) runs on the js
 * kernels. Results equal the js kernels' bit for bit: the same operations in the same order.
 */
export function createWasmWindow(module: KernelModule, heap: WasmHeap, pool?: WasmThreadPool): WindowKernels {
  const threads = (pool?.size ?? 0) + 1;
  return {
    im2col(x, g, col) {
      if (!(x instanceof Float32Array && col instanceof Float32Array)) return jsKernels.im2col(x, g, col);
      const xn = imageSize(g);
      const cn = colSize(g);
      checkLength('im2col', 'x', x, xn, g);
      checkLength('im2col', 'col', col, cn, g);
      withIo(heap, (io) => {
        const [xAt, colAt] = io.bind({ in: x, n: xn }, { out: col, n: cn });
        module.im2colF32(xAt, ...geometryArgs(g), colAt);
      });
    },
    col2im(col, g, img, accumulate) {
      if (!(col instanceof Float32Array && img instanceof Float32Array))
        return jsKernels.col2im(col, g, img, accumulate);
      const cn = colSize(g);
      const xn = imageSize(g);
      checkLength('col2im', 'col', col, cn, g);
      checkLength('col2im', 'img', img, xn, g);
      withIo(heap, (io) => {
        const [colAt, imgAt] = io.bind(
          { in: col, n: cn },
          accumulate ? { inout: img, n: xn } : { out: img, n: xn },
        );
        module.col2imF32(colAt, ...geometryArgs(g), imgAt, accumulate ? 1 : 0);
      });
    },
    maxPool(x, g, out, argmax) {
      if (!(x instanceof Float32Array && out instanceof Float32Array))
        return jsKernels.maxPool(x, g, out, argmax);
      const xn = imageSize(g);
      const on = pooledSize(g);
      checkLength('maxPool', 'x', x, xn, g);
      checkLength('maxPool', 'out', out, on, g);
      checkLength('maxPool', 'argmax', argmax, on, g);
      // Stride-2 windows are read 8 floats at a time: up to 4 bytes past x's end (the heap keeps
      // 16 bytes readable past every block).
      withIo(heap, (io) => {
        const [xAt, outAt, argAt] = io.bind({ in: x, n: xn }, { out, n: on }, { out: argmax, n: on });
        // Samples shared among the threads; argmax indices count from the whole input's start.
        const parts = planSamples(g.batch, xn * POOL_FLOPS_PER_ELEMENT, threads);
        const image = g.channels * g.height * g.width;
        const pooled = g.channels * g.outH * g.outW;
        const call = (t: number): Parameters<KernelModule['maxPoolF32']> => {
          const { start, size } = parts[t]!;
          const geometry = geometryArgs(g);
          geometry[0] = size;
          const at = start * pooled * 4;
          return [xAt + start * image * 4, ...geometry, outAt + at, argAt + at, start * image];
        };
        runParts(pool, parts.length, 'maxPoolF32', call, (t) => module.maxPoolF32(...call(t)));
      });
    },
    maxPoolBackward(dout, argmax, dx) {
      if (!(dout instanceof Float32Array && dx instanceof Float32Array))
        return jsKernels.maxPoolBackward(dout, argmax, dx);
      const count = dout.length;
      if (argmax.length < count) {
        throw new RangeError(`maxPoolBackward (wasm): argmax has ${argmax.length} elements, dout ${count}`);
      }
      const bad = withIo(heap, (io) => {
        const [dxAt, doutAt, argAt] = io.bind({ out: dx }, { in: dout }, { in: argmax, n: count });
        return module.maxPoolBackwardF32(doutAt, argAt, count, dxAt, dx.length);
      });
      if (bad >= 0) {
        throw new RangeError(
          `maxPoolBackward (wasm): argmax[${bad}] = ${argmax[bad]} is outside dx (${dx.length} elements)`,
        );
      }
    },
    avgPool(x, g, out) {
      if (!(x instanceof Float32Array && out instanceof Float32Array)) return jsKernels.avgPool(x, g, out);
      const xn = imageSize(g);
      const on = pooledSize(g);
      checkLength('avgPool', 'x', x, xn, g);
      checkLength('avgPool', 'out', out, on, g);
      withIo(heap, (io) => {
        const [xAt, outAt] = io.bind({ in: x, n: xn }, { out, n: on });
        module.avgPoolF32(xAt, ...geometryArgs(g), outAt);
      });
    },
    avgPoolBackward(dout, g, dx) {
      if (!(dout instanceof Float32Array && dx instanceof Float32Array))
        return jsKernels.avgPoolBackward(dout, g, dx);
      const xn = imageSize(g);
      const on = pooledSize(g);
      checkLength('avgPoolBackward', 'dout', dout, on, g);
      checkLength('avgPoolBackward', 'dx', dx, xn, g);
      withIo(heap, (io) => {
        const [doutAt, dxAt] = io.bind({ in: dout, n: on }, { out: dx, n: xn });
        module.avgPoolBackwardF32(doutAt, ...geometryArgs(g), dxAt);
      });
    },
  };
}
