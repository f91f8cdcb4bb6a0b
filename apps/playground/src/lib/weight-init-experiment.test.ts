import { Rng } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import {
  activationHealth,
  layerActivations,
  type HiddenActivation,
  type InitChoice,
} from './weight-init-experiment.js';

function lastLayer(activation: HiddenActivation, init: InitChoice): Float32Array {
  return layerActivations({ activation, init, rng: new Rng(0) }).at(-1)!;
}

describe("the book's weight-initialisation experiment (ch06, 5 layers of 100)", () => {
  it('returns the activations of every layer', () => {
    const layers = layerActivations({
      activation: 'sigmoid',
      init: 'xavier',
      rng: new Rng(1),
      samples: 10,
      nodes: 8,
      layers: 3,
    });
    expect(layers.map((a) => a.length)).toEqual([80, 80, 80]);
  });

  it('std 1 saturates sigmoid; 0.01 collapses it; Xavier keeps it spread', () => {
    expect(activationHealth(lastLayer('sigmoid', 'std-1'), 'sigmoid')).toBe('saturated');
    expect(activationHealth(lastLayer('sigmoid', 'std-0.01'), 'sigmoid')).toBe('collapsed');
    expect(activationHealth(lastLayer('sigmoid', 'xavier'), 'sigmoid')).toBe('spread');
  });

  it('ReLU needs He: with 0.01 or Xavier the activations shrink layer after layer', () => {
    expect(activationHealth(lastLayer('relu', 'std-0.01'), 'relu')).toBe('collapsed');
    expect(activationHealth(lastLayer('relu', 'he'), 'relu')).toBe('spread');
  });

  it('tanh with Xavier stays spread', () => {
    expect(activationHealth(lastLayer('tanh', 'xavier'), 'tanh')).toBe('spread');
  });
});
