import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromArray, randint, randn, Rng } from '@dl/tensor';
import { writeSafetensors } from './safetensors.js';
import type { StoredTensor } from './safetensors-types.js';

// Interop with Python: `DL_PYTHON` picks the interpreter (default python3). The test reads our files
// with numpy + json + struct (the format's rules written out), so it needs no `safetensors` package,
// which neither registry used here offers.
const PYTHON = process.env.DL_PYTHON ?? 'python3';
const canImport = (module: string): boolean =>
  spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const HAS_NUMPY = canImport('numpy');

const dir = mkdtempSync(join(tmpdir(), 'dl-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(script: string, ...args: string[]): unknown {
  const run = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

// The reference reader's rules, in numpy: header padded to 8 and starting with '{', tensors tiling
// the data section in offset order, little-endian payloads.
const NUMPY_READER = `
import json, struct, sys
import numpy as np
blob = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', blob[:8])
assert n % 8 == 0 and blob[8:9] == b'{', 'header not padded to 8 or not an object'
header = json.loads(blob[8:8 + n].decode('utf-8'))
meta = header.pop('__metadata__', {})
data = blob[8 + n:]
kinds = {'F64': '<f8', 'F32': '<f4', 'I32': '<i4', 'U8': 'u1', 'F16': '<u2', 'BF16': '<u2'}
pos, out = 0, {}
for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
    b, e = info['data_offsets']
    assert b == pos, name + ': hole or overlap'
    a = np.frombuffer(data[b:e], dtype=kinds[info['dtype']]).reshape(info['shape'])
    pos = e
    out[name] = {'dtype': info['dtype'], 'shape': list(a.shape), 'values': a.ravel().tolist()}
assert pos == len(data), 'data section not covered'
print(json.dumps({'metadata': meta, 'tensors': out}))
`;

function sample(): Map<string, StoredTensor> {
  const rng = new Rng(11);
  return new Map<string, StoredTensor>([
    ['W1', randn([4, 3], rng)],
    ['b1', randn([3], rng, { dtype: 'float64' })],
    ['t', randint([5], rng, -50, 50)],
    ['img', fromArray([3, 250, 17, 0, 99, 1], [2, 3], 'uint8')],
    ['s', fromArray([2.5], [], 'float64')],
  ]);
}

describe.skipIf(!HAS_NUMPY)('Python reads our files (numpy, the reference rules)', () => {
  it('every tensor, shape, value and the metadata', () => {
    const tensors = sample();
    tensors.set('h', { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0xbc00]) });
    const path = join(dir, 'ours.safetensors');
    writeFileSync(path, writeSafetensors(tensors, { 'dl.spec': '{"kind":"x"}', note: 'é' }));
    const seen = python(NUMPY_READER, path) as {
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };
    expect(seen.metadata).toEqual({ 'dl.spec': '{"kind":"x"}', note: 'é' });
    expect(Object.keys(seen.tensors)).toEqual([...tensors.keys()]);
    for (const [name, t] of tensors) {
      expect(seen.tensors[name]!.shape, name).toEqual(t.shape);
      expect(seen.tensors[name]!.values, name).toEqual([...t.data]);
    }
  });
});
