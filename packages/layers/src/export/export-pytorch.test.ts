import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, type Tensor } from '@dl/tensor';
import { softmax } from '../activations.js';
import type { FloatTensor } from '../layer.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { loadModel } from '../io/save-load.js';
import { stateTensors } from '../io/state-tensors.js';
import { buildModel } from '../model-spec/build-model.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { EXPORT_SPECS, exportInputs, randomizeBatchNorm } from '../testing/export-specs.js';
import { exportPytorch } from './index.js';

// The generated module runs in Debian's PyTorch (python3-torch, installed by tooling/scripts/setup.mjs)
// through /usr/bin/python3, the interpreter those packages are for.
const PYTHON = process.env.DL_PYTHON ?? '/usr/bin/python3';
const BATCHES = [1, 7, 100];
/** |ours − PyTorch| ≤ TOL·max(1, |ours|): float32 sums in another order differ in the last bits. */
const TOL = 1e-5;

const root = mkdtempSync(join(tmpdir(), 'dl-pytorch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// For each export dir: the test-mode forward of every `x<n>` in inputs.safetensors into
// outputs.safetensors, and the weights written back in dl's format (roundtrip.safetensors).
const FORWARD = `
import sys, torch
for d in sys.argv[1:]:
    sys.path.insert(0, d)
    for m in ("model", "dl_torch"):
        sys.modules.pop(m, None)
    import model, dl_torch
    net = model.Net()
    dl_torch.load_state(net, d + "/weights.safetensors", model.DL_NAMES)
    net.eval()
    xs, _ = dl_torch.read_safetensors(d + "/inputs.safetensors")
    out = {}
    with torch.no_grad():
        for k, x in xs.items():
            y = net(torch.from_numpy(x))
            out[k + ".logits"] = y.numpy()
            out[k + ".probabilities"] = torch.softmax(y, dim=1).numpy()
    dl_torch.write_safetensors(d + "/outputs.safetensors", out)
    dl_torch.write_dl_checkpoint(d + "/roundtrip.safetensors", net, model.DL_NAMES, model.SPEC)
    sys.path.remove(d)
`;

function python(script: string, args: readonly string[]): { status: number | null; stderr: string } {
  const run = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  expect(run.error, `${PYTHON} must run (tooling/scripts/setup.mjs installs python3-torch)`).toBeUndefined();
  return { status: run.status, stderr: run.stderr };
}

function worst(actual: Tensor, expected: Tensor): number {
  expect(actual.shape).toEqual(expected.shape);
  let w = 0;
  for (let i = 0; i < expected.size; i++) {
    const e = expected.data[i]!;
    w = Math.max(w, Math.abs(actual.data[i]! - e) / Math.max(1, Math.abs(e)));
  }
  return w;
}

interface Case {
  dir: string;
  network: LayerNetwork;
  inputs: Map<string, FloatTensor>;
}

const cases = new Map<string, Case>();

beforeAll(async () => {
  for (const [name, spec] of Object.entries(EXPORT_SPECS)) {
    const network = buildModel(spec, { rng: new Rng(7) });
    randomizeBatchNorm(network, new Rng(8));
    const dir = join(root, name.replace(/[^a-z0-9-]+/gi, '_'));
    mkdirSync(dir);
    for (const [file, contents] of Object.entries(await exportPytorch(network)))
      writeFileSync(join(dir, file), contents);
    const inputs = new Map(BATCHES.map((n) => [`x${n}`, exportInputs(spec, n, 'float32', 100 + n)]));
    writeFileSync(join(dir, 'inputs.safetensors'), writeSafetensors(inputs));
    cases.set(name, { dir, network, inputs });
  }
  const run = python(
    FORWARD,
    [...cases.values()].map((c) => c.dir),
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
}, 120_000);

describe('exportPytorch', () => {
  for (const name of Object.keys(EXPORT_SPECS)) {
    it(`${name}: PyTorch's forward gives our logits and probabilities at batch ${BATCHES.join(', ')}`, () => {
      const { dir, network, inputs } = cases.get(name)!;
      const { tensors } = readSafetensors(readFileSync(join(dir, 'outputs.safetensors')));
      for (const [key, x] of inputs) {
        const logits = network.predict(x, { train: false });
        expect(worst(tensors.get(`${key}.logits`) as Tensor, logits), `${key} logits`).toBeLessThanOrEqual(
          TOL,
        );
        expect(
          worst(tensors.get(`${key}.probabilities`) as Tensor, softmax(logits)),
          `${key} probabilities`,
        ).toBeLessThanOrEqual(TOL);
      }
    });

    it(`${name}: weights written back by PyTorch in dl's format load exactly`, () => {
      const { dir, network } = cases.get(name)!;
      const loaded = loadModel(readFileSync(join(dir, 'roundtrip.safetensors'))).network;
      const ours = new Map(stateTensors(network).map((t) => [t.name, t.value]));
      for (const { name: tensor, value } of stateTensors(loaded))
        expect([...value.data], tensor).toEqual([...ours.get(tensor)!.data]);
    });
  }

  it('writes the module, its state_dict in PyTorch layout, the scripts and a README', async () => {
    const network = buildModel(EXPORT_SPECS['simple-conv-net']!);
    const files = await exportPytorch(network);
    expect(Object.keys(files).sort()).toEqual(
      ['README.md', 'dl_torch.py', 'model.py', 'train_ddp.py', 'weights.safetensors'].sort(),
    );
    const { tensors } = readSafetensors(files['weights.safetensors'] as Uint8Array);
    const W2 = network.param('W2').value;
    // Affine's W [in, out] is nn.Linear's weight [out, in].
    expect(tensors.get('Affine1.weight')!.shape).toEqual([W2.shape[1], W2.shape[0]]);
    expect(tensors.get('Conv1.weight')!.shape).toEqual(network.param('W1').value.shape);
    expect(files['model.py']).toContain('self.Conv1 = nn.Conv2d(');
    expect(files['README.md']).toMatch(/MASTER_ADDR=.* MASTER_PORT=.* WORLD_SIZE=2 RANK=0/);
  });

  it('a file with a missing, extra or mis-shaped tensor fails naming it, in dl and in PyTorch', () => {
    const { dir } = cases.get('multi-layer-net-extend')!;
    const good = readSafetensors(readFileSync(join(dir, 'roundtrip.safetensors')));
    const variants: [string, (t: Map<string, Tensor>) => void, RegExp][] = [
      ['missing', (t) => t.delete('b2'), /missing b2/],
      ['extra', (t) => t.set('W9', t.get('W1')!), /unexpected W9/],
      ['misshaped', (t) => t.set('b1', t.get('b2')!), /b1 is \[20\], expected \[40\]/],
    ];
    for (const [what, change, message] of variants) {
      const tensors = new Map(good.tensors as Map<string, Tensor>);
      change(tensors);
      const bytes = writeSafetensors(tensors, good.metadata);
      expect(() => loadModel(bytes), what).toThrow(message);
      writeFileSync(join(dir, `${what}.safetensors`), bytes);
    }
    const check = `
import sys
sys.path.insert(0, sys.argv[1])
import model, dl_torch
for what in ("missing", "extra", "misshaped"):
    try:
        dl_torch.load_state(model.Net(), sys.argv[1] + "/" + what + ".safetensors", model.DL_NAMES)
        print(what + ": loaded")
    except ValueError as e:
        print(str(e).split(": ", 1)[1])
`;
    const run = spawnSync(PYTHON, ['-c', check, dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      'missing tensor b2',
      'unexpected tensor W9',
      "tensor 'b1' is [20], expected [40]",
    ]);
  });
});
