import { convBackwardJs, convForwardJs } from '../js/conv.js';
import type { ConvBackwardArgs, ConvForwardArgs, ConvGeometry, Kernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { KernelIo } from './io.js';
import { runParts } from './gemm.js';
import { geometryArgs, type KernelModule } from './module.js';
import { planSamples } from './split.js';
import type { WasmThreadPool } from './threads.js';

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

/**
 * The fused convolution in WebAssembly: the whole layer runs sample by sample on the operands where
 * they live (assembly/conv.ts: one sample's im2col matrix at a time, never copied out;
 * for stride 1 no im2col matrix at all, assembly/direct-conv.ts),
 * float64 runs on the js kernels. With a thread pool the
 * samples are shared among threads (`planSamples`), each with its own im2col and GEMM scratch; in
 * backward every thread after the first sums its samples' dw and db apart, added up at the end.
 */
export function createWasmConv(
  module: KernelModule,
  heap: WasmHeap,
  pool?: WasmThreadPool,
): Pick<Kernels, 'convForward' | 'convBackward'> {
  const threads = (pool?.size ?? 0) + 1;

  /** Per-part scratch: convScratchBytes each (the im2col matrix and GEMM panels, or the padded images). */
  const partScratch = (
    io: KernelIo,
    g: ConvGeometry,
    filters: number,
    parts: number,
    backward: boolean,
    withDx: boolean,
  ): number[] => {
    const [, ...geometry] = geometryArgs(g);
    const bytes = module.convScratchBytes(...geometry, filters, backward ? 1 : 0, withDx ? 1 : 0);
    return Array.from({ length: parts }, () => io.scratch(bytes));
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
    const io = new KernelIo(heap);
    const [xAt, wAt, bAt, outAt] = io.bind(
      { in: x, n: sizes.image },
      { in: w, n: sizes.weights },
      { in: b, n: filters },
      { out, n: sizes.output },
    );
    const scratch = partScratch(io, g, filters, parts.length, false, false);
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
    try {
      runParts(pool, parts.length, 'convForwardF32', call, (t) => module.convForwardF32(...call(t)));
    } catch (error) {
      io.abandon();
      throw error;
    }
    io.done();
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
    const io = new KernelIo(heap);
    const [xAt, wAt, doutAt, dxAt, dw0, db0] = io.bind(
      { in: x, n: sizes.image },
      { in: w, n: sizes.weights },
      { in: dout, n: sizes.output },
      { out: dx ?? x, n: dx ? sizes.image : 0 },
      accumulate ? { inout: dw, n: sizes.weights } : { out: dw, n: sizes.weights },
      accumulate ? { inout: db, n: filters } : { out: db, n: filters },
    );
    // Part 0 writes dw and db; every later part its own dw and db, summed into them at the end.
    // Each part has float64 sums of its db.
    const dwAt = [dw0];
    const dbAt = [db0];
    for (let t = 1; t < parts.length; t++) {
      dwAt.push(io.scratch(sizes.weights * 4));
      dbAt.push(io.scratch(filters * 4));
    }
    const sumsAt = parts.map(() => io.scratch(filters * 8));
    const scratch = partScratch(io, g, filters, parts.length, true, dx !== undefined);
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
    try {
      runParts(pool, parts.length, 'convBackwardF32', call, (t) => module.convBackwardF32(...call(t)));
    } catch (error) {
      io.abandon();
      throw error;
    }
    // dw += each later part's dw, db likewise (in part order).
    for (let t = 1; t < parts.length; t++) {
      module.binaryF32(0, 1, sizes.weights, dwAt[0]!, 0, 1, dwAt[t]!, 0, 1, dwAt[0]!);
      module.binaryF32(0, 1, filters, dbAt[0]!, 0, 1, dbAt[t]!, 0, 1, dbAt[0]!);
    }
    io.done();
  };

  return { convForward, convBackward };
}
