import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSEMBLY_FILES, OPTIMIZER_CODES } from './op-codes.js';

type Table = Readonly<Record<string, number>>;

/** `greaterEqual` and `adam-book` as the assembly names them: `GREATER_EQUAL`, `ADAM_BOOK`. */
const upperSnake = (key: string): string =>
  key
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase();

/** Every `export const NAME = <integer>;` of an assembly source. */
function assemblyConstants(file: string): Map<string, number> {
  const source = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
  const constants = new Map<string, number>();
  for (const m of source.matchAll(/^export const ([A-Z][A-Z0-9_]*)(?:: i32)? = (\d+);/gm)) {
    constants.set(m[1]!, Number(m[2]));
  }
  return constants;
}

/**
 * Both ways: a code the TypeScript side sends that assembly lacks or numbers differently, and a
 * constant of assembly that no TypeScript name stands for.
 */
function mismatches(declared: Map<string, number>, tables: readonly Table[]): string[] {
  const expected = new Map<string, number>();
  for (const table of tables)
    for (const [key, code] of Object.entries(table)) expected.set(upperSnake(key), code);
  const problems: string[] = [];
  for (const [name, code] of expected) {
    if (declared.get(name) !== code)
      problems.push(`${name}: TypeScript ${code}, assembly ${declared.get(name)}`);
  }
  for (const name of declared.keys()) if (!expected.has(name)) problems.push(`${name}: not in TypeScript`);
  return problems;
}

describe('op codes: the TypeScript tables and the assembly constants agree', () => {
  for (const [file, tables] of Object.entries(ASSEMBLY_FILES)) {
    it(file, () => {
      const declared = assemblyConstants(file);
      expect(declared.size).toBeGreaterThan(0);
      expect(mismatches(declared, tables)).toEqual([]);
    });
  }

  it('catches a code that differs and one that is missing', () => {
    const declared = assemblyConstants('assembly/optimizer.ts');
    const { 'adam-standard': _, ...withoutStandard } = OPTIMIZER_CODES;
    expect(mismatches(declared, [{ ...withoutStandard, 'adam-book': 6 }])).toEqual([
      'ADAM_BOOK: TypeScript 6, assembly 5',
      'ADAM_STANDARD: not in TypeScript',
    ]);
  });
});
