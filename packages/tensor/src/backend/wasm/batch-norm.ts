import type { FusedKernels } from '../kernels.js';
import type { WasmArena } from './arena.js';
import { arenaBlocks, asFloat32, getF32, putF32 } from './layout.js';
import type { KernelModule } from './module.js';

/** Scratch of assembly/batchnorm.ts: four f64 and three f32 per feature. */
const scratchBytes = (D: number): number => D * 44;

/**
 * BatchNormalization fused in WebAssembly for float32 (per-feature sums in f64, see
 * assembly/batchnorm.ts). Inputs are copied in, outputs (and the running statistics a train forward
 * updates) copied back. Other dtypes are declined: the layer then runs its reference
 * (`@dl/layers`' `batch-normalization.ts`).
 */
export function createWasmBatchNorm(
  module: KernelModule,
  arena: WasmArena,
): Required<Pick<FusedKernels, 'batchNormForward' | 'batchNormBackward'>> {
  return {
    batchNormForward(a) {
      const { n, D, S } = a.view;
      const size = n * D * S;
      const f32 = asFloat32([a.x, a.gamma, a.beta, a.runningMean, a.runningVar, a.xc, a.xn, a.std, a.out]);
      if (!f32 || size === 0) return false;
      const [x, gamma, beta, runningMean, runningVar, xc, xn, std, out] = f32;
      const [s4, d4] = [size * 4, D * 4];
      const [xAt, gAt, bAt, rmAt, rvAt, xcAt, xnAt, stdAt, outAt, scratchAt] = arenaBlocks(
        arena,
        s4,
        d4,
        d4,
        d4,
        d4,
        s4,
        s4,
        d4,
        s4,
        scratchBytes(D),
      );
      putF32(arena, xAt, x, size);
      putF32(arena, gAt, gamma, D);
      putF32(arena, bAt, beta, D);
      putF32(arena, rmAt, runningMean, D);
      putF32(arena, rvAt, runningVar, D);
      module.batchNormForwardF32(
        n,
        D,
        S,
        a.train ? 1 : 0,
        a.momentum,
        a.eps,
        xAt,
        gAt,
        bAt,
        rmAt,
        rvAt,
        xcAt,
        xnAt,
        stdAt,
        outAt,
        scratchAt,
      );
      getF32(arena, xcAt, xc.subarray(0, size));
      getF32(arena, xnAt, xn.subarray(0, size));
      getF32(arena, stdAt, std.subarray(0, D));
      getF32(arena, outAt, out.subarray(0, size));
      if (a.train) {
        getF32(arena, rmAt, runningMean.subarray(0, D));
        getF32(arena, rvAt, runningVar.subarray(0, D));
      }
      return true;
    },
    batchNormBackward(a) {
      const { n, D, S } = a.view;
      const size = n * D * S;
      const f32 = asFloat32([a.dout, a.gamma, a.xc, a.xn, a.std, a.dgamma, a.dbeta, a.dx]);
      if (!f32 || size === 0) return false;
      const [dout, gamma, xc, xn, std, dgamma, dbeta, dx] = f32;
      const [s4, d4] = [size * 4, D * 4];
      const [doutAt, gAt, xcAt, xnAt, stdAt, dgAt, dbAt, dxAt, scratchAt] = arenaBlocks(
        arena,
        s4,
        d4,
        s4,
        s4,
        d4,
        d4,
        d4,
        s4,
        scratchBytes(D),
      );
      putF32(arena, doutAt, dout, size);
      putF32(arena, gAt, gamma, D);
      putF32(arena, xcAt, xc, size);
      putF32(arena, xnAt, xn, size);
      putF32(arena, stdAt, std, D);
      module.batchNormBackwardF32(
        n,
        D,
        S,
        a.train ? 1 : 0,
        doutAt,
        gAt,
        xcAt,
        xnAt,
        stdAt,
        dgAt,
        dbAt,
        dxAt,
        scratchAt,
      );
      getF32(arena, dgAt, dgamma.subarray(0, D));
      getF32(arena, dbAt, dbeta.subarray(0, D));
      getF32(arena, dxAt, dx.subarray(0, size));
      return true;
    },
  };
}
