import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randn, Rng } from '@dl/tensor';
import { buildModel } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { loadModelFile, saveModelFile } from './model-file.js';
import { SafetensorsError } from './safetensors-types.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-model-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saveModelFile / loadModelFile', () => {
  it('round-trips a network through a file, replacing the previous one', async () => {
    const spec: ModelSpec = { kind: 'multi-layer-net', inputSize: 5, hiddenSizeList: [4], outputSize: 3 };
    const path = join(dir, 'last.safetensors');
    await saveModelFile(path, buildModel(spec, { rng: new Rng(1) }), spec);
    const net = buildModel(spec, { rng: new Rng(2) });
    await saveModelFile(path, net, spec, { metadata: { epoch: '3' } });
    const loaded = await loadModelFile(path);
    const x = randn([2, 5], new Rng(3));
    expect(loaded.network.predict(x).data).toEqual(net.predict(x).data);
    expect(loaded.metadata).toEqual({ epoch: '3' });
  });

  it('names the file when it is not safetensors', async () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, 'not a model');
    await expect(loadModelFile(path)).rejects.toThrow(SafetensorsError);
    await expect(loadModelFile(path)).rejects.toThrow(`safetensors (${path}): the header length`);
  });
});
