import type { FloatArray } from '../../dtype.js';
import { convBackwardJs, convForwardJs } from '../js/conv.js';
import type { ConvBackwardArgs, ConvForwardArgs, ConvGeometry, Kernels } from '../kernels.js';
import { alignUp, type WasmArena } from './arena.js';
import { asError, waitAll } from './gemm.js';
import { geometryArgs, type KernelFunction, type KernelModule } from './module.js';
import { planSamples } from './split.js';
import type { WasmThreadPool } from './threads.js';

/** Bytes the GEMM's edge tiles may read past an output matrix. */
const SLACK = 16;

interface ConvSizes {
  S: number;
  K: number;
  image: number;
  output: number;
  weights: number;
}

function convSizes(g: ConvGeometry, filters: number): ConvSizes {
  const S = g.outH * g.outW;
  const K = g.channels * g.filterH * g.filterW;
  return {
    S,
    K,
    image: g.batch * g.channels * g.height * g.width,
    output: g.batch * filters * S,
    weights: filters * K,
  };
}

function check(
  op: string,
  name: string,
  array: { length: number },
  need: number,
  g: ConvGeometry,
  filters: number,
): void {
  if (array.length < need) {
    throw new RangeError(
      `${op} (wasm): ${name} has ${array.length} elements; input [${g.batch},${g.channels},${g.height},${g.width}] ` +
        `with ${filters} filters ${g.filterH}x${g.filterW} (stride ${g.stride}, pad ${g.pad}) needs ${need}`,
    );
  }
}

const head = (a: FloatArray, n: number): FloatArray => (a.length === n ? a : a.subarray(0, n));

/**
 * The fused convolution in WebAssembly: x, the filters (and dout) are copied in, the whole layer runs
 * sample by sample inside (assembly/conv.ts: one sample's im2col matrix at a time, never copied out;
 * for stride 1 no im2col matrix at all, assembly/direct-conv.ts),
 * and out (or dw, db, dx) are copied back. float64 runs on the js kernels. With a thread pool the
 * samples are shared among threads (`planSamples`), each with its own im2col and GEMM scratch; in
 * backward every thread after the first sums its samples' dw and db apart, added up at the end.
 */
