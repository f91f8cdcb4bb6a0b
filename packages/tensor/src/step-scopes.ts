import type { StorageBlock } from './storage.js';

/** A block a storage can release: `step` is the scope that released it, for the error message. */
export interface ReleasableBlock extends StorageBlock {
  release(step: number | undefined): void;
}

interface Scope<B> {
  readonly step: number;
  /** Blocks to release at the scope's end; undefined for an `unscoped` region. */
  readonly blocks: B[] | undefined;
}

/**
 * The step scopes of a backend's storage (`BackendStorage.scope` and `unscoped`), shared by the
 * backends that own memory (`wasm`, `webgpu`): a block made inside a step is released at the step's
 * end unless the step returns it; a block made outside every step (or returned from the outermost)
 * goes to `untracked`, the backend's garbage-collector backstop.
 */
export class StepScopes<B extends ReleasableBlock> {
  readonly #scopes: Scope<B>[] = [];
  #steps = 0;

  constructor(private readonly untracked: (block: B) => void) {}

  /** Steps begun so far. */
  get steps(): number {
    return this.#steps;
  }

  /** Whether a step is running (and not an `unscoped` region inside one). */
  get inStep(): boolean {
    return this.#scopes.at(-1)?.blocks !== undefined;
  }

  /** Records a new block with the running step (no need to tell the collector, which costs more). */
  adopt(block: B): void {
    const scope = this.#scopes.at(-1);
    if (scope?.blocks) scope.blocks.push(block);
    else this.untracked(block);
  }

  unscoped<T>(fn: () => T): T {
    this.#scopes.push({ step: this.#steps, blocks: undefined });
    try {
      return fn();
    } finally {
      this.#scopes.pop();
    }
  }

  scope<T>(fn: () => T, survivors: (result: T) => Iterable<StorageBlock>): T {
    const scope = { step: ++this.#steps, blocks: [] as B[] };
    this.#scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.#scopes.pop();
      for (const block of scope.blocks) block.release(scope.step);
      throw error;
    }
    this.#scopes.pop();
    const keep = new Set<StorageBlock>(survivors(result));
    for (const block of scope.blocks) if (!keep.has(block)) block.release(scope.step);
    // What survives belongs to the enclosing scope (or, outside every scope, to the backstop).
    const outer = this.#scopes.at(-1)?.blocks;
    for (const block of scope.blocks) {
      if (!keep.has(block)) continue;
      if (outer) outer.push(block);
      else this.untracked(block);
    }
    return result;
  }
}

/** The error for a read of a released block. */
export function releasedError(dtype: string, length: number, step: number): Error {
  return new Error(
    step >= 0
      ? `tensor (${dtype}, ${length} elements) was released at the end of step ${step}: return it from the scope to keep it`
      : `tensor (${dtype}, ${length} elements) was released`,
  );
}
