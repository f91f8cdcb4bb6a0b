import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromArray, randint, randn, Rng, type Tensor } from '@dl/tensor';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import type { StoredTensor } from './safetensors-types.js';

// Interop with Python: `DL_PYTHON` picks the interpreter (default python3). The numpy test runs where
// numpy is installed; the safetensors test only where the `safetensors` package is importable.
const PYTHON = process.env.DL_PYTHON ?? 'python3';
const canImport = (module: string): boolean =>
  spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const HAS_NUMPY = canImport('numpy');
const HAS_SAFETENSORS = HAS_NUMPY && canImport('safetensors');

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

describe.skipIf(!HAS_SAFETENSORS)("Python's safetensors package", () => {
  it('loads our file', () => {
    const path = join(dir, 'ours-for-safetensors.safetensors');
    writeFileSync(path, writeSafetensors(sample(), { format: 'np' }));
    const script = `
import json, sys
from safetensors import safe_open
with safe_open(sys.argv[1], framework='np') as f:
    print(json.dumps({'metadata': f.metadata(),
                      'tensors': {k: [list(f.get_tensor(k).shape), f.get_tensor(k).ravel().tolist()] for k in f.keys()}}))
`;
    const seen = python(script, path) as {
      metadata: Record<string, string>;
      tensors: Record<string, unknown>;
    };
    expect(seen.metadata).toEqual({ format: 'np' });
    for (const [name, t] of sample()) expect(seen.tensors[name], name).toEqual([t.shape, [...t.data]]);
  });

  it('writes files we read, and we rewrite them byte for byte', () => {
    const path = join(dir, 'theirs.safetensors');
    const script = `
import sys
import numpy as np
from safetensors.numpy import save_file
save_file({'W': (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5) / 3,
           'd': np.array([np.pi, -1e-300]), 'i': np.array([7, -7], dtype=np.int32),
           'u': np.array([[1, 255]], dtype=np.uint8), 'h': np.array([0.5, -3], dtype=np.float16)},
          sys.argv[1], metadata={'format': 'np'})
print('null')
`;
    python(script, path);
    const bytes = new Uint8Array(readFileSync(path));
    const { tensors, metadata } = readSafetensors(bytes, { file: path });
    expect(metadata).toEqual({ format: 'np' });
    expect([...(tensors.get('W') as Tensor).data]).toEqual([
      ...Float32Array.from([0, 1, 2, 3, 4, 5], (v) => (v - 2.5) / 3),
    ]);
    expect([...tensors.get('d')!.data]).toEqual([Math.PI, -1e-300]);
    expect(tensors.get('h')).toEqual({ dtype: 'F16', shape: [2], data: Uint16Array.from([0x3800, 0xc200]) });
    expect(writeSafetensors(tensors, metadata)).toEqual(bytes);
  });
});
