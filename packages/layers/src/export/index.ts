/**
 * `@dl/layers/export`: a network to the engines that scale beyond one machine. `exportOnnx` writes an
 * ONNX model for ONNX Runtime; `exportPytorch` writes a PyTorch module, its weights and a
 * `DistributedDataParallel` training script that writes dl's run format back. Kept out of the main
 * entry so that the protobuf library stays out of browser bundles.
 */
export { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET, type ExportOnnxOptions } from './export-onnx.js';
export {
  decodeOnnxModel,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';
export { UnsupportedLayerError } from './export-layers.js';
export {
  exportPytorch,
  type ExportedFiles,
  type ExportPytorchOptions,
  type PytorchTrainDefaults,
} from './export-pytorch.js';
