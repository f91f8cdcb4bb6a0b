/** Small DOM helpers: build elements declaratively without a framework. */

export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  class?: string;
  id?: string;
  /** Text content (set before children are appended). */
  text?: string;
  /** Any other attribute, as a string (`for`, `aria-label`, `role`, `type`, ...). */
  attrs?: Readonly<Record<string, string | number | boolean>>;
  /** Data attributes without the `data-` prefix: `{ testid: 'x' }` becomes `data-testid="x"`. */
  data?: Readonly<Record<string, string>>;
}

function applyAttrs(el: Element, props: ElementProps): void {
  if (props.class !== undefined) el.setAttribute('class', props.class);
  if (props.id !== undefined) el.id = props.id;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, value] of Object.entries(props.data ?? {})) el.setAttribute(`data-${name}`, value);
}

function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** `h('p', { class: 'note' }, 'text', h('em', {}, 'more'))`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyAttrs(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes: `svg('line', { x1: 0, y1: 0, x2: 10, y2: 10 })`. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number>> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

/** A labelled control: `<label>text <input></label>` keeps the pair clickable and named for screen readers. */
export function labelled(text: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label', text }),
    control,
    hint ? h('small', { text: hint }) : null,
  );
}

export interface NumberInputOptions {
  value: number;
  step?: number | 'any';
  min?: number;
  max?: number;
  id?: string;
  testid?: string;
}

export function numberInput(options: NumberInputOptions): HTMLInputElement {
  const input = h('input', {
    attrs: {
      type: 'number',
      step: options.step ?? 'any',
      value: String(options.value),
      ...(options.min !== undefined ? { min: options.min } : {}),
      ...(options.max !== undefined ? { max: options.max } : {}),
    },
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.testid !== undefined ? { data: { testid: options.testid } } : {}),
  });
  return input;
}

/** A `<select>` over a fixed set of string values. */
export function select<V extends string>(
  options: readonly { value: V; label: string }[],
  selected: V,
  testid?: string,
): HTMLSelectElement {
  const el = h('select', testid !== undefined ? { data: { testid } } : {});
  for (const o of options) {
    const opt = h('option', { text: o.label, attrs: { value: o.value } });
    opt.selected = o.value === selected;
    el.append(opt);
  }
  return el;
}

/** The value of a `<select>` built by `select`, checked against the allowed values. */
export function selectedValue<V extends string>(el: HTMLSelectElement, allowed: readonly V[]): V {
  const v = el.value;
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new Error(`select: unexpected value '${v}'`);
  return found;
}

/** A number read from an input; `fallback` when it is empty or not a finite number. */
export function readNumber(input: HTMLInputElement, fallback: number): number {
  const v = input.valueAsNumber;
  return Number.isFinite(v) ? v : fallback;
}

/** The page header every page starts with: the book's chapter and the idea's title. */
export function pageHeader(chapter: string, title: string, intro: string): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('p', { class: 'chapter', text: chapter }),
    h('h1', { text: title }),
    h('p', { class: 'intro', text: intro }),
  );
}

/** Formats a number compactly for tables and labels (`0.0012`, `1.2e-7`, `123.4`). */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}
