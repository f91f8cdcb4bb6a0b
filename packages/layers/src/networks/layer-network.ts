import { numericalGradient } from '@dl/gradcheck';
import {
  add,
  argmax,
  BufferPool,
  isDeviceResident,
  mul,
  onBackend,
  square,
  stepScope,
  sum,
  Tensor,
  withBufferPool,
  type Kernels,
  type Rng,
} from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, LossLayer, Model, NamedTensor, Param } from '../layer.js';
import { Pooling } from '../layers/pooling.js';
import { Relu } from '../layers/relu.js';
import { HalfWeights } from './half-weights.js';

export interface LayerNetworkOptions {
  /** L2 weight decay λ: the loss adds `0.5·λ·ΣW²` over every parameter marked `decay` (each `W`), its gradient `λ·W`. */
  weightDecayLambda?: number;
  /**
   * The backend every forward and backward runs on, for the network's whole life (default: the
   * process default, `setBackend`). The tensors it makes are tied to it (`Tensor.backend`); an input
   * tied to another backend is an error (move it with `x.to(network.backend)`).
   */
  backend?: Kernels | undefined;
}

const TEST: ForwardContext = { train: false };
const TRAIN: ForwardContext = { train: true };

/**
 * A network as the book builds one: an ordered map of named layers (the book's `OrderedDict`, here a
 * JS `Map`) and a loss layer. `predict` runs the layers in order, `gradient` runs forward, then
 * backward in reverse order, filling every `Param.grad`. Parameters are collected from the layers by
 * name (`W1`, `b1`, `gamma1`, ...), never by hard-coded layer indices. Train/test mode travels in the
 * `ForwardContext`; `predict`/`loss` default to test mode and `gradient` to train mode, as in the book.
 */
export class LayerNetwork implements Model {
  readonly layers: ReadonlyMap<string, Layer>;
  readonly lastLayer: LossLayer;
  readonly weightDecayLambda: number;
  /** The backend given at construction (`undefined`: ops run on the process default). */
  readonly backend: Kernels | undefined;
  private readonly paramList: Param[];
  /** The layers in the order they run (see `runOrder`). */
  private readonly order: readonly Layer[];
  /** Reuses one training step's (or `accuracy` batch's) large arrays in the next (see `gradient`). */
  private readonly pool = new BufferPool();
  /** On a backend that stores steps as float16: the float16 copies the layers read (mixed precision). */
  private readonly halfWeights: HalfWeights | undefined;

  constructor(
    layers: Iterable<readonly [string, Layer]>,
    lastLayer: LossLayer,
    options: LayerNetworkOptions = {},
  ) {
    this.layers = new Map(layers);
    this.lastLayer = lastLayer;
    this.weightDecayLambda = options.weightDecayLambda ?? 0;
    this.backend = options.backend;
    this.paramList = [...this.layers.values()].flatMap((layer) => layer.params());
    this.order = runOrder([...this.layers.values()]);
    this.halfWeights = HalfWeights.on(this.backend, this.paramList);
    const seen = new Set<string>();
    for (const p of this.paramList) {
      if (seen.has(p.name))
        throw new Error(`LayerNetwork: two parameters are named '${p.name}'; give each layer unique names`);
      seen.add(p.name);
    }
  }

  /** Every learnable parameter, in layer order. */
  params(): Param[] {
    return [...this.paramList];
  }

  /** One parameter by its book name (`W1`). */
  param(name: string): Param {
    const p = this.paramList.find((q) => q.name === name);
    if (!p)
      throw new Error(
        `LayerNetwork: no parameter '${name}' (have ${this.paramList.map((q) => q.name).join(', ')})`,
      );
    return p;
  }

  /** Non-learnable state, named `<layer key>.<buffer>` (`BatchNorm1.running_mean`). */
  buffers(): NamedTensor[] {
    return [...this.layers].flatMap(([key, layer]) =>
      (layer.buffers?.() ?? []).map((b) => ({ name: `${key}.${b.name}`, value: b.value })),
    );
  }

  /**
   * The scores for `x`. A step of its own: on a backend with its own storage the activations between
   * layers are released when it returns, and only the result is kept.
   */
  predict(x: FloatTensor, ctx: ForwardContext = TEST): FloatTensor {
    return onBackend(this.backend, () => stepScope(() => this.forward(x, ctx)));
  }

  loss(x: FloatTensor, t: Tensor, ctx: ForwardContext = TEST): number {
    this.assertSynchronous('loss');
    return onBackend(this.backend, () => stepScope(() => this.forwardLoss(x, t, ctx)));
  }

  /** `loss` on any backend: on a GPU the step is recorded now and the loss read back. */
  async lossAsync(x: FloatTensor, t: Tensor, ctx: ForwardContext = TEST): Promise<number> {
    if (!isDeviceResident(this.backend)) return this.loss(x, t, ctx);
    return onBackend(this.backend, () =>
      stepScope(() => readLoss(this.forwardLossTensor(this.onDevice(x), t, ctx))),
    );
  }

