import { halfCopyOf, halfPrecisionSteps, type Kernels } from '@dl/tensor';
import type { FloatTensor, Param } from '../layer.js';

/**
 * Mixed precision (book 8.3) for a network on a backend that stores a step's float32 tensors as
 * float16 (`webgpu`, `precision: 'float16'`): the parameters stay float32 masters, which the
 * optimizer updates in float32 (an update smaller than a float16 weight's spacing is not lost), and
 * the layers compute from float16 copies of them. `use` puts each copy in its `Param.value` while
 * the layers run, so the book's layer code (`this.W.value`) reads the copy unchanged, and puts the
 * master back when they return. The copies are made once, outside every step, and refreshed on the
 * device (one conversion kernel per parameter): nothing is allocated per step.
 */
export class HalfWeights {
  readonly #params: readonly Param[];
  #copies: FloatTensor[] = [];
  /** The masters while the copies stand in for them (between `use`'s swap and restore). */
  #masters: FloatTensor[] | undefined;

  private constructor(params: readonly Param[]) {
    this.#params = params;
  }

  /** The network's half weights on `backend`, or undefined where steps are not stored as float16. */
  static on(backend: Kernels | undefined, params: readonly Param[]): HalfWeights | undefined {
    return halfPrecisionSteps(backend) ? new HalfWeights(params) : undefined;
  }

  /**
   * Runs `fn` with every parameter's value its float16 copy; `refresh` first converts the masters
   * into the copies (a forward does; the backward that follows it in one step reads the same ones).
   */
  use<T>(refresh: boolean, fn: () => T): T {
    if (this.#masters !== undefined) return fn();
    const masters = this.#params.map((p) => p.value);
    const copies = this.#copiesOf(masters);
    if (refresh) copies.forEach((copy, i) => copy.assign(masters[i]!));
    this.#masters = masters;
    this.#params.forEach((p, i) => (p.value = copies[i]!));
    try {
      return fn();
    } finally {
      this.#params.forEach((p, i) => (p.value = masters[i]!));
      this.#masters = undefined;
    }
  }

  /** One copy per master, made at the first use (or again for a master of another shape). */
  #copiesOf(masters: readonly FloatTensor[]): FloatTensor[] {
    masters.forEach((master, i) => {
      const copy = this.#copies[i];
      if (copy === undefined || copy.backend !== master.backend || !sameShape(copy.shape, master.shape))
        this.#copies[i] = halfCopyOf(master);
    });
    return this.#copies;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
