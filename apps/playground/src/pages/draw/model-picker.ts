import { h, labelled } from '../../lib/dom.js';
import {
  getModel,
  loadShippedModel,
  modelFromBytes,
  onModelsChange,
  setModel,
  type ModelSource,
  type StoredModel,
} from '../../lib/model-store.js';

// The draw page's model: the dropdown of the models the app has (trained here, a dropped file, the
// shipped ones) and the drop zone for a `.safetensors` file.

const SOURCES: readonly ModelSource[] = [
  'trained',
  'file',
  'shipped:two-layer-net',
  'shipped:simple-conv-net',
  // Offered once the chapter 8 page has loaded it (this page does not fetch its 0.5 MB itself).
  'shipped:deep-conv-net',
];
const SOURCE_LABEL: Readonly<Record<ModelSource, string>> = {
  trained: 'trained on the training page',
  file: 'dropped file',
  'shipped:two-layer-net': 'shipped with the app',
  'shipped:simple-conv-net': 'shipped with the app',
  'shipped:deep-conv-net': 'shipped with the app',
};

export interface ModelPicker {
  /** The dropdown with the chosen model's description. */
  readonly chooser: HTMLElement;
  /** The "Use another model" drop zone. */
  readonly dropZone: HTMLElement[];
  current(): StoredModel | undefined;
  /** Stops following the model store. */
  dispose(): void;
}

function createDropZone(load: (file: File) => void): { zone: HTMLElement; message: HTMLElement } {
  const fileInput = h('input', {
    attrs: { type: 'file', accept: '.safetensors' },
    data: { testid: 'draw-file' },
  });
  const zone = h(
    'div',
    { class: 'drop-zone', data: { testid: 'draw-drop' } },
    h('p', {
      text: 'Drop a dl .safetensors model here (one written by `dl train` or the training page), or choose one: ',
    }),
    fileInput,
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) load(file);
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) load(file);
  });
  const message = h('p', { attrs: { role: 'status' }, data: { testid: 'draw-drop-message' } });
  return { zone, message };
}

/** `changed` runs whenever the chosen model may have changed. */
export function createModelPicker(changed: () => void): ModelPicker {
  const modelSelect = h('select', { data: { testid: 'draw-model' } });
  const modelInfo = h('p', { class: 'note', data: { testid: 'draw-model-info' } });
  let selected: ModelSource | null = null;
  let userChose = false;
  const current = (): StoredModel | undefined => (selected ? getModel(selected) : undefined);

  function refresh(): void {
    const available = SOURCES.filter((s) => getModel(s) !== undefined);
    // Until the user picks one: the best available, in the order of SOURCES (models load in any order).
    if (!userChose || selected === null || getModel(selected) === undefined) selected = available[0] ?? null;
    modelSelect.replaceChildren(
      ...available.map((s) => {
        const o = h('option', { text: `${SOURCE_LABEL[s]}: ${getModel(s)!.name}`, attrs: { value: s } });
        o.selected = s === selected;
        return o;
      }),
    );
    modelSelect.disabled = available.length === 0;
    const m = current();
    modelInfo.textContent = m ? `${m.spec.kind}${m.note ? `, ${m.note}` : ''}` : 'Loading the shipped model…';
    changed();
  }
  modelSelect.addEventListener('change', () => {
    selected = modelSelect.value as ModelSource;
    userChose = true;
    refresh();
  });

  const drop = createDropZone((file) => void loadFile(file));
  async function loadFile(file: File): Promise<void> {
    drop.message.className = '';
    drop.message.textContent = `Reading ${file.name}…`;
    try {
      const model = modelFromBytes(new Uint8Array(await file.arrayBuffer()), 'file', file.name);
      setModel(model);
      selected = 'file';
      userChose = true;
      refresh();
      const parameters = model.network.params().reduce((n, p) => n + p.value.size, 0);
      drop.message.textContent = `Loaded ${file.name}: ${model.spec.kind}, ${parameters.toLocaleString('en')} parameters.`;
      drop.message.className = 'ok';
    } catch (e) {
      drop.message.textContent = `${file.name} is not a model this page can use: ${(e as Error).message}`;
      drop.message.className = 'error';
    }
  }

  const unsubscribe = onModelsChange(refresh);
  for (const name of ['two-layer-net', 'simple-conv-net'] as const) {
    loadShippedModel(name).catch((e: unknown) => {
      modelInfo.textContent = `The shipped ${name} could not be loaded: ${String(e)}`;
    });
  }
  refresh();
  return {
    chooser: h('div', {}, labelled('model', modelSelect), modelInfo),
    dropZone: [drop.zone, drop.message],
    current,
    dispose: unsubscribe,
  };
}
