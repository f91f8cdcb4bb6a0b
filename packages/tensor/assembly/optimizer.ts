/**
 * The optimizers' per-parameter updates (book 6.1), float32, four lanes at a time, in the js
 * reference's operation order. Step constants are worked out in f64 from the f64 hyper-parameters
 * (as the js reference does), then rounded to f32 once. Every array is padded to a multiple of four
 * floats (the wrapper's 64-byte arena slots), so the last vector may run on padding: no scalar tail.
 * Kind codes are shared with src/backend/wasm/op-codes.ts.
 */

export const SGD = 0;
export const MOMENTUM = 1;
export const NESTEROV = 2;
export const ADAGRAD = 3;
export const RMSPROP = 4;
export const ADAM_BOOK = 5;
export const ADAM_STANDARD = 6;

/**
 * One step for `n` weights `w` with gradient `g`; `s1` is the first slot (v for Momentum/Nesterov,
 * h for AdaGrad/RMSprop, m for Adam), `s2` the second (Adam's v). `p1`..`p3` by kind: momentum;
 * decay rate; beta1, beta2 and the update count t (Adam).
 */
export function optimizerUpdateF32(
  kind: i32,
  n: i32,
  w: usize,
  g: usize,
  s1: usize,
  s2: usize,
  lr: f64,
  p1: f64,
  p2: f64,
  p3: f64,
  eps: f64,
): void {
  const end = (<usize>n) << 2;
  const vlr = f32x4.splat(<f32>lr);
  const veps = f32x4.splat(<f32>eps);
  if (kind == SGD) {
    for (let at: usize = 0; at < end; at += 16) {
      v128.store(w + at, f32x4.sub(v128.load(w + at), f32x4.mul(vlr, v128.load(g + at))));
    }
  } else if (kind == MOMENTUM) {
    const mom = f32x4.splat(<f32>p1);
    for (let at: usize = 0; at < end; at += 16) {
      const v = f32x4.sub(f32x4.mul(mom, v128.load(s1 + at)), f32x4.mul(vlr, v128.load(g + at)));
      v128.store(s1 + at, v);
      v128.store(w + at, f32x4.add(v128.load(w + at), v));
    }
  } else if (kind == NESTEROV) {
    const mom = f32x4.splat(<f32>p1);
    const m2 = f32x4.splat(<f32>(p1 * p1));
    const gradScale = f32x4.splat(<f32>((1 + p1) * lr));
    for (let at: usize = 0; at < end; at += 16) {
      const gv = v128.load(g + at);
      let v = v128.load(s1 + at);
      let wv = f32x4.add(v128.load(w + at), f32x4.mul(m2, v));
      wv = f32x4.sub(wv, f32x4.mul(gradScale, gv));
      v = f32x4.sub(f32x4.mul(v, mom), f32x4.mul(vlr, gv));
      v128.store(w + at, wv);
      v128.store(s1 + at, v);
    }
  } else if (kind == ADAGRAD || kind == RMSPROP) {
    // AdaGrad sums the squared gradients; RMSprop keeps their moving average.
    const decay = f32x4.splat(kind == ADAGRAD ? 1 : <f32>p1);
    const keep = f32x4.splat(kind == ADAGRAD ? 1 : <f32>(1 - p1));
    for (let at: usize = 0; at < end; at += 16) {
      const gv = v128.load(g + at);
      const h = f32x4.add(f32x4.mul(v128.load(s1 + at), decay), f32x4.mul(f32x4.mul(keep, gv), gv));
      v128.store(s1 + at, h);
      const step = f32x4.div(f32x4.mul(vlr, gv), f32x4.add(f32x4.sqrt(h), veps));
      v128.store(w + at, f32x4.sub(v128.load(w + at), step));
    }
  } else {
    const c1 = 1 - Math.pow(p1, p3);
    const c2 = 1 - Math.pow(p2, p3);
    const a1 = f32x4.splat(<f32>(1 - p1));
    const a2 = f32x4.splat(<f32>(1 - p2));
    if (kind == ADAM_BOOK) {
      // The bias correction folded into the step size, as the book's `lr_t`.
      const lrT = f32x4.splat(<f32>((lr * Math.sqrt(c2)) / c1));
      for (let at: usize = 0; at < end; at += 16) {
        const gv = v128.load(g + at);
        let m = v128.load(s1 + at);
        let v = v128.load(s2 + at);
        m = f32x4.add(m, f32x4.mul(a1, f32x4.sub(gv, m)));
        v = f32x4.add(v, f32x4.mul(a2, f32x4.sub(f32x4.mul(gv, gv), v)));
        v128.store(s1 + at, m);
        v128.store(s2 + at, v);
        const step = f32x4.div(f32x4.mul(lrT, m), f32x4.add(f32x4.sqrt(v), veps));
        v128.store(w + at, f32x4.sub(v128.load(w + at), step));
      }
    } else {
      const b1 = f32x4.splat(<f32>p1);
      const b2 = f32x4.splat(<f32>p2);
      const vc1 = f32x4.splat(<f32>c1);
      const vc2 = f32x4.splat(<f32>c2);
      for (let at: usize = 0; at < end; at += 16) {
        const gv = v128.load(g + at);
        const m = f32x4.add(f32x4.mul(b1, v128.load(s1 + at)), f32x4.mul(a1, gv));
        const v = f32x4.add(f32x4.mul(b2, v128.load(s2 + at)), f32x4.mul(f32x4.mul(a2, gv), gv));
        v128.store(s1 + at, m);
        v128.store(s2 + at, v);
        const step = f32x4.div(
          f32x4.mul(vlr, f32x4.div(m, vc1)),
          f32x4.add(f32x4.sqrt(f32x4.div(v, vc2)), veps),
        );
        v128.store(w + at, f32x4.sub(v128.load(w + at), step));
      }
    }
  }
}
