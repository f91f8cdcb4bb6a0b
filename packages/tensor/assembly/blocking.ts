/**
 * GEMM blocking sizes (GotoBLAS scheme). The micro-kernel computes an MR×NR tile of C in registers;
 * a KC-deep slice of op(A) (MC rows, MC·KC·4 = 128 KiB) stays in L2 while each KC×NR micro-panel of
 * op(B) (8 KiB) stays in L1. NC bounds the packed op(B) block.
 */
export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 4096;
/**
 * Up to this size the whole K depth of the op(B) block is packed once, and each MC block of op(A)
 * then runs through every K slice while its rows are hot in cache (C's block stays hot too). Slicing
 * K first (the textbook order) packs A in strips of whole-matrix height, reading half of every row
 * of a tall im2col matrix: much slower than reading whole rows, and the conv GEMMs ran about twice
 * as fast with this order (docs/benchmarks.md, "Measurements behind choices in the code").
 */
export const RESIDENT_B_BYTES: usize = 8 << 20;
