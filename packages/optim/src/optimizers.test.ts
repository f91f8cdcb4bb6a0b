import { describe, expect, it } from 'vitest';
import { Rng, fromArray, randn, tensor } from '@dl/tensor';
import type { Param } from './model.js';
import { AdaGrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Momentum } from './momentum.js';
import { Nesterov } from './nesterov.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';
import { createOptimizer, isOptimizerName } from './create-optimizer.js';
import { OPTIMIZER_NAMES } from './optimizer.js';

function param(name: string, value: number[], grad: number[]): Param {
  return {
    name,
    value: fromArray(value, [value.length], 'float64'),
    grad: fromArray(grad, [grad.length], 'float64'),
  };
}

describe('optimizers: hand-computed steps', () => {
  it('SGD: W -= lr dW', () => {
    const p = param('W', [1, -2], [0.5, 1]);
    new SGD({ lr: 0.1 }).update([p]);
    expect(Array.from(p.value.data)).toEqual([0.95, -2.1]);
  });

  it('Momentum: v = 0.9 v - lr dW; W += v (two steps)', () => {
    const p = param('W', [1, -2], [0.5, 1]);
    const opt = new Momentum({ lr: 0.1 });
    opt.update([p]);
    expect(p.value.data[0]).toBeCloseTo(0.95, 15);
    opt.update([p]);
    // v = 0.9 * -0.05 - 0.05 = -0.095; W = 0.95 - 0.095
    expect(p.value.data[0]).toBeCloseTo(0.855, 15);
    expect(p.value.data[1]).toBeCloseTo(-2.29, 15);
    expect(opt.getState().slots.v.W!.data[1]).toBeCloseTo(-0.19, 15);
  });

  it("Nesterov: the book's form, old v used first (two steps)", () => {
    const p = param('W', [1], [0.5]);
    const opt = new Nesterov({ lr: 0.1 });
    opt.update([p]);
    expect(p.value.data[0]).toBeCloseTo(1 - 1.9 * 0.05, 15);
    opt.update([p]);
    // W += 0.81 * (-0.05); W -= 1.9 * 0.05
    expect(p.value.data[0]).toBeCloseTo(0.905 - 0.0405 - 0.095, 15);
    expect(opt.getState().slots.v.W!.data[0]).toBeCloseTo(-0.095, 15);
  });

  it('AdaGrad: h += dW²; W -= lr dW / (sqrt(h) + 1e-7)', () => {
    const p = param('W', [1], [0.5]);
    const opt = new AdaGrad({ lr: 0.1 });
    opt.update([p]);
    opt.update([p]);
    const expected = 1 - 0.05 / (0.5 + 1e-7) - 0.05 / (Math.sqrt(0.5) + 1e-7);
    expect(p.value.data[0]).toBeCloseTo(expected, 15);
  });

  it('RMSprop: h = 0.9 h + 0.1 dW²', () => {
    const p = param('W', [1], [0.5]);
    new RMSprop({ lr: 0.1, decayRate: 0.9 }).update([p]);
    expect(p.value.data[0]).toBeCloseTo(1 - 0.05 / (Math.sqrt(0.025) + 1e-7), 15);
  });

  it.each(['book', 'standard'] as const)('Adam (%s): the first step is about lr * sign(dW)', (variant) => {
    const p = param('W', [1, 1, 1], [0.5, -3, 0]);
    const opt = new Adam({ lr: 0.1, variant });
    opt.update([p]);
    expect(p.value.data[0]).toBeCloseTo(0.9, 5);
    expect(p.value.data[1]).toBeCloseTo(1.1, 5);
    expect(p.value.data[2]).toBe(1); // a zero gradient moves nothing, and eps keeps it finite
    expect(opt.iter).toBe(1);
  });

  it('Adam: book and standard agree up to where eps sits', () => {
    const rng = new Rng(3);
    const grads = [0, 1, 2].map(() => randn([50], rng, { dtype: 'float64' }));
    const a = param('W', new Array<number>(50).fill(0), new Array<number>(50).fill(0));
    const b = param('W', new Array<number>(50).fill(0), new Array<number>(50).fill(0));
    const book = new Adam({ lr: 0.01, eps: 1e-30 });
    const standard = new Adam({ lr: 0.01, variant: 'standard', eps: 1e-30 });
    for (const g of grads) {
      a.grad.assign(g);
      b.grad.assign(g);
      book.update([a]);
      standard.update([b]);
    }
    for (let i = 0; i < 50; i++) expect(a.value.data[i]).toBeCloseTo(b.value.data[i]!, 12);
    expect(standard.eps).toBe(1e-30);
    expect(new Adam({ variant: 'standard' }).eps).toBe(1e-8);
  });

  it('AdaGrad, RMSprop, Adam: a gradient that is always 0 leaves the weight unchanged', () => {
    for (const opt of [new AdaGrad(), new RMSprop(), new Adam()]) {
      const p = param('W', [0.3], [0]);
      for (let i = 0; i < 3; i++) opt.update([p]);
      expect(p.value.data[0]).toBe(0.3);
    }
  });
});

