import {
  isFloatDType,
  onBackend,
  outsideStep,
  shapeToString,
  Tensor,
  zerosLike,
  type Kernels,
  type Shape,
} from '@dl/tensor';
import type { Param } from './model.js';
import { checkLearningRate, resolveHyper } from './hyper.js';
import {
  SLOT_NAMES,
  type Optimizer,
  type OptimizerHyperMap,
  type OptimizerName,
  type OptimizerOptions,
  type OptimizerSlotMap,
  type OptimizerState,
  type SlotTensor,
} from './optimizer.js';

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What every optimizer shares: hyper-parameters, the update counter, and slots (`v`, `h`, `m`)
 * keyed by parameter name, created lazily (zeros like the parameter) at its first update, as the
 * book's `if self.v is None` does. Subclasses implement `step`: for each parameter, the book's update
 * on `value.data`/`grad.data` in place (a function in the optimizer's own file, `adamUpdate` in
 * `adam.ts`, in NumPy's operation order, so float64 matches the book bit for bit), or the backend's
 * fused `optimizerUpdate` kernel where it offers one for those arrays.
 */
export abstract class BaseOptimizer<K extends OptimizerName> implements Optimizer<K> {
  protected hyper: OptimizerHyperMap[K];
  private iterations = 0;
  private slots = new Map<string, Map<string, SlotTensor>>();
  /** The `update` call in which each parameter name was last seen, to catch duplicates cheaply. */
  private readonly seen = new Map<string, number>();
  private calls = 0;
  /** The backend given at construction, if any (see `OptimizerOptions.backend`). */
  readonly backend: Kernels | undefined;

  protected constructor(
    readonly kind: K,
    /** The book's class name, for messages. */
    protected readonly className: string,
    options: OptimizerOptions<K>,
  ) {
    const { backend, ...hyper } = options;
    this.hyper = resolveHyper(kind, hyper as OptimizerOptions<K>, className);
    this.backend = backend;
    for (const s of SLOT_NAMES[kind]) this.slots.set(s, new Map());
  }

  get lr(): number {
    return this.hyper.lr;
  }

  set lr(value: number) {
    this.hyper.lr = checkLearningRate(`${this.className}.lr`, value);
  }

  get iter(): number {
    return this.iterations;
  }

  update(params: readonly Param[]): void {
    const stamp = ++this.calls;
    for (const p of params) {
      if (this.seen.get(p.name) === stamp) {
        throw new Error(
          `${this.className}.update: two parameters are named '${p.name}'; names key the slots and must be unique`,
        );
      }
      this.seen.set(p.name, stamp);
      if (
        !isFloatDType(p.value.dtype) ||
        p.value.dtype !== p.grad.dtype ||
        !sameShape(p.value.shape, p.grad.shape)
      ) {
        throw new Error(
          `${this.className}.update: param '${p.name}' has value ${p.value.dtype} ${shapeToString(p.value.shape)} ` +
            `but grad ${p.grad.dtype} ${shapeToString(p.grad.shape)}; they must match (float32 or float64)`,
        );
      }
    }
    this.iterations += 1;
    const iteration = this.iterations;
    onBackend(this.backend ?? params[0]?.value.backend, () => {
      // Slots are long-lived: made before the step (outside any step scope), so that reading the
      // parameters' arrays in `step` comes after every allocation.
      outsideStep(() => {
        for (const s of SLOT_NAMES[this.kind]) for (const p of params) this.slot(s, p);
      });
      this.step(params, iteration);
    });
  }

  /** Applies one update; `t` is the 1-based update count (Adam's bias correction). */
  protected abstract step(params: readonly Param[], t: number): void;

  /** The slot buffer `slot` of `param`, created as zeros at its first use. */
  protected slot(slot: OptimizerSlotMap[K], param: Param): SlotTensor {
    const byParam = this.slots.get(slot)!;
    let buffer = byParam.get(param.name);
    if (buffer === undefined) {
      buffer = zerosLike(param.value);
      byParam.set(param.name, buffer);
    } else if (!sameShape(buffer.shape, param.value.shape)) {
      throw new Error(
        `${this.className}.update: slot '${slot}' of param '${param.name}' has shape ${shapeToString(buffer.shape)} ` +
          `but the param has ${shapeToString(param.value.shape)} (state restored from another network?)`,
      );
    }
    return buffer;
  }

  getState(): OptimizerState<K> {
    const slots: Record<string, Record<string, SlotTensor>> = {};
    for (const [name, byParam] of this.slots) {
      const copies: Record<string, SlotTensor> = {};
      for (const [param, t] of byParam) copies[param] = t.clone();
      slots[name] = copies;
    }
    const state = { kind: this.kind, hyper: { ...this.hyper }, iter: this.iterations, slots };
    return state as unknown as OptimizerState<K>;
  }

  async getStateAsync(): Promise<OptimizerState<K>> {
    const slots: Record<string, Record<string, SlotTensor>> = {};
    for (const [name, byParam] of this.slots) {
      const copies: Record<string, SlotTensor> = {};
      for (const [param, t] of byParam)
        copies[param] = new Tensor(await t.read(), t.shape, t.dtype, undefined);
      slots[name] = copies;
    }
    const state = { kind: this.kind, hyper: { ...this.hyper }, iter: this.iterations, slots };
    return state as unknown as OptimizerState<K>;
  }

  setState(state: OptimizerState): void {
    const op = `${this.className}.setState`;
    if (state.kind !== this.kind) {
      throw new Error(
        `${op}: the state is for '${state.kind}', not '${this.kind}'; use createOptimizerFromState(state)`,
      );
    }
    const hyper = resolveHyper(this.kind, state.hyper as OptimizerOptions<K>, op);
    if (!Number.isInteger(state.iter) || state.iter < 0)
      throw new RangeError(`${op}: iter must be an integer >= 0, got ${state.iter}`);
    const expected: readonly string[] = SLOT_NAMES[this.kind];
    const given = Object.keys(state.slots);
    if (given.length !== expected.length || !given.every((s) => expected.includes(s))) {
      throw new Error(`${op}: expected slots [${expected.join(', ')}], got [${given.join(', ')}]`);
    }
    const slots = new Map<string, Map<string, SlotTensor>>();
    const shapes = new Map<string, Shape>();
    for (const name of expected) {
      const byParam = (state.slots as Readonly<Record<string, Readonly<Record<string, SlotTensor>>>>)[name]!;
      const copies = new Map<string, SlotTensor>();
      for (const [param, t] of Object.entries(byParam)) {
        if (!isFloatDType(t.dtype))
          throw new TypeError(
            `${op}: slot '${name}' of '${param}' has dtype ${String(t.dtype)}, not a float`,
          );
        const shape = shapes.get(param);
        if (shape === undefined) shapes.set(param, t.shape);
        else if (!sameShape(shape, t.shape)) {
          throw new Error(
            `${op}: the slots of '${param}' disagree in shape: ${shapeToString(shape)} and ${shapeToString(t.shape)}`,
          );
        }
        // Onto the optimizer's backend, where its updates write them (a copy either way).
        copies.set(param, this.backend === undefined ? t.clone() : t.to(this.backend));
      }
      slots.set(name, copies);
    }
    for (const name of expected) {
      if (slots.get(name)!.size !== shapes.size)
        throw new Error(`${op}: slots [${expected.join(', ')}] hold different params`);
    }
    this.hyper = hyper;
    this.iterations = state.iter;
    this.slots = slots;
  }
}
