import { H, compareGradient, type GradientCheckReport, type GradientCheckable } from '@dl/gradcheck';
import type { FloatTensor } from '@dl/layers';
import { Tensor, type Rng } from '@dl/tensor';

/** `count` distinct indices below `size` (all of them when `count >= size`), drawn from `rng`, sorted. */
function sampleIndices(size: number, count: number, rng: Rng): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (count >= size) return all;
  // A partial Fisher–Yates shuffle.
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(size - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}

/**
 * `gradientCheck` on `samples` entries of each parameter: backprop's gradient at those entries
 * against central differences of the loss there. Same passes as `gradientCheck` (each forward with
 * its own clone of `ctx.rng`, so Dropout masks stay fixed); weights and buffers restored.
 */
export function sampledGradientCheck(
  model: GradientCheckable<FloatTensor, Tensor>,
  x: FloatTensor,
  t: Tensor,
  options: { ctx: { train: boolean; rng: Rng }; samples: number; pick: Rng; tolerance: number; h?: number },
): GradientCheckReport & { remeasured: number } {
  const { ctx, samples, pick, tolerance, h = H } = options;
  let remeasured = 0;
  const pass = (): { train: boolean; rng: Rng } => ({ train: ctx.train, rng: ctx.rng.clone() });
  const saved = (model.buffers?.() ?? []).map((b) => ({ value: b.value, copy: b.value.clone() }));
  try {
    model.gradient(x, t, pass());
    const params = model.params();
    const backprop = params.map((p) => p.grad.clone());
    const checks = params.map((p, i) => {
      const indices = sampleIndices(p.value.size, samples, pick);
      const b = new Float64Array(indices.length);
      const n = new Float64Array(indices.length);
      const data = p.value.data;
      const central = (j: number, step: number): number => {
        const keep = data[j]!;
        try {
          data[j] = keep + step;
          const up = model.loss(x, t, pass());
          data[j] = keep - step;
          const down = model.loss(x, t, pass());
          return (up - down) / (2 * step);
        } finally {
          data[j] = keep;
        }
      };
      indices.forEach((j, k) => {
        n[k] = central(j, h);
        b[k] = backprop[i]!.data[j]!;
      });
      // ReLU and max pooling have kinks; where one lies within h of an entry, the central difference
      // mixes the slopes of both sides. Such an entry is measured again with steps of h/10 and h/100
      // (which miss a kink at distance d > step); a wrong backward disagrees at every step.
      let scale = 0;
      for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]!), Math.abs(n[k]!));
      indices.forEach((j, k) => {
        if (!(Math.abs(b[k]! - n[k]!) > tolerance * scale)) return;
        for (const step of [h / 10, h / 100]) {
          const again = central(j, step);
          if (Math.abs(b[k]! - again) < Math.abs(b[k]! - n[k]!)) {
            n[k] = again;
            remeasured++;
            break;
          }
        }
      });
      const shape = [indices.length];
      return compareGradient(p.name, new Tensor(b, shape, 'float64'), new Tensor(n, shape, 'float64'));
    });
    return {
      params: checks,
      maxAbsError: checks.reduce((m, c) => Math.max(m, c.maxAbsError), 0),
      maxRelError: checks.reduce((m, c) => Math.max(m, c.maxRelError), 0),
      remeasured,
    };
  } finally {
    for (const { value, copy } of saved) value.assign(copy);
  }
}