  /**
   * A batch from the CPU moved to the network's GPU once (its layers' kernels would each upload it
   * again: a convolution's forward and backward both read it).
   */
  private onDevice(x: FloatTensor): FloatTensor {
    return x.backend === this.backend ? x : x.to(this.backend!);
  }

  /** A GPU's tensors are read back asynchronously: name the method that does. */
  private assertSynchronous(method: string): void {
    if (isDeviceResident(this.backend)) {
      throw new Error(
        `LayerNetwork.${method}: the ${this.backend!.name} backend reads values back asynchronously; use \`await network.${method}Async(...)\``,
      );
    }
  }

  /** The layers in order; what they keep for `backward` lives as long as the enclosing step. */
  private forward(x: FloatTensor, ctx: ForwardContext): FloatTensor {
    return this.onWeights(true, () => {
      let y = x;
      for (const layer of this.order) y = layer.forward(y, ctx);
      return y;
    });
  }

  /**
   * Runs the layers: as they are, or on a float16 backend with float16 copies of the weights in
   * the params (`refresh`: made from the float32 masters first, as each forward does; see
   * `HalfWeights`). Weight decay and the optimizer see the masters.
   */
  private onWeights<T>(refresh: boolean, fn: () => T): T {
    return this.halfWeights === undefined ? fn() : this.halfWeights.use(refresh, fn);
  }

  private forwardLoss(x: FloatTensor, t: Tensor, ctx: ForwardContext): number {
    return this.lastLayer.forward(this.forward(x, ctx), t) + this.weightDecay();
  }

  /** `forwardLoss` with the loss left on the backend as a one-element tensor (a GPU's way). */
  private forwardLossTensor(x: FloatTensor, t: Tensor, ctx: ForwardContext): FloatTensor {
    const last = this.lastLayer;
    if (last.forwardTensor === undefined) {
      throw new Error(
        `LayerNetwork: the loss layer ${last.kind} has no forwardTensor, which the ${this.backend?.name} backend needs`,
      );
    }
    const loss = last.forwardTensor(this.forward(x, ctx), t);
    const lambda = this.weightDecayLambda;
    if (lambda === 0) return loss;
    // 0.5·λ·ΣW², by ops on the backend.
    let decay: FloatTensor = loss;
    for (const p of this.paramList) if (p.decay) decay = add(decay, mul(sum(square(p.value)), 0.5 * lambda));
    return decay;
  }

  /** `0.5·λ·ΣW²` summed over the decayed parameters (0 without weight decay). */
  weightDecay(): number {
    const lambda = this.weightDecayLambda;
    if (lambda === 0) return 0;
    let decay = 0;
    for (const p of this.paramList) {
      if (!p.decay) continue;
      let s = 0;
      for (const w of p.value.data) s += w * w;
      decay += 0.5 * lambda * s;
    }
    return decay;
  }

  /**
   * Forward, then backward, filling every `Param.grad`; returns the loss. One step: on a backend with
   * its own storage (wasm) the activations and intermediate gradients are released when it returns;
   * on `js` they come from a pool reused by the next `gradient` call (the layers' copies from this
   * step are overwritten then; read them, if at all, before the next step).
   */
  gradient(x: FloatTensor, t: Tensor, ctx: ForwardContext = TRAIN): number {
    this.assertSynchronous('gradient');
    // The previous step's arrays are dead: nothing reads a layer's cache before its next forward.
    this.pool.recycle();
    return onBackend(this.backend, () =>
      stepScope(() => withBufferPool(this.pool, () => this.backprop(() => this.forwardLoss(x, t, ctx)))),
    );
  }

  /**
   * `gradient` on any backend. On a GPU (`webgpu`) the whole step is recorded at once, the loss is
   * read back behind it, and the promise resolves when it arrives; the gradients are ready for the
   * optimizer (whose updates queue behind this step) as soon as the call returns.
   */
  async gradientAsync(x: FloatTensor, t: Tensor, ctx: ForwardContext = TRAIN): Promise<number> {
    if (!isDeviceResident(this.backend)) return this.gradient(x, t, ctx);
    return onBackend(this.backend, () =>
      stepScope(() => readLoss(this.backprop(() => this.forwardLossTensor(this.onDevice(x), t, ctx)))),
    );
  }

  private backprop<L>(forwardLoss: () => L): L {
    const loss = forwardLoss();
    let dout = this.lastLayer.backward();
    const layers = this.order;
    // Below the first layer with parameters, gradients only flow into the data: not computed.
    const first = layers.findIndex((layer) => layer.params().length > 0);
    this.onWeights(false, () => {
      for (let i = layers.length - 1; i > first; i--) dout = layers[i]!.backward(dout);
      const bottom = layers[first];
      if (bottom?.backwardParams) bottom.backwardParams(dout);
      else bottom?.backward(dout);
    });
    const lambda = this.weightDecayLambda;
    if (lambda !== 0 && isDeviceResident(this.backend)) {
      for (const p of this.paramList) if (p.decay) add(p.grad, mul(p.value, lambda), p.grad);
    } else if (lambda !== 0) {
      for (const p of this.paramList) {
        if (!p.decay) continue;
        const g = p.grad.data;
        const w = p.value.data;
        for (let i = 0; i < g.length; i++) g[i] = g[i]! + lambda * w[i]!;
      }
    }
    return loss;
  }

