import { describe, expect, it } from 'vitest';
import type { ModelSpec } from './model-spec.js';
import { ModelSpecError, parseModelSpec } from './validate-spec.js';

const two = { kind: 'two-layer-net', inputSize: 784, hiddenSize: 50, outputSize: 10 };
const mlp = { kind: 'multi-layer-net', inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10 };
const seq = (...layers: unknown[]) => ({ kind: 'sequential', input: [784], layers });

describe('parseModelSpec', () => {
  it.each<[string, ModelSpec]>([
    [
      'two-layer-net',
      { kind: 'two-layer-net', inputSize: 4, hiddenSize: 3, outputSize: 2, weightInitStd: 'he' },
    ],
    [
      'multi-layer-net, no hidden layer',
      { kind: 'multi-layer-net', inputSize: 4, hiddenSizeList: [], outputSize: 2 },
    ],
    [
      'multi-layer-net-extend, every option',
      {
        kind: 'multi-layer-net-extend',
        inputSize: 4,
        hiddenSizeList: [5, 6],
        outputSize: 2,
        activation: 'sigmoid',
        weightInitStd: 0.01,
        weightDecayLambda: 0.1,
        useBatchnorm: true,
        useDropout: true,
        dropoutRatio: 0.2,
        invertedDropout: true,
      },
    ],
    ['simple-conv-net, the defaults', { kind: 'simple-conv-net' }],
    [
      'simple-conv-net, every option',
      {
        kind: 'simple-conv-net',
        inputDim: [3, 32, 32],
        convParam: { filterNum: 8, filterSize: [3, 5], pad: 1, stride: 2 },
        hiddenSize: 20,
        outputSize: 4,
        weightInitStd: 'he',
      },
    ],
    [
      'deep-conv-net, every option',
      {
        kind: 'deep-conv-net',
        inputDim: [1, 16, 16],
        convParams: [
          { filterNum: 2, filterSize: 3, pad: 1 },
          { filterNum: 2, filterSize: 3 },
          { filterNum: 2, filterSize: 1, stride: 1 },
          { filterNum: 2, filterSize: 1 },
          { filterNum: 2, filterSize: 1 },
          { filterNum: 2, filterSize: 1, pad: 0 },
        ],
        hiddenSize: 5,
        outputSize: 3,
        dropoutRatio: 0.25,
        invertedDropout: true,
        weightInitStd: 0.1,
      },
    ],
    [
      'lenet, every option',
      {
        kind: 'lenet',
        inputDim: [1, 32, 32],
        firstPad: 0,
        outputSize: 10,
        activation: 'relu',
        pooling: 'max',
        weightInitStd: 'xavier',
      },
    ],
    [
      'sequential, convolutions and pooling',
      {
        kind: 'sequential',
        input: [1, 28, 28],
        layers: [
          { type: 'convolution', filters: 6, size: 5, stride: 1, pad: 2, init: 'xavier' },
          { type: 'pooling', size: 2 },
          { type: 'convolution', filters: 4, size: [3, 1] },
          { type: 'pooling', size: [2, 3], stride: 1, pad: 1, mode: 'average' },
          { type: 'pooling', size: [2, 2], mode: 'max' },
          { type: 'affine', units: 10 },
        ],
      },
    ],
    [
      'sequential, every layer type',
      {
        kind: 'sequential',
        input: [1, 28, 28],
        weightDecayLambda: 1e-4,
        layers: [
          { type: 'affine', units: 100, init: 'xavier' },
          { type: 'batchnorm', momentum: 0.5, eps: 1e-5, mode: 'per-activation' },
          { type: 'sigmoid' },
          { type: 'dropout', ratio: 0.5, inverted: true },
          { type: 'affine', units: 10 },
          { type: 'relu' },
        ],
      },
    ],
  ])('accepts %s and returns a copy', (_, spec) => {
    const parsed = parseModelSpec(spec);
    expect(parsed).toEqual(spec);
    expect(parsed).not.toBe(spec);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', null, /^ModelSpec: spec: must be an object with a 'kind', got null/],
    [
      'an unknown kind',
      { kind: 'cnn' },
      /spec\.kind: unknown kind "cnn" \(known: two-layer-net, multi-layer-net,/,
    ],
    ['no kind', { inputSize: 3 }, /spec\.kind: unknown kind nothing/],
    [
      'a missing size',
      { ...two, hiddenSize: undefined },
      /spec\.hiddenSize: must be an integer > 0, got nothing/,
    ],
    ['a zero size', { ...two, outputSize: 0 }, /spec\.outputSize: must be an integer > 0, got 0/],
    ['a fractional size', { ...two, inputSize: 1.5 }, /spec\.inputSize: must be an integer > 0, got 1\.5/],
    [
      'a size as a string',
      { ...two, inputSize: '784' },
      /spec\.inputSize: must be an integer > 0, got "784"/,
    ],
    [
      'a bad hidden size',
      { ...mlp, hiddenSizeList: [100, -1] },
      /spec\.hiddenSizeList\[1\]: must be an integer > 0/,
    ],
    [
      'hidden sizes that are not a list',
      { ...mlp, hiddenSizeList: 100 },
      /spec\.hiddenSizeList: must be an array/,
    ],
    [
      'an unknown activation',
      { ...mlp, activation: 'tanh' },
      /spec\.activation: must be one of "relu", "sigmoid", got "tanh"/,
    ],
    [
      'an unknown weight init',
      { ...two, weightInitStd: 'kaiming' },
      /spec\.weightInitStd: must be a standard deviation or one of/,
    ],
    ['a negative weight std', { ...two, weightInitStd: -1 }, /spec\.weightInitStd: must be a number >= 0/],
    [
      'a dropout ratio of 1',
      { ...mlp, kind: 'multi-layer-net-extend', dropoutRatio: 1 },
      /spec\.dropoutRatio: must be a number in \[0, 1\)/,
    ],
    [
      'a misspelt option',
      { ...two, hiddenSizes: [5] },
      /spec\.hiddenSizes: is not an option of 'two-layer-net' \(options: inputSize, hiddenSize, outputSize, weightInitStd\)/,
    ],
    [
      'an extend option on multi-layer-net',
      { ...mlp, useBatchnorm: true },
      /spec\.useBatchnorm: is not an option of 'multi-layer-net'/,
    ],
    ['a sequential with no layers', seq(), /spec\.layers: must be a non-empty array of layers/],
    [
      'a sequential with no input',
      { ...seq({ type: 'relu' }), input: [] },
      /spec\.input: must be an array of at least 1 integers/,
    ],
    [
      'an unknown layer type',
      seq({ type: 'affine', units: 3 }, { type: 'conv' }),
      /spec\.layers\[1\]\.type: unknown type "conv" \(known: affine, convolution, pooling, relu, sigmoid, batchnorm, dropout\)/,
    ],
    [
      'a layer that is not an object',
      seq('relu'),
      /spec\.layers\[0\]: must be an object with a 'type', got "relu"/,
    ],
    [
      'an affine without units',
      seq({ type: 'affine' }),
      /spec\.layers\[0\]\.units: must be an integer > 0, got nothing/,
    ],
    [
      'a dropout without a ratio',
      seq({ type: 'dropout' }),
      /spec\.layers\[0\]\.ratio: must be a number in \[0, 1\)/,
    ],
    [
      'an option on a relu',
      seq({ type: 'relu', units: 3 }),
      /spec\.layers\[0\]\.units: is not an option of 'relu' \(options: none\)/,
    ],
    [
      'an unknown batchnorm mode',
      seq({ type: 'batchnorm', mode: 'per-batch' }),
      /spec\.layers\[0\]\.mode: must be one of "per-activation", "per-channel"/,
    ],
    [
      'a conv net input that is not [C, H, W]',
      { kind: 'simple-conv-net', inputDim: [784] },
      /spec\.inputDim: must be an array of 3 integers > 0, got \[784\]/,
    ],
    [
      'a misspelt conv param',
      { kind: 'simple-conv-net', convParam: { filterNum: 30, filter_size: 5 } },
      /spec\.convParam\.filter_size: is not an option of a convolution \(options: filterNum, filterSize, stride, pad\)/,
    ],
    [
      'a conv param without a filter size',
      { kind: 'simple-conv-net', convParam: { filterNum: 30 } },
      /spec\.convParam\.filterSize: must be an integer > 0 or \[height, width\], got nothing/,
    ],
    [
      'a conv param that is a number',
      { kind: 'simple-conv-net', convParam: 30 },
      /spec\.convParam: must be a convolution \(\{ filterNum, filterSize, stride, pad \}\), got 30/,
    ],
    [
      'a negative pad',
      { kind: 'simple-conv-net', convParam: { filterNum: 3, filterSize: 3, pad: -1 } },
      /spec\.convParam\.pad: must be an integer >= 0, got -1/,
    ],
    [
      'five convolutions for DeepConvNet',
      {
        kind: 'deep-conv-net',
        convParams: Array.from({ length: 5 }, () => ({ filterNum: 2, filterSize: 3 })),
      },
      /spec\.convParams: must be an array of 6 convolutions/,
    ],
    [
      'a bad DeepConvNet convolution',
      {
        kind: 'deep-conv-net',
        convParams: [
          ...Array.from({ length: 5 }, () => ({ filterNum: 2, filterSize: 3 })),
          { filterNum: 2, filterSize: [3] },
        ],
      },
      /spec\.convParams\[5\]\.filterSize: must be an integer > 0 or \[height, width\], got \[3\]/,
    ],
    [
      'a SimpleConvNet option on DeepConvNet',
      { kind: 'deep-conv-net', convParam: { filterNum: 2, filterSize: 3 } },
      /spec\.convParam: is not an option of 'deep-conv-net' \(options: inputDim, convParams, hiddenSize,/,
    ],
    [
      'an unknown LeNet pooling',
      { kind: 'lenet', pooling: 'min' },
      /spec\.pooling: must be one of "average", "max"/,
    ],
    ['a LeNet activation of tanh', { kind: 'lenet', activation: 'tanh' }, /spec\.activation: must be one of/],
    ['a fractional first pad', { kind: 'lenet', firstPad: 1.5 }, /spec\.firstPad: must be an integer >= 0/],
    [
      'a convolution without filters',
      seq({ type: 'convolution', size: 3 }),
      /spec\.layers\[0\]\.filters: must be an integer > 0, got nothing/,
    ],
    [
      'a convolution with the book’s option names',
      seq({ type: 'convolution', filterNum: 3, size: 3 }),
      /spec\.layers\[0\]\.filterNum: is not an option of 'convolution' \(options: filters, size, stride, pad, init\)/,
    ],
    [
      'a zero stride',
      seq({ type: 'convolution', filters: 3, size: 3, stride: 0 }),
      /spec\.layers\[0\]\.stride: must be an integer > 0, got 0/,
    ],
    [
      'a three-sided window',
      seq({ type: 'pooling', size: [2, 2, 2] }),
      /spec\.layers\[0\]\.size: must be an integer > 0 or \[height, width\], got \[2,2,2\]/,
    ],
    [
      'a non-square pooling window without a stride',
      seq({ type: 'pooling', size: [2, 3] }),
      /spec\.layers\[0\]\.stride: is required for a non-square window \[2,3\]/,
    ],
    [
      'an unknown pooling mode',
      seq({ type: 'pooling', size: 2, mode: 'avg' }),
      /spec\.layers\[0\]\.mode: must be one of "max", "average", got "avg"/,
    ],
  ])('rejects %s', (_, spec, message) => {
    expect(() => parseModelSpec(spec)).toThrow(ModelSpecError);
    expect(() => parseModelSpec(spec)).toThrow(message);
  });
});
