import { randn, type Rng } from '@dl/tensor';
import { checkGradients, type GradientCheckReport } from '@dl/gradcheck';
import type { FloatTensor, ForwardContext, Layer } from '../layer.js';

/**
 * Gradient check of one layer: the scalar `L = Σ forward(x) · dout` for a random `dout` has
 * `dL/dx = backward(dout)` and `dL/dparam = param.grad`; both are compared with central differences.
 * `ctx` gives the context of every forward (return a fresh clone of an rng to hold random draws fixed).
 */
export function checkLayer(
  layer: Layer,
  x: FloatTensor,
  rng: Rng,
  ctx: () => ForwardContext = () => ({ train: true }),
): GradientCheckReport {
  const y = layer.forward(x, ctx());
  const dout = randn(y.shape, rng, { dtype: 'float64' });
  const dx = layer.backward(dout);
  const loss = (): number => {
    const out = layer.forward(x, ctx());
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i]! * dout.data[i]!;
    return s;
  };
  return checkGradients(loss, [...layer.params(), { name: 'x', value: x, grad: dx }]);
}
