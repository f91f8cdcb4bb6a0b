import type { DeepWorkerClient } from '../../lib/deep-client.js';
import { h, labelled, select, selectedValue } from '../../lib/dom.js';
import { mnistDataUrl } from '../../lib/public-url.js';
import type { WebGpuProbe } from '../../lib/webgpu-probe.js';
import type { BenchBackend, BenchResult } from '../../worker/deep-protocol.js';

// The chapter 8 page's speed table: DeepConvNet's inference in images per second on each backend,
// measured here in the worker one backend after another (they would slow each other side by side).

const BATCHES = ['10', '50', '100'] as const;
const ROWS: readonly { backend: BenchBackend; label: string }[] = [
  { backend: 'js', label: 'JavaScript (reference)' },
  { backend: 'wasm', label: 'WebAssembly' },
  { backend: 'webgpu', label: 'WebGPU' },
];
/** How long each backend is measured, after its warm-up batch. */
const SECONDS = 2;

export interface BackendsView {
  readonly elements: readonly HTMLElement[];
  /** Measures every available backend on `model`; resolves when the table is complete. */
  measure(model: Uint8Array): Promise<void>;
  readonly button: HTMLButtonElement;
  setProbe(probe: WebGpuProbe): void;
}

interface Row {
  cells: HTMLTableCellElement[];
  bar: HTMLDivElement;
  tr: HTMLTableRowElement;
}

function tableRow(backend: BenchBackend, label: string): Row {
  const cells = Array.from({ length: 5 }, () => h('td', { text: '–' }));
  cells[0]!.className = 'name';
  const bar = h('div', { class: 'speed-bar' });
  const tr = h(
    'tr',
    { data: { backend } },
    h('td', { class: 'name', text: label }),
    ...cells,
    h('td', { class: 'name speed' }, bar),
  );
  return { cells, bar, tr };
}

export function createBackendsView(client: DeepWorkerClient): BackendsView {
  const batch = select(
    BATCHES.map((v) => ({ value: v, label: `${v} images` })),
    '100',
    'deep-bench-batch',
  );
  const button = h('button', {
    attrs: { type: 'button' },
    text: 'Measure',
    data: { testid: 'deep-bench-run' },
  });
  const status = h('p', {
    class: 'status',
    attrs: { role: 'status' },
    data: { testid: 'deep-bench-status' },
  });
  const warning = h('p', { class: 'note warning', data: { testid: 'deep-bench-warning' } });
  warning.hidden = true;
  const rows = new Map(ROWS.map((r) => [r.backend, tableRow(r.backend, r.label)]));
  const table = h(
    'table',
    { class: 'data', data: { testid: 'deep-bench-table' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['backend', 'what ran', 'images', 'seconds', 'images/s', 'accuracy on them', ''].map((t, i) =>
          h('th', { class: i < 2 ? 'name' : '', text: t }),
        ),
      ),
    ),
    h('tbody', {}, ...[...rows.values()].map((r) => r.tr)),
  );
  let probe: WebGpuProbe | null = null;

  function show(result: BenchResult, fastest: number): void {
    const row = rows.get(result.backend)!;
    const [ran, images, seconds, rate, accuracy] = row.cells;
    ran!.textContent = result.ran;
    images!.textContent = result.images.toLocaleString('en');
    seconds!.textContent = result.seconds.toFixed(2);
    rate!.textContent = Math.round(result.imagesPerSecond).toLocaleString('en');
    accuracy!.textContent = `${(result.accuracy * 100).toFixed(1)}%`;
    row.tr.dataset.imagesPerSecond = String(result.imagesPerSecond);
    row.bar.style.width = `${Math.max(1, (100 * result.imagesPerSecond) / fastest)}%`;
  }

  async function measure(model: Uint8Array): Promise<void> {
    const batchSize = Number(selectedValue(batch, BATCHES));
    const results: BenchResult[] = [];
    const wanted = ROWS.filter((r) => r.backend !== 'webgpu' || probe?.available === true);
    for (const { backend } of wanted) {
      const result = await client.bench(
        { model, backend, batchSize, seconds: SECONDS, dataUrl: mnistDataUrl() },
        (text) => {
          status.textContent = text;
        },
      );
      results.push(result);
      if (result.warning) {
        warning.textContent = result.warning;
        warning.hidden = false;
      }
      const fastest = Math.max(...results.map((r) => r.imagesPerSecond));
      for (const r of results) show(r, fastest);
    }
    const best = results.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
    status.textContent = `Measured ${results.length} backends at a batch of ${batchSize}: the fastest here is ${best.backend} (${Math.round(best.imagesPerSecond).toLocaleString('en')} images/s).`;
  }

  return {
    elements: [
      h('h2', { text: 'The backends side by side' }),
      h(
        'p',
        { class: 'note' },
        'The same network and weights classify test images on each backend in the page’s worker: images per second of inference (the forward pass and the predicted class read back), after a warm-up batch. ' +
          'A real GPU is where WebGPU pays; a software adapter (SwiftShader, llvmpipe) runs its shaders on the CPU and is the slowest here.',
      ),
      h('div', { class: 'controls' }, labelled('batch', batch), button),
      status,
      warning,
      table,
    ],
    measure,
    button,
    setProbe: (p) => {
      probe = p;
      const row = rows.get('webgpu')!;
      if (!p.available) {
        row.cells[0]!.textContent = `not available: ${p.reason}`;
        row.tr.dataset.unavailable = 'true';
      } else row.cells[0]!.textContent = `${p.adapter}${p.software ? ' (software)' : ''}`;
    },
  };
}
