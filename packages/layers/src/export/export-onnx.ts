import { specOf } from '../model-spec/build-model.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { planExport, type ExportStep, type ExportTensor } from './export-layers.js';
import {
  ATTRIBUTE_TYPE,
  ONNX_DTYPE,
  encodeOnnxModel,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';

/** The ONNX versions an export targets: every operator used has had its current form since opset 13-15. */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface ExportOnnxOptions {
  /** The per-sample input shape (default: the spec's, for networks from `buildModel`/`loadModel`). */
  inputShape?: readonly number[];
  /** The graph's name (default `dl`). */
  name?: string;
  /** `producer_version` (default `@dl/layers`' version is not known here: `unknown`). */
  producerVersion?: string;
}

/**
 * The network as an ONNX model (opset 17, IR version 8) computing what `network.predict` computes in
 * test mode: input `input` `[N, ...inputShape]` (N dynamic; `[N, 1, 28, 28]` for the CNNs), outputs
 * `logits` `[N, classes]` and `probabilities` (Softmax over axis 1). Weights are stored as float32
 * whatever the network's dtype. Layers map to operators as the book computes them: Affine as
 * Flatten(axis 1) + Gemm; Convolution as Conv; Pooling as MaxPool or AveragePool with
 * `count_include_pad=1` (our average pooling counts padded cells as zeros); BatchNormalization in its
 * inference form (running statistics), per channel directly, per activation between two Reshapes;
 * the book's Dropout as `Mul` by `1 - ratio` (inverted Dropout: nothing). Throws
 * `UnsupportedLayerError` for any other layer.
 */
export function exportOnnx(network: LayerNetwork, options: ExportOnnxOptions = {}): Uint8Array {
  const plan = planExport(network, 'ONNX', options.inputShape);
  const graph = new GraphBuilder();
  let x = 'input';
  plan.steps.forEach((step, i) => {
    x = addStep(graph, step, x, i === plan.steps.length - 1 ? 'logits' : `${step.key}_out`);
  });
  if (x !== 'logits') x = graph.node('Identity', 'logits_identity', [x], 'logits');
  graph.node('Softmax', 'Softmax', ['logits'], 'probabilities', [int('axis', 1)]);
  const spec = specOf(network);
  const model: OnnxModel = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'dl',
    producerVersion: options.producerVersion ?? 'unknown',
    docString: 'Exported by dl (Deep Learning from Scratch in TypeScript): test-mode forward pass.',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: spec ? [{ key: 'dl.spec', value: JSON.stringify(spec) }] : [],
    graph: {
      name: options.name ?? 'dl',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo('input', plan.inputShape)],
      output: [valueInfo('logits', [plan.classes]), valueInfo('probabilities', [plan.classes])],
    },
  };
  return encodeOnnxModel(model);
}

/** Adds the nodes of one layer reading `x`; returns the name of its output (`out`, or `x` for none). */
function addStep(graph: GraphBuilder, step: ExportStep, x: string, out: string): string {
  const { key } = step;
  switch (step.type) {
    case 'affine': {
      // Gemm wants 2-D input: [N, C, H, W] (or [N, D]) is read as [N, C·H·W], as Affine does.
      const flat = graph.node('Flatten', `${key}_flatten`, [x], `${key}_flat`, [int('axis', 1)]);
      return graph.node('Gemm', key, [flat, graph.weight(step.W), graph.weight(step.b)], out);
    }
    case 'convolution': {
      const [, , FH, FW] = step.W.value.shape as [number, number, number, number];
      return graph.node('Conv', key, [x, graph.weight(step.W), graph.weight(step.b)], out, [
        ints('kernel_shape', [FH, FW]),
        ints('strides', [step.stride, step.stride]),
        ints('pads', [step.pad, step.pad, step.pad, step.pad]),
      ]);
    }
    case 'pooling': {
      const window = [
        ints('kernel_shape', [...step.size]),
        ints('strides', [step.stride, step.stride]),
        ints('pads', [step.pad, step.pad, step.pad, step.pad]),
      ];
      if (step.mode === 'max') return graph.node('MaxPool', key, [x], out, window);
      return graph.node('AveragePool', key, [x], out, [...window, int('count_include_pad', 1)]);
    }
    case 'relu':
      return graph.node('Relu', key, [x], out);
    case 'sigmoid':
      return graph.node('Sigmoid', key, [x], out);
    case 'batchnorm':
      return addBatchNorm(graph, step, x, out);
    case 'dropout': {
      // Test mode: the book scales by the keep rate; inverted dropout scaled in training instead.
      if (step.inverted) return x;
      const keep = graph.scalar(`${key}.keep`, 1 - step.ratio);
      return graph.node('Mul', key, [x, keep], out);
    }
  }
}