  /**
   * The book's `numerical_gradient(x, t)`: central differences of `loss` for every parameter, by name.
   * Slow (two forwards per weight): for gradient checks only. Every forward gets a clone of
   * `ctx.rng`, so Dropout draws the same masks each time and the loss is a function of the weights
   * (the book draws fresh masks, which makes the numbers noise). BatchNorm running statistics are
   * updated by each train-mode forward, as in the book.
   */
  numericalGradient(x: FloatTensor, t: Tensor, ctx: ForwardContext = TRAIN): Map<string, FloatTensor> {
    const rng: Rng | undefined = ctx.rng;
    const f = (): number => this.loss(x, t, { train: ctx.train, rng: rng?.clone() });
    return onBackend(
      this.backend,
      () => new Map(this.paramList.map((p) => [p.name, numericalGradient(f, p.value)])),
    );
  }

  /**
   * Fraction of rows whose highest score is the target (labels, or the argmax of one-hot rows), in
   * test mode, `batchSize` rows at a time (views, no copies).
   */
  accuracy(x: FloatTensor, t: Tensor, options: { batchSize?: number } = {}): number {
    this.assertSynchronous('accuracy');
    return onBackend(this.backend, () => this.countCorrect(x, t, options.batchSize ?? 1000));
  }

  /** `accuracy` on any backend: on a GPU each batch's predicted classes are read back. */
  async accuracyAsync(x: FloatTensor, t: Tensor, options: { batchSize?: number } = {}): Promise<number> {
    if (!isDeviceResident(this.backend)) return this.accuracy(x, t, options);
    const n = x.shape[0] ?? 0;
    if (n === 0) return 0;
    const labels = t.ndim === 1 ? t : argmax(t, { axis: 1 });
    if (labels.size !== n) throw new Error(`accuracy: ${labels.size} targets for ${n} samples`);
    const expected = labels.data;
    const batchSize = options.batchSize ?? 1000;
    const row = x.size / n;
    let correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const xb = new Tensor(
        x.data.subarray(start * row, end * row),
        [end - start, ...x.shape.slice(1)],
        x.dtype,
      );
      const predicted = await onBackend(this.backend, () =>
        stepScope(() => argmax(this.forward(this.onDevice(xb), TEST), { axis: 1 }).read()),
      );
      for (let i = 0; i < end - start; i++) if (predicted[i] === expected[start + i]) correct++;
    }
    return correct / n;
  }

  private countCorrect(x: FloatTensor, t: Tensor, batchSize: number): number {
    const n = x.shape[0] ?? 0;
    if (n === 0) return 0;
    const labels = t.ndim === 1 ? t : argmax(t, { axis: 1 });
    if (labels.size !== n) throw new Error(`accuracy: ${labels.size} targets for ${n} samples`);
    const row = x.size / n;
    let correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      // The tensor itself when one batch holds every row: a kernel then binds it where it lives.
      const xb =
        start === 0 && end === n
          ? x
          : new Tensor(
              x.data.subarray(start * row, end * row),
              [end - start, ...x.shape.slice(1)],
              x.dtype,
              x.backend,
            );
      // Each batch reuses the previous batch's arrays (read before the next recycle), or on a
      // backend with its own storage releases them at the end of its step.
      this.pool.recycle();
      correct += stepScope(() =>
        withBufferPool(this.pool, () => {
          const predicted = argmax(this.forward(xb, TEST), { axis: 1 }).data;
          const expected = labels.data;
          let hits = 0;
          for (let i = 0; i < end - start; i++) if (predicted[i] === expected[start + i]) hits++;
          return hits;
        }),
      );
    }
    return correct / n;
  }
}

/** Starts reading a one-element loss back (inside its step, before the step releases it). */
function readLoss(loss: FloatTensor): Promise<number> {
  return loss.read().then((values) => values[0]!);
}

/**
 * The layers in the order they run: as given, except that a ReLU directly followed by a max pooling
 * runs after it. The numbers are the same both ways (max(relu(a), relu(b)) = relu(max(a, b)), and
 * the gradient reaches the same input, or none where the maximum is <= 0), but ReLU then touches a
 * quarter of the elements (a 2×2 pooling), forward and backward: in SimpleConvNet the full-size
 * ReLU passes were ~8% of a step (docs/benchmarks.md).
 */
function runOrder(layers: readonly Layer[]): Layer[] {
  const order = [...layers];
  for (let i = 0; i + 1 < order.length; i++) {
    const [a, b] = [order[i]!, order[i + 1]!];
    if (a instanceof Relu && b instanceof Pooling && b.mode === 'max') {
      order[i] = b;
      order[i + 1] = a;
      i++;
    }
  }
  return order;
}