export function createWasmConv(
  module: KernelModule,
  arena: WasmArena,
  pool?: WasmThreadPool,
): Pick<Kernels, 'convForward' | 'convBackward'> {
  const threads = (pool?.size ?? 0) + 1;

  /** Per-part scratch from `at` on: convScratchBytes each (the im2col matrix and GEMM panels, or the padded images). */
  const scratchLayout = (
    at: number,
    g: ConvGeometry,
    filters: number,
    parts: number,
    backward: boolean,
    withDx: boolean,
  ): Scratch => {
    const [, ...geometry] = geometryArgs(g);
    const bytes = module.convScratchBytes(...geometry, filters, backward ? 1 : 0, withDx ? 1 : 0);
    const scratch: number[] = [];
    for (let t = 0; t < parts; t++) {
      scratch.push(alignUp(at));
      at = scratch[t]! + bytes;
    }
    return { scratch, end: at };
  };

  const convForward = (args: ConvForwardArgs): void => {
    const { g, filters, x, w, b, out } = args;
    if (![x, w, b, out].every((a) => a instanceof Float32Array)) {
      convForwardJs(args);
      return;
    }
    const sizes = convSizes(g, filters);
    check('convForward', 'x', x, sizes.image, g, filters);
    check('convForward', 'w', w, sizes.weights, g, filters);
    check('convForward', 'b', b, filters, g, filters);
    check('convForward', 'out', out, sizes.output, g, filters);
    if (sizes.output === 0) return;
    const parts = planSamples(g.batch, 2 * sizes.output * sizes.K, threads);
    const xAt = arena.base;
    const wAt = alignUp(xAt + sizes.image * 4);
    const bAt = alignUp(wAt + sizes.weights * 4);
    const outAt = alignUp(bAt + filters * 4);
    const { scratch, end } = scratchLayout(
      outAt + sizes.output * 4 + SLACK,
      g,
      filters,
      parts.length,
      false,
      false,
    );
    arena.reserve(end - arena.base);
    const f32 = arena.f32;
    f32.set(head(x, sizes.image), xAt >> 2);
    f32.set(head(w, sizes.weights), wAt >> 2);
    f32.set(head(b, filters), bAt >> 2);
    const imageBytes = g.channels * g.height * g.width * 4;
    const outBytes = filters * sizes.S * 4;
    const call = (t: number): Parameters<KernelModule['convForwardF32']> => {
      const { start, size } = parts[t]!;
      const geometry = geometryArgs(g);
      geometry[0] = size;
      return [
        xAt + start * imageBytes,
        ...geometry,
        filters,
        wAt,
        bAt,
        outAt + start * outBytes,
        scratch[t]!,
      ];
    };
    runParts(pool, parts.length, 'convForwardF32', call, (t) => module.convForwardF32(...call(t)));
    out.set(arena.f32.subarray(outAt >> 2, (outAt >> 2) + sizes.output));
  };

  const convBackward = (args: ConvBackwardArgs): void => {
    const { g, filters, x, w, dout, dw, db, dx, accumulate } = args;
    if (![x, w, dout, dw, db, dx ?? x].every((a) => a instanceof Float32Array)) {
      convBackwardJs(args);
      return;
    }
    const sizes = convSizes(g, filters);
    check('convBackward', 'x', x, sizes.image, g, filters);
    check('convBackward', 'w', w, sizes.weights, g, filters);
    check('convBackward', 'dout', dout, sizes.output, g, filters);
    check('convBackward', 'dw', dw, sizes.weights, g, filters);
    check('convBackward', 'db', db, filters, g, filters);
    if (dx) check('convBackward', 'dx', dx, sizes.image, g, filters);
    const parts = planSamples(g.batch, 4 * sizes.output * sizes.K, threads);
    const xAt = arena.base;
    const wAt = alignUp(xAt + sizes.image * 4);
    const doutAt = alignUp(wAt + sizes.weights * 4);
    const dxAt = alignUp(doutAt + sizes.output * 4);
    // Each part's dw (16 bytes of slack: a GEMM's c), db and float64 sums of db.
    let at = alignUp(dxAt + sizes.image * 4 + SLACK);
    const dwAt: number[] = [];
    const dbAt: number[] = [];
    const sumsAt: number[] = [];
    for (let t = 0; t < parts.length; t++) {
      dwAt.push(at);
      dbAt.push(alignUp(at + sizes.weights * 4 + SLACK));
      sumsAt.push(alignUp(dbAt[t]! + filters * 4));
      at = alignUp(sumsAt[t]! + filters * 8);
    }
    const { scratch, end } = scratchLayout(at, g, filters, parts.length, true, dx !== undefined);
    arena.reserve(end - arena.base);
    const f32 = arena.f32;
    f32.set(head(x, sizes.image), xAt >> 2);
    f32.set(head(w, sizes.weights), wAt >> 2);
    f32.set(head(dout, sizes.output), doutAt >> 2);
    if (accumulate) {
      f32.set(head(dw, sizes.weights), dwAt[0]! >> 2);
      f32.set(head(db, filters), dbAt[0]! >> 2);
    }
    const imageBytes = g.channels * g.height * g.width * 4;
    const outBytes = filters * sizes.S * 4;
    const call = (t: number): Parameters<KernelModule['convBackwardF32']> => {
      const { start, size } = parts[t]!;
      const geometry = geometryArgs(g);
      geometry[0] = size;
      return [
        xAt + start * imageBytes,
        ...geometry,
        filters,
        wAt,
        doutAt + start * outBytes,
        dwAt[t]!,
        dbAt[t]!,
        dx ? dxAt + start * imageBytes : 0,
        t === 0 && accumulate ? 1 : 0,
        scratch[t]!,
        sumsAt[t]!,
      ];
    };
    runParts(pool, parts.length, 'convBackwardF32', call, (t) => module.convBackwardF32(...call(t)));
    // dw += each later part's dw, db likewise (in part order).
    for (let t = 1; t < parts.length; t++) {
      module.binaryF32(0, 1, sizes.weights, dwAt[0]!, 0, 1, dwAt[t]!, 0, 1, dwAt[0]!);
      module.binaryF32(0, 1, filters, dbAt[0]!, 0, 1, dbAt[t]!, 0, 1, dbAt[0]!);
    }
    const result = arena.f32;
    dw.set(result.subarray(dwAt[0]! >> 2, (dwAt[0]! >> 2) + sizes.weights));
    db.set(result.subarray(dbAt[0]! >> 2, (dbAt[0]! >> 2) + filters));
    dx?.set(result.subarray(dxAt >> 2, (dxAt >> 2) + sizes.image));
  };

  return { convForward, convBackward };
}

interface Scratch {
  scratch: number[];
  end: number;
}

/** Parts 1.. on the workers, part 0 here, then waits for all (a failure is thrown after every wait). */
function runParts(
  pool: WasmThreadPool | undefined,
  parts: number,
  fn: KernelFunction,
  args: (t: number) => readonly number[],
  runHere: (t: number) => void,
): void {
  for (let t = 1; t < parts; t++) pool!.run(t - 1, fn, args(t));
  let failure: Error | undefined;
  try {
    runHere(0);
  } catch (error) {
    failure = asError(error);
  }
  if (pool) waitAll(pool, parts - 1, failure);
  else if (failure) throw failure;
}
