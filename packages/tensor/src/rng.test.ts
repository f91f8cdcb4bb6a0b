import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng (xoshiro128**)', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
    expect(new Rng(2 ** 32 + 1).nextUint32()).not.toBe(new Rng(1).nextUint32());
  });

  it('matches the reference xoshiro128** recurrence from a known state', () => {
    // Reference values computed from the published C code with s = {1, 2, 3, 4}.
    const rng = new Rng(0);
    rng.setState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spare: null });
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('draws uniform doubles in [0, 1) with the right mean and variance', () => {
    const rng = new Rng(7);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    let inRange = true;
    for (let i = 0; i < n; i++) {
      const u = rng.random();
      inRange &&= u >= 0 && u < 1;
      sum += u;
      sq += u * u;
    }
    expect(inRange).toBe(true);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const rng = new Rng(11);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(sq / n).toBeCloseTo(1, 1);
  });

  it('draws unbiased integers covering [0, n)', () => {
    const rng = new Rng(3);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow(/n must be an integer/);
  });

  it('saves and restores its state, including the spare Gaussian', () => {
    const rng = new Rng(5);
    rng.normal(); // leaves a spare
    const state = rng.getState();
    const expected = [rng.normal(), rng.normal(), rng.random()];
    const restored = new Rng(999);
    restored.setState(JSON.parse(JSON.stringify(state)) as typeof state);
    expect([restored.normal(), restored.normal(), restored.random()]).toEqual(expected);
    const copy = rng.clone();
    expect(copy.nextUint32()).toBe(rng.nextUint32());
  });

  it('rejects invalid seeds and states', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/finite/);
    const rng = new Rng(1);
    expect(() => rng.setState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0], spare: null })).toThrow(
      /all-zero/,
    );
  });
});

describe('Rng state words', () => {
  it('are reported unsigned, as documented', () => {
    const rng = new Rng(123);
    for (let i = 0; i < 100; i++) {
      rng.nextUint32();
      for (const w of rng.getState().s) expect(w >= 0 && w < 2 ** 32).toBe(true);
    }
  });
});
