import type { FusedKernels } from '../kernels.js';
import type { WasmHeap } from './heap.js';
import { withIo } from './io.js';
import { asFloat32 } from './layout.js';
import type { KernelModule } from './module.js';

/** Scratch of assembly/batchnorm.ts: four f64 and three f32 per feature. */
const scratchBytes = (D: number): number => D * 44;

/**
 * BatchNormalization fused in WebAssembly for float32 (per-feature sums in f64, see
 * assembly/batchnorm.ts). Works in place on tensors of this backend (the running statistics a
 * train forward updates included). Other dtypes are declined: the layer then runs its reference
 * (`@dl/layers`' `batch-normalization.ts`).
 */
export function createWasmBatchNorm(
  module: KernelModule,
  heap: WasmHeap,
): Required<Pick<FusedKernels, 'batchNormForward' | 'batchNormBackward'>> {
  return {
    batchNormForward(a) {
      const { n, D, S } = a.view;
      const size = n * D * S;
      const f32 = asFloat32([a.x, a.gamma, a.beta, a.runningMean, a.runningVar, a.xc, a.xn, a.std, a.out]);
      if (!f32 || size === 0) return false;
      const [x, gamma, beta, runningMean, runningVar, xc, xn, std, out] = f32;
      withIo(heap, (io) => {
        const [xAt, gAt, bAt, rmAt, rvAt, xcAt, xnAt, stdAt, outAt] = io.bind(
          { in: x, n: size },
          { in: gamma, n: D },
          { in: beta, n: D },
          a.train ? { inout: runningMean, n: D } : { in: runningMean, n: D },
          a.train ? { inout: runningVar, n: D } : { in: runningVar, n: D },
          { out: xc, n: size },
          { out: xn, n: size },
          { out: std, n: D },
          { out, n: size },
        );
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
          io.scratch(scratchBytes(D)),
        );
      });
      return true;
    },
    batchNormBackward(a) {
      const { n, D, S } = a.view;
      const size = n * D * S;
      const f32 = asFloat32([a.dout, a.gamma, a.xc, a.xn, a.std, a.dgamma, a.dbeta, a.dx]);
      if (!f32 || size === 0) return false;
      const [dout, gamma, xc, xn, std, dgamma, dbeta, dx] = f32;
      withIo(heap, (io) => {
        const [doutAt, gAt, xcAt, xnAt, stdAt, dgAt, dbAt, dxAt] = io.bind(
          { in: dout, n: size },
          { in: gamma, n: D },
          { in: xc, n: size },
          { in: xn, n: size },
          { in: std, n: D },
          { out: dgamma, n: D },
          { out: dbeta, n: D },
          { out: dx, n: size },
        );
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
          io.scratch(scratchBytes(D)),
        );
      });
      return true;
    },
  };
}
