import { describe, expect, it } from 'vitest';
import { CHAPTERS, isUnknownHash, routeForHash, ROUTES } from './routes.js';

describe('hash routes', () => {
  it('maps #/path to its page and the empty hash to home', () => {
    expect(routeForHash('#/perceptron')?.title).toBe('Perceptron');
    expect(routeForHash('#/train/')?.path).toBe('train');
    expect(routeForHash('#perceptron')?.path).toBe('perceptron');
    for (const h of ['', '#', '#/']) {
      expect(routeForHash(h)).toBeNull();
      expect(isUnknownHash(h)).toBe(false);
    }
  });

  it('tells unknown pages apart from home', () => {
    expect(routeForHash('#/nope')).toBeNull();
    expect(isUnknownHash('#/nope')).toBe(true);
  });

  it('has unique paths, in the order of the book’s chapters', () => {
    expect(new Set(ROUTES.map((r) => r.path)).size).toBe(ROUTES.length);
    const chapters = ROUTES.map((r) => r.chapter);
    expect(chapters).toEqual([...chapters].sort((a, b) => a - b));
    for (const r of ROUTES) expect(CHAPTERS[r.chapter]).toBeTruthy();
  });
});
