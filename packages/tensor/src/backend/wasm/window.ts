import type { FloatArray } from '../../dtype.js';
import { jsKernels } from '../js/js.js';
import type { ConvGeometry, Kernels } from '../kernels.js';
import { alignUp, type WasmArena } from './arena.js';
import { geometryArgs, type KernelModule } from './module.js';

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

/** The first `n` elements of `a` (no view is made when that is all of it). */
const head = <T extends FloatArray | Int32Array>(a: T, n: number): T =>
  (a.length === n ? a : a.subarray(0, n)) as T;

/**
 * The window kernels in WebAssembly (assembly/window.ts): float32 inputs are copied into the arena,
 * the kernel runs there and the result is copied back; float64 (gradient checks) runs on the js
 * kernels. Results equal the js kernels' bit for bit: the same operations in the same order.
 */
export function createWasmWindow(module: KernelModule, arena: WasmArena): WindowKernels {
  return {
    im2col(x, g, col) {
      if (!(x instanceof Float32Array && col instanceof Float32Array)) return jsKernels.im2col(x, g, col);
      const xn = imageSize(g);
      const cn = colSize(g);
      checkLength('im2col', 'x', x, xn, g);
      checkLength('im2col', 'col', col, cn, g);
      const xAt = arena.base;
      const colAt = alignUp(xAt + xn * 4);
      // The row copies load and store whole v128s: 16 bytes of slack after each buffer.
      arena.reserve(colAt + cn * 4 + 16 - arena.base);
      arena.f32.set(head(x, xn), xAt >> 2);
      module.im2colF32(xAt, ...geometryArgs(g), colAt);
      col.set(arena.f32.subarray(colAt >> 2, (colAt >> 2) + cn));
    },
    col2im(col, g, img, accumulate) {
      if (!(col instanceof Float32Array && img instanceof Float32Array))
        return jsKernels.col2im(col, g, img, accumulate);
      const cn = colSize(g);
      const xn = imageSize(g);
      checkLength('col2im', 'col', col, cn, g);
      checkLength('col2im', 'img', img, xn, g);
      const colAt = arena.base;
      const imgAt = alignUp(colAt + cn * 4 + 16);
      arena.reserve(imgAt + xn * 4 + 16 - arena.base);
      arena.f32.set(head(col, cn), colAt >> 2);
      if (accumulate) arena.f32.set(head(img, xn), imgAt >> 2);
      module.col2imF32(colAt, ...geometryArgs(g), imgAt, accumulate ? 1 : 0);
      img.set(arena.f32.subarray(imgAt >> 2, (imgAt >> 2) + xn));
    },
    maxPool(x, g, out, argmax) {
      if (!(x instanceof Float32Array && out instanceof Float32Array))
        return jsKernels.maxPool(x, g, out, argmax);
      const xn = imageSize(g);
      const on = pooledSize(g);
      checkLength('maxPool', 'x', x, xn, g);
      checkLength('maxPool', 'out', out, on, g);
      checkLength('maxPool', 'argmax', argmax, on, g);
      const xAt = arena.base;
      // Stride-2 windows are read 8 floats at a time: up to 4 bytes past x's end (16 of slack).
      const outAt = alignUp(xAt + xn * 4 + 16);
      const argAt = alignUp(outAt + on * 4);
      arena.reserve(argAt + on * 4 - arena.base);
      arena.f32.set(head(x, xn), xAt >> 2);
      module.maxPoolF32(xAt, ...geometryArgs(g), outAt, argAt);
      out.set(arena.f32.subarray(outAt >> 2, (outAt >> 2) + on));
      argmax.set(arena.i32.subarray(argAt >> 2, (argAt >> 2) + on));
    },
    maxPoolBackward(dout, argmax, dx) {
      if (!(dout instanceof Float32Array && dx instanceof Float32Array))
        return jsKernels.maxPoolBackward(dout, argmax, dx);
      const count = dout.length;
      if (argmax.length < count) {
        throw new RangeError(`maxPoolBackward (wasm): argmax has ${argmax.length} elements, dout ${count}`);
      }
      const dxAt = arena.base;
      const doutAt = alignUp(dxAt + dx.length * 4);
      const argAt = alignUp(doutAt + count * 4);
      arena.reserve(argAt + count * 4 - arena.base);
      arena.f32.set(dout, doutAt >> 2);
      arena.i32.set(head(argmax, count), argAt >> 2);
      const bad = module.maxPoolBackwardF32(doutAt, argAt, count, dxAt, dx.length);
      if (bad >= 0) {
        throw new RangeError(
          `maxPoolBackward (wasm): argmax[${bad}] = ${argmax[bad]} is outside dx (${dx.length} elements)`,
        );
      }
      dx.set(arena.f32.subarray(dxAt >> 2, (dxAt >> 2) + dx.length));
    },
    avgPool(x, g, out) {
      if (!(x instanceof Float32Array && out instanceof Float32Array)) return jsKernels.avgPool(x, g, out);
      const xn = imageSize(g);
      const on = pooledSize(g);
      checkLength('avgPool', 'x', x, xn, g);
      checkLength('avgPool', 'out', out, on, g);
      const xAt = arena.base;
      const outAt = alignUp(xAt + xn * 4);
      arena.reserve(outAt + on * 4 - arena.base);
      arena.f32.set(head(x, xn), xAt >> 2);
      module.avgPoolF32(xAt, ...geometryArgs(g), outAt);
      out.set(arena.f32.subarray(outAt >> 2, (outAt >> 2) + on));
    },
    avgPoolBackward(dout, g, dx) {
      if (!(dout instanceof Float32Array && dx instanceof Float32Array))
        return jsKernels.avgPoolBackward(dout, g, dx);
      const xn = imageSize(g);
      const on = pooledSize(g);
      checkLength('avgPoolBackward', 'dout', dout, on, g);
      checkLength('avgPoolBackward', 'dx', dx, xn, g);
      const doutAt = arena.base;
      const dxAt = alignUp(doutAt + on * 4);
      arena.reserve(dxAt + xn * 4 - arena.base);
      arena.f32.set(head(dout, on), doutAt >> 2);
      module.avgPoolBackwardF32(doutAt, ...geometryArgs(g), dxAt);
      dx.set(arena.f32.subarray(dxAt >> 2, (dxAt >> 2) + xn));
    },
  };
}