describe('optimizers: common behaviour', () => {
  it("has the book's defaults", () => {
    expect(createOptimizer('sgd').getState().hyper).toEqual({ lr: 0.01 });
    expect(createOptimizer('momentum').getState().hyper).toEqual({ lr: 0.01, momentum: 0.9 });
    expect(createOptimizer('nesterov').getState().hyper).toEqual({ lr: 0.01, momentum: 0.9 });
    expect(createOptimizer('adagrad').getState().hyper).toEqual({ lr: 0.01, eps: 1e-7 });
    expect(createOptimizer('rmsprop').getState().hyper).toEqual({ lr: 0.01, decayRate: 0.99, eps: 1e-7 });
    expect(createOptimizer('adam').getState().hyper).toEqual({
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-7,
      variant: 'book',
    });
  });

  it('creates every optimizer by name; rejects unknown names and options', () => {
    for (const name of OPTIMIZER_NAMES) expect(createOptimizer(name, { lr: 0.5 }).kind).toBe(name);
    expect(isOptimizerName('adam')).toBe(true);
    expect(isOptimizerName('Adam')).toBe(false);
    expect(() => createOptimizer('adamw' as 'adam')).toThrow(
      /unknown optimizer 'adamw' \(known: sgd, momentum/,
    );
    expect(() => createOptimizer('sgd', { learningRate: 1 } as unknown as { lr: number })).toThrow(
      /SGD: unknown option 'learningRate'/,
    );
    expect(() => createOptimizer('momentum', { momentum: 1 })).toThrow(
      /Momentum: momentum must be a number in \[0, 1\)/,
    );
    expect(() => createOptimizer('adam', { lr: -1 })).toThrow(
      /Adam: lr must be a finite number >= 0, got -1/,
    );
    expect(() => createOptimizer('rmsprop', { eps: 0 })).toThrow(/RMSprop: eps must be a finite number > 0/);
    expect(() => createOptimizer('adam', { variant: 'adamw' as 'book' })).toThrow(
      /variant must be 'book' or 'standard'/,
    );
  });

  it('lr may change between updates (a schedule), validated', () => {
    const opt = new SGD({ lr: 0.1 });
    const p = param('W', [1], [1]);
    opt.update([p]);
    opt.lr = 0.01;
    opt.update([p]);
    expect(p.value.data[0]).toBeCloseTo(0.89, 15);
    expect(() => (opt.lr = Number.NaN)).toThrow(/SGD.lr: lr must be a finite number >= 0, got NaN/);
  });

  it.each(OPTIMIZER_NAMES.map((n) => [n]))(
    '%s updates float32 params in place, keeping their storage',
    (name) => {
      const value = tensor([[1, -2, 3]]);
      const grad = tensor([[0.5, 0.25, -1]]);
      const p: Param = { name: 'W1', value, grad };
      const data = value.data;
      const opt = createOptimizer(name, { lr: 0.1 });
      opt.update([p]);
      opt.update([p]);
      expect(p.value).toBe(value);
      expect(p.value.data).toBe(data);
      expect(p.value.data[0]).toBeLessThan(1);
      expect(p.value.data[2]).toBeGreaterThan(3);
    },
  );

  it('creates slots lazily, when a param is first updated', () => {
    const opt = new Momentum();
    expect(opt.getState().slots.v).toEqual({});
    opt.update([param('W1', [1], [1])]);
    expect(Object.keys(opt.getState().slots.v)).toEqual(['W1']);
    opt.update([param('W1', [1], [1]), param('b1', [0, 0], [1, 1])]);
    expect(Object.keys(opt.getState().slots.v)).toEqual(['W1', 'b1']);
    expect(opt.iter).toBe(2);
  });

  it('rejects duplicate names, value/grad mismatches and a param whose shape changed', () => {
    const opt = new Adam();
    expect(() => opt.update([param('W', [1], [1]), param('W', [2], [1])])).toThrow(
      /two parameters are named 'W'/,
    );
    expect(opt.iter).toBe(0);
    expect(() => opt.update([param('W', [1, 2], [1])])).toThrow(
      /param 'W' has value float64 \[2\] but grad float64 \[1\]/,
    );
    opt.update([param('W', [1, 2], [1, 1])]);
    expect(() => opt.update([param('W', [1, 2, 3], [1, 1, 1])])).toThrow(
      /slot 'm' of param 'W' has shape \[2\] but the param has \[3\]/,
    );
  });
});
