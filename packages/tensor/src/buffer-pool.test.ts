import { describe, expect, it } from 'vitest';
import { BufferPool, POOLED_LENGTH, withBufferPool } from './buffer-pool.js';
import { allocate } from './allocate.js';

describe('BufferPool', () => {
  it('hands the previous step’s large arrays back, zero-filled, after recycle()', () => {
    const pool = new BufferPool();
    const first = withBufferPool(pool, () => allocate('float32', POOLED_LENGTH));
    first.fill(7);
    // Before recycle the array is still lent: a second request gets a new one.
    const second = withBufferPool(pool, () => allocate('float32', POOLED_LENGTH));
    expect(second).not.toBe(first);
    pool.recycle();
    const again = withBufferPool(pool, () => [
      allocate('float32', POOLED_LENGTH),
      allocate('float32', POOLED_LENGTH),
    ]);
    expect(again).toContain(first);
    expect(again).toContain(second);
    expect(first.every((v) => v === 0)).toBe(true);
  });

  it('matches dtype and length exactly and leaves small arrays to the engine', () => {
    const pool = new BufferPool();
    const f32 = withBufferPool(pool, () => allocate('float32', POOLED_LENGTH));
    const small = withBufferPool(pool, () => allocate('float32', POOLED_LENGTH - 1));
    expect(pool.bytes).toBe(f32.byteLength);
    pool.recycle();
    withBufferPool(pool, () => {
      expect(allocate('int32', POOLED_LENGTH)).not.toBe(f32);
      expect(allocate('float32', POOLED_LENGTH + 1)).not.toBe(f32);
      expect(allocate('float32', POOLED_LENGTH - 1)).not.toBe(small);
      expect(allocate('float32', POOLED_LENGTH)).toBe(f32);
    });
  });

  it('drops arrays a step did not take again, so it holds at most one step', () => {
    const pool = new BufferPool();
    withBufferPool(pool, () => allocate('float64', POOLED_LENGTH));
    pool.recycle();
    expect(pool.bytes).toBe(POOLED_LENGTH * 8);
    // A step with other sizes: the old array stays free until the next recycle, then goes.
    withBufferPool(pool, () => allocate('float64', 2 * POOLED_LENGTH));
    pool.recycle();
    expect(pool.bytes).toBe(2 * POOLED_LENGTH * 8);
  });

  it('is active only inside withBufferPool, and nested pools restore the outer one', () => {
    const outer = new BufferPool();
    const inner = new BufferPool();
    withBufferPool(outer, () => {
      withBufferPool(inner, () => allocate('uint8', POOLED_LENGTH));
      allocate('uint8', POOLED_LENGTH);
    });
    allocate('uint8', POOLED_LENGTH);
    expect(inner.bytes).toBe(POOLED_LENGTH);
    expect(outer.bytes).toBe(POOLED_LENGTH);
    expect(() =>
      withBufferPool(outer, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    allocate('uint8', POOLED_LENGTH);
    expect(outer.bytes).toBe(POOLED_LENGTH);
  });
});
