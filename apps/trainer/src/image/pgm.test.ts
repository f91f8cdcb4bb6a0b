import { describe, expect, it } from 'vitest';
import { decodePgm } from './pgm.js';

describe('PGM', () => {
  it('reads binary and plain PGM with comments and 16-bit values', () => {
    const p5 = decodePgm(Buffer.concat([Buffer.from('P5 # c\n2 1\n255\n'), Buffer.from([0, 200])]));
    expect([...p5.data]).toEqual([0, 200]);
    const p2 = decodePgm(Buffer.from('P2\n2 2\n# max\n15\n0 15\n5 10\n'));
    expect([...p2.data]).toEqual([0, 255, 85, 170]);
    const wide = decodePgm(Buffer.concat([Buffer.from('P5\n1 1\n65535\n'), Buffer.from([0xff, 0xff])]));
    expect([...wide.data]).toEqual([255]);
    expect(() => decodePgm(Buffer.from('P5\n4 4\n255\n'), 'short.pgm')).toThrow(/short\.pgm: truncated/);
  });
});
