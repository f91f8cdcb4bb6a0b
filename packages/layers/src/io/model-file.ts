import type { LayerNetwork } from '../networks/layer-network.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { readFileBytes, writeFileAtomic } from './file.js';
import { loadModel, saveModel, type LoadedModel, type SaveModelOptions } from './save-load.js';

/** `saveModel` to a file, atomically: a crash mid-write leaves the previous file intact. Node only. */
export async function saveModelFile(
  path: string,
  network: LayerNetwork,
  spec: ModelSpec,
  options: SaveModelOptions = {},
): Promise<void> {
  await writeFileAtomic(path, saveModel(network, spec, options));
}

/** `loadModel` from a file; errors name the file. Node only. */
export async function loadModelFile(path: string): Promise<LoadedModel> {
  return loadModel(await readFileBytes(path), { file: path });
}
