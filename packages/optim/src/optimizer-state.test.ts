import { describe, expect, it } from 'vitest';
import { Rng, fromArray, randn, type Tensor } from '@dl/tensor';
import type { Param } from './model.js';
import { createOptimizer, createOptimizerFromState } from './create-optimizer.js';
import { OPTIMIZER_NAMES, type Optimizer, type OptimizerName, type OptimizerState } from './optimizer.js';
import {
  optimizerStateFromTensors,
  optimizerStateToTensors,
  type OptimizerStateHeader,
} from './optimizer-state.js';

function makeParams(rng: Rng): Param[] {
  return [
    {
      name: 'W1',
      value: randn([3, 4], rng, { dtype: 'float64' }),
      grad: randn([3, 4], rng, { dtype: 'float64' }),
    },
    { name: 'b1', value: randn([4], rng, { dtype: 'float64' }), grad: randn([4], rng, { dtype: 'float64' }) },
  ];
}

function cloneParams(params: Param[]): Param[] {
  return params.map((p) => ({ name: p.name, value: p.value.clone(), grad: p.grad.clone() }));
}

/** Fresh gradients for step `k`, the same for every copy of the params. */
function setGrads(params: Param[], k: number): void {
  const rng = new Rng(100 + k);
  for (const p of params) p.grad.assign(randn(p.grad.shape, rng, { dtype: 'float64' }));
}

function run(opt: Optimizer, params: Param[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    setGrads(params, k);
    opt.update(params);
  }
}

const values = (params: Param[]): number[][] => params.map((p) => Array.from(p.value.data));

describe('optimizer state: getState / setState', () => {
  it.each(OPTIMIZER_NAMES.map((n) => [n]))(
    '%s continues bit-identically after a restore',
    (name: OptimizerName) => {
      const params = makeParams(new Rng(1));
      const a = createOptimizer(name, { lr: 0.05 });
      run(a, params, 0, 3);
      const copy = cloneParams(params);
      const b = createOptimizer(name);
      b.setState(a.getState());
      expect(b.iter).toBe(3);
      expect(b.lr).toBe(0.05);
      run(a, params, 3, 6);
      run(b, copy, 3, 6);
      expect(values(copy)).toEqual(values(params));
      expect(b.getState()).toEqual(a.getState());
    },
  );

  it.each(OPTIMIZER_NAMES.map((n) => [n]))(
    '%s survives a flat (safetensors-shaped) round trip through JSON',
    (name) => {
      const params = makeParams(new Rng(2));
      const a = createOptimizer(name, name === 'adam' ? { variant: 'standard' } : {});
      run(a, params, 0, 2);
      const flat = optimizerStateToTensors(a.getState(), 'opt');
      expect(Object.keys(flat.tensors).every((k) => k.startsWith('opt.'))).toBe(true);
      const header = JSON.parse(JSON.stringify(flat.header)) as OptimizerStateHeader;
      const tensors = Object.fromEntries(
        Object.entries(flat.tensors).map(([k, t]) => [k, fromArray(t.data, t.shape)]),
      );
      const b = createOptimizerFromState(optimizerStateFromTensors(header, tensors, 'opt'));
      expect(b.kind).toBe(name);
      const copy = cloneParams(params);
      run(a, params, 2, 4);
      run(b, copy, 2, 4);
      expect(values(copy)).toEqual(values(params));
    },
  );

  it("names the slot tensors '<prefix>.<slot>.<param>'", () => {
    const opt = createOptimizer('adam');
    opt.update(makeParams(new Rng(3)));
    const { header, tensors } = optimizerStateToTensors(opt.getState());
    expect(Object.keys(tensors)).toEqual([
      'optimizer.m.W1',
      'optimizer.m.b1',
      'optimizer.v.W1',
      'optimizer.v.b1',
    ]);
    expect(header).toEqual({
      kind: 'adam',
      hyper: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7, variant: 'book' },
      iter: 1,
      slots: { m: ['W1', 'b1'], v: ['W1', 'b1'] },
    });
    expect(() => optimizerStateFromTensors(header, { 'optimizer.m.W1': tensors['optimizer.m.W1']! })).toThrow(
      /tensor 'optimizer.m.b1' is listed in the header but missing/,
    );
  });

  it('getState returns copies: later updates do not change an exported state', () => {
    const params = makeParams(new Rng(4));
    const opt = createOptimizer('momentum');
    run(opt, params, 0, 1);
    const state = opt.getState();
    const before = Array.from(state.slots.v.W1!.data);
    run(opt, params, 1, 2);
    expect(Array.from(state.slots.v.W1!.data)).toEqual(before);
  });

  it('rejects a state of another kind, with different slots, or inconsistent shapes', () => {
    const params = makeParams(new Rng(5));
    const adam = createOptimizer('adam');
    run(adam, params, 0, 1);
    const state = adam.getState();
    expect(() => createOptimizer('sgd').setState(state)).toThrow(
      /SGD.setState: the state is for 'adam', not 'sgd'; use createOptimizerFromState/,
    );
    const W1: Tensor<'float64'> = state.slots.m.W1 as Tensor<'float64'>;
    const noV = { ...state, slots: { m: state.slots.m } } as unknown as OptimizerState;
    expect(() => createOptimizer('adam').setState(noV)).toThrow(/expected slots \[m, v\], got \[m\]/);
    const badShape = { ...state, slots: { m: state.slots.m, v: { ...state.slots.v, W1: W1.reshape(4, 3) } } };
    expect(() => createOptimizer('adam').setState(badShape)).toThrow(
      /the slots of 'W1' disagree in shape: \[3,4\] and \[4,3\]/,
    );
    const missing = { ...state, slots: { m: state.slots.m, v: { W1: state.slots.v.W1! } } };
    expect(() => createOptimizer('adam').setState(missing)).toThrow(/hold different params/);
    expect(() => createOptimizer('adam').setState({ ...state, iter: -1 })).toThrow(
      /iter must be an integer >= 0/,
    );
    expect(() => createOptimizer('adam').setState({ ...state, hyper: { ...state.hyper, beta1: 2 } })).toThrow(
      /Adam.setState: beta1 must be a number in \[0, 1\)/,
    );
    // Restored into a network whose W1 has another shape: caught at the first update.
    const other = createOptimizer('adam');
    other.setState(state);
    const wrong: Param = {
      name: 'W1',
      value: randn([2, 2], new Rng(0), { dtype: 'float64' }),
      grad: randn([2, 2], new Rng(0), { dtype: 'float64' }),
    };
    expect(() => other.update([wrong])).toThrow(
      /slot 'm' of param 'W1' has shape \[3,4\] but the param has \[2,2\]/,
    );
  });
});