/**
 * BatchNormalization with its running statistics. Per activation on `[C, H, W]` samples (the book's
 * default), ONNX's per-channel operator sees `[N, C·H·W]`: one "channel" per activation, then the
 * result is put back in shape.
 */
function addBatchNorm(
  graph: GraphBuilder,
  step: Extract<ExportStep, { type: 'batchnorm' }>,
  x: string,
  out: string,
): string {
  const { key } = step;
  const reshape = step.mode === 'per-activation' && step.inShape.length > 1;
  const input = reshape
    ? graph.node('Reshape', `${key}_flatten`, [x, graph.shape(`${key}.flat_shape`, [0, -1])], `${key}_flat`)
    : x;
  const stats = [step.gamma, step.beta, step.runningMean, step.runningVar].map((t) => graph.weight(t));
  const normalized = graph.node(
    'BatchNormalization',
    key,
    [input, ...stats],
    reshape ? `${key}_normalized` : out,
    [float('epsilon', step.eps), float('momentum', step.momentum)],
  );
  if (!reshape) return normalized;
  const back = graph.shape(`${key}.shape`, [0, ...step.inShape]);
  return graph.node('Reshape', `${key}_unflatten`, [normalized, back], out);
}

/** Collects nodes and initializers; initializer names are the network's tensor names (`W1`, `BatchNorm1.running_mean`). */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  node(
    opType: string,
    name: string,
    input: string[],
    output: string,
    attribute: OnnxAttribute[] = [],
  ): string {
    this.nodes.push({ name, opType, input, output: [output], attribute });
    return output;
  }

  /** A network tensor as a float32 initializer (float64 and float16 networks export as float32). */
  weight(t: ExportTensor): string {
    return this.floats(t.name, [...t.value.shape], t.value.data);
  }

  scalar(name: string, value: number): string {
    return this.floats(name, [], [value]);
  }

  /** An int64 shape for Reshape (0 keeps the batch axis, -1 is inferred). */
  shape(name: string, dims: readonly number[]): string {
    const bytes = new Uint8Array(8 * dims.length);
    const view = new DataView(bytes.buffer);
    dims.forEach((d, i) => view.setBigInt64(8 * i, BigInt(d), true));
    this.initializers.push({ name, dims: [dims.length], dataType: ONNX_DTYPE.INT64, rawData: bytes });
    return name;
  }

  private floats(name: string, dims: number[], values: ArrayLike<number>): string {
    const bytes = new Uint8Array(4 * values.length);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
    this.initializers.push({ name, dims, dataType: ONNX_DTYPE.FLOAT, rawData: bytes });
    return name;
  }
}

function valueInfo(name: string, perSample: readonly number[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE.FLOAT,
        shape: { dim: [{ dimParam: 'N' }, ...perSample.map((d) => ({ dimValue: d }))] },
      },
    },
  };
}

function int(name: string, i: number): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.INT, i };
}

function ints(name: string, values: number[]): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.INTS, ints: values };
}

function float(name: string, f: number): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.FLOAT, f };
}
