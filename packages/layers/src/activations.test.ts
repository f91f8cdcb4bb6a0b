import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '@dl/tensor';
import { identity, relu, sigmoid, softmax, stepFunction, tanh } from './activations.js';
import { forwardNetwork, initNetwork } from './three-layer-network.js';
import { expectClose, f64, loadCases, named } from './testing/fixtures.js';

const cases = (kind: string) => named(loadCases('functions.json', kind));

describe('activation functions (chapter 3)', () => {
  it.each(cases('step_function'))('step function matches the book: %s', (_, c) => {
    const y = stepFunction(f64(c.inputs.x));
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual(c.outputs.y!.shape);
    expect([...y.data]).toEqual(c.outputs.y!.data);
  });

  it.each(cases('sigmoid'))('sigmoid matches the book: %s', (_, c) => {
    expectClose(sigmoid(f64(c.inputs.x)), c.outputs.y);
  });

  it.each(cases('relu'))('relu matches the book: %s', (_, c) => {
    expectClose(relu(f64(c.inputs.x)), c.outputs.y);
  });

  it.each(cases('softmax'))('softmax matches the book: %s', (_, c) => {
    const y = softmax(f64(c.inputs.x));
    expect(y.shape).toEqual(c.outputs.y!.shape);
    expectClose(y, c.outputs.y);
  });

  it('does not overflow: softmax([1010, 1000, 990]) and sigmoid(±1000)', () => {
    const y = softmax(tensor([1010, 1000, 990], 'float64'));
    expect([...y.data].every(Number.isFinite)).toBe(true);
    expect(y.data[0]).toBeCloseTo(0.9999546, 8);
    const s = sigmoid(tensor([-1000, 1000], 'float64'));
    expect([...s.data]).toEqual([0, 1]);
    // Also in float32, where exp overflows much earlier.
    const s32 = sigmoid(tensor([-100, 100], 'float32'));
    expect(s32.data[0]).toBeGreaterThanOrEqual(0);
    expect(s32.data[0]).toBeLessThan(1e-40);
    expect(s32.data[1]).toBe(1);
  });

  it('softmax rows sum to 1 in a batch and keep the dtype', () => {
    const y = softmax(
      tensor(
        [
          [0.3, 2.9, 4.0],
          [1, 1, 1],
        ],
        'float32',
      ),
    );
    expect(y.dtype).toBe('float32');
    expect(y.data[3]).toBeCloseTo(1 / 3, 6);
    expect(y.data[0]! + y.data[1]! + y.data[2]!).toBeCloseTo(1, 6);
  });

  it('writes into out when given one', () => {
    const x = tensor([-1, 0, 2], 'float64');
    const out = zeros([3], 'float64');
    expect(relu(x, out)).toBe(out);
    expect([...out.data]).toEqual([0, 0, 2]);
    expect(() => sigmoid(x, zeros([2], 'float64'))).toThrow(/sigmoid: out is float64 \[2\]/);
  });

  it('has tanh and identity', () => {
    const x = arange(-2, 2, 1, 'float64');
    expect([...tanh(x).data]).toEqual([...x.data].map(Math.tanh));
    expect(identity(x)).toBe(x);
  });
});

describe("the book's three-layer network (ch03 init_network / forward)", () => {
  it('reproduces [0.31682708, 0.69627909]', () => {
    const y = forwardNetwork(initNetwork(), tensor([1.0, 0.5], 'float64'));
    expect(y.shape).toEqual([2]);
    expect(y.data[0]).toBeCloseTo(0.31682708, 8);
    expect(y.data[1]).toBeCloseTo(0.69627909, 8);
  });

  it('takes a batch too, in float32', () => {
    const y = forwardNetwork(
      initNetwork('float32'),
      tensor(
        [
          [1.0, 0.5],
          [1.0, 0.5],
        ],
        'float32',
      ),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(y.data[2]).toBeCloseTo(0.31682708, 6);
    expect(y.data[3]).toBeCloseTo(0.69627909, 6);
  });
});
