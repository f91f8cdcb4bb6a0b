/**
 * Chapter 2: the perceptron. It fires (outputs 1) when `w · x + b > 0`. AND, NAND and OR are the same
 * perceptron with different weights and bias; XOR is not linearly separable, so it needs two layers.
 */
export class Perceptron {
  /** Weights, one per input; settable to make another gate. */
  weights: number[];
  bias: number;

  constructor(weights: readonly number[], bias: number) {
    this.weights = [...weights];
    this.bias = bias;
  }

  /** 1 if `Σ w_i x_i + b > 0`, else 0 (the book's `tmp <= 0` returns 0). */
  output(inputs: readonly number[]): 0 | 1 {
    if (inputs.length !== this.weights.length) {
      throw new RangeError(`Perceptron: ${inputs.length} inputs for ${this.weights.length} weights`);
    }
    let tmp = this.bias;
    for (let i = 0; i < inputs.length; i++) tmp += this.weights[i]! * inputs[i]!;
    return tmp <= 0 ? 0 : 1;
  }
}

// The book's weights and biases (ch02/and_gate.py, nand_gate.py, or_gate.py).
const andGate = new Perceptron([0.5, 0.5], -0.7);
const nandGate = new Perceptron([-0.5, -0.5], 0.7);
const orGate = new Perceptron([0.5, 0.5], -0.2);

export function AND(x1: number, x2: number): 0 | 1 {
  return andGate.output([x1, x2]);
}

export function NAND(x1: number, x2: number): 0 | 1 {
  return nandGate.output([x1, x2]);
}

export function OR(x1: number, x2: number): 0 | 1 {
  return orGate.output([x1, x2]);
}

/** The two-layer perceptron of ch02/xor_gate.py: AND(NAND(x1, x2), OR(x1, x2)). */
export function XOR(x1: number, x2: number): 0 | 1 {
  return AND(NAND(x1, x2), OR(x1, x2));
}
