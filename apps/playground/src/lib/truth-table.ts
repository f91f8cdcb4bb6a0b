import { AND, NAND, OR, XOR } from '@dl/layers';

export type GateName = 'AND' | 'NAND' | 'OR' | 'XOR';

const GATES: { readonly [K in GateName]: (x1: number, x2: number) => 0 | 1 } = { AND, NAND, OR, XOR };

export interface TruthRow {
  x1: 0 | 1;
  x2: 0 | 1;
  y: 0 | 1;
}

/** The four rows of a gate's truth table, computed by the book's perceptrons in @dl/layers. */
export function truthTable(gate: GateName): TruthRow[] {
  const inputs: [0 | 1, 0 | 1][] = [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  return inputs.map(([x1, x2]) => ({ x1, x2, y: GATES[gate](x1, x2) }));
}

export const GATE_NAMES: readonly GateName[] = ['AND', 'NAND', 'OR', 'XOR'];
