/**
 * The GEMMs the book's networks run for one batch of 100, in the call shapes our layers make:
 * `c (m×n) = op(a) (m×k) · op(b) (k×n)`, with `a` stored k×m when `transA` and `b` n×k when `transB`.
 */
export interface GemmWorkload {
  /** Network and what the product computes. */
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Part of the `--quick` run. */
  quick: boolean;
}

function w(
  name: string,
  m: number,
  n: number,
  k: number,
  flags: '' | 'tA' | 'tB',
  quick: boolean,
): GemmWorkload {
  return { name, m, n, k, transA: flags === 'tA', transB: flags === 'tB', quick };
}

export const WORKLOADS: readonly GemmWorkload[] = [
  // Square products, the usual yardstick (1024³ only in the full run).
  w('square 256³', 256, 256, 256, '', true),
  w('square 512³', 512, 512, 512, '', true),
  w('square 1024³', 1024, 1024, 1024, '', false),
  // TwoLayerNet 784-50-10: Affine1 forward X·W1, its weight gradient Xᵀ·dY, its input gradient dY·W1ᵀ.
  w('TwoLayerNet Affine1 X·W', 100, 50, 784, '', true),
  w('TwoLayerNet Affine1 dW=Xᵀ·dY', 784, 50, 100, 'tA', true),
  w('TwoLayerNet Affine1 dX=dY·Wᵀ', 100, 784, 50, 'tB', true),
  w('TwoLayerNet Affine2 X·W', 100, 10, 50, '', false),
  // SimpleConvNet: conv 30 filters 5×5 over 1×28×28 as im2col GEMMs (rows (n, oh, ow) = 100·24·24,
  // columns (c, fh, fw) = 25), then Affine 4320 → 100.
  w('SimpleConvNet conv col·Wᵀ', 57600, 30, 25, 'tB', true),
  w('SimpleConvNet conv dW=colᵀ·dY', 25, 30, 57600, 'tA', true),
  w('SimpleConvNet conv dcol=dY·W', 57600, 25, 30, '', false),
  w('SimpleConvNet Affine1 X·W', 100, 100, 4320, '', false),
  w('SimpleConvNet Affine1 dW=Xᵀ·dY', 4320, 100, 100, 'tA', false),
  // DeepConvNet: 3×3 convolutions (16→16 at 28×28 for a batch of 10; 32→32 at 14×14 and 64→64 at
  // 7×7 for a batch of 100), Affine 1024 → 50.
  w('DeepConvNet conv2 col·Wᵀ (batch 10)', 7840, 16, 144, 'tB', true),
  w('DeepConvNet conv4 col·Wᵀ', 19600, 32, 288, 'tB', false),
  w('DeepConvNet conv6 col·Wᵀ', 4900, 64, 576, 'tB', false),
  w('DeepConvNet conv6 dW=colᵀ·dY', 576, 64, 4900, 'tA', false),
  w('DeepConvNet Affine1 X·W', 100, 50, 1024, '', false),
];

export function flops({ m, n, k }: GemmWorkload): number {
  return 2 * m * n * k;
}

export function shapeLabel({ m, n, k, transA, transB }: GemmWorkload): string {
  return `${m}×${k}${transA ? 'ᵀ' : ''}·${k}×${n}${transB ? 'ᵀ' : ''}`;
}
