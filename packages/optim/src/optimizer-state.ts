import { isOptimizerName } from './create-optimizer.js';
import type {
  OptimizerHyperMap,
  OptimizerName,
  OptimizerSlotMap,
  OptimizerState,
  SlotTensor,
} from './optimizer.js';

/**
 * The JSON-able part of an optimizer state, for a safetensors `__metadata__` entry: kind,
 * hyper-parameters, `iter`, and for each slot the parameter names in order. Each slot tensor is
 * stored as `${prefix}.${slot}.${param}` (`optimizer.m.W1`).
 */
export type OptimizerStateHeader<K extends OptimizerName = OptimizerName> = {
  [N in K]: {
    readonly kind: N;
    readonly hyper: OptimizerHyperMap[N];
    readonly iter: number;
    readonly slots: { readonly [S in OptimizerSlotMap[N]]: readonly string[] };
  };
}[K];

/** An optimizer state as a small header plus flat named float tensors (what safetensors stores). */
export interface FlatOptimizerState<K extends OptimizerName = OptimizerName> {
  header: OptimizerStateHeader<K>;
  tensors: Record<string, SlotTensor>;
}

type LooseSlots = Readonly<Record<string, Readonly<Record<string, SlotTensor>>>>;

/** Flattens a state (no copies: the tensors are the state's own). */
export function optimizerStateToTensors<K extends OptimizerName>(
  state: OptimizerState<K>,
  prefix = 'optimizer',
): FlatOptimizerState<K> {
  const slots: Record<string, string[]> = {};
  const tensors: Record<string, SlotTensor> = {};
  for (const [slot, byParam] of Object.entries(state.slots as LooseSlots)) {
    slots[slot] = Object.keys(byParam);
    for (const [param, t] of Object.entries(byParam)) tensors[`${prefix}.${slot}.${param}`] = t;
  }
  const header = { kind: state.kind, hyper: { ...state.hyper }, iter: state.iter, slots };
  return { header: header as unknown as OptimizerStateHeader<K>, tensors };
}

/**
 * Rebuilds a state from `optimizerStateToTensors`' output (for instance a parsed safetensors file).
 * Throws naming any tensor the header lists but `tensors` lacks; `setState` validates the rest.
 */
export function optimizerStateFromTensors<K extends OptimizerName>(
  header: OptimizerStateHeader<K>,
  tensors: Readonly<Record<string, SlotTensor>>,
  prefix = 'optimizer',
): OptimizerState<K> {
  const op = 'optimizerStateFromTensors';
  if (typeof header !== 'object' || header === null || !isOptimizerName(String(header.kind))) {
    throw new TypeError(`${op}: the header has no known optimizer kind`);
  }
  const slots: Record<string, Record<string, SlotTensor>> = {};
  for (const [slot, params] of Object.entries(header.slots as Readonly<Record<string, unknown>>)) {
    if (!Array.isArray(params) || !params.every((p) => typeof p === 'string')) {
      throw new TypeError(`${op}: header.slots.${slot} must be a list of parameter names`);
    }
    const byParam: Record<string, SlotTensor> = {};
    for (const param of params) {
      const key = `${prefix}.${slot}.${param}`;
      const t = tensors[key];
      if (t === undefined) throw new Error(`${op}: tensor '${key}' is listed in the header but missing`);
      byParam[param] = t;
    }
    slots[slot] = byParam;
  }
  const state = { kind: header.kind, hyper: { ...header.hyper }, iter: header.iter, slots };
  return state as unknown as OptimizerState<K>;
}
