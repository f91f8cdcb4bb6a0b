import type { ActivationOp, BinaryArgs, BinaryOp, UnaryOp } from '../kernels.js';
import { collapseBroadcast } from '../wasm/broadcast.js';
import type { GpuArray, GpuDType } from './buffers.js';
import { linearMain, needDType, needLength, wgslType } from './check.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';

/**
 * Elementwise kernels: unary ops, binary ops with broadcasting, the activation layers' forward and
 * backward. One invocation per element (per 4-element word for uint8 results). float32 follows the
 * js kernels' IEEE semantics explicitly where WGSL leaves them open: NaN is detected from its bits,
 * `log`/`sqrt` of negatives give NaN, `pow` follows JavaScript's `**`. int32 and uint8 arithmetic
 * wraps, as storing into an Int32Array or a Uint8Array does; the js kernel computes in float64
 * first, so the two differ only where a product or a power passes 2^53 (where float64 rounds).
 * Integer division by 0 gives 0, as `trunc(a / 0)` stored in an integer array does.
 */

const FLOAT_UNARY: Record<UnaryOp, string> = {
  neg: '-v',
  abs: 'abs(v)',
  exp: 'exp(v)',
  log: 'log_js(v)',
  sqrt: 'sqrt_js(v)',
  square: 'v * v',
  tanh: 'tanh_js(v)',
  sign: 'sign_js(v)',
  reciprocal: '1.0 / v',
};

const FLOAT_FUNCTIONS = `
fn log_js(v: f32) -> f32 {
  if (is_nan(v)) { return v; }
  if (v < 0.0) { return nan_f32(); }
  if (v == 0.0) { return -inf_f32(); }
  return log(v);
}
fn sqrt_js(v: f32) -> f32 {
  if (is_nan(v) || v == 0.0) { return v; }
  if (v < 0.0) { return nan_f32(); }
  return sqrt(v);
}
fn tanh_js(v: f32) -> f32 {
  // Not the built-in: llvmpipe's loses all accuracy near 0 (tanh(1e-30) = 3e-8). Cephes' tanhf:
  // a polynomial below 0.625, 1 - 2 / (e^2|x| + 1) above; ±1 beyond 9.5, where float32 rounds it.
  if (is_nan(v)) { return v; }
  let z = abs(v);
  if (z > 9.5) { return sign(v); }
  if (z < 0.625) {
    let s = v * v;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s + 1.33314422036e-1) * s
      - 3.33332819422e-1) * s * v + v;
  }
  let t = 1.0 - 2.0 / (exp(2.0 * z) + 1.0);
  return select(t, -t, v < 0.0);
}
fn sign_js(v: f32) -> f32 {
  if (is_nan(v) || v == 0.0) { return v; }
  return select(-1.0, 1.0, v > 0.0);
}
fn pow_js(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let ab = abs(a);
  if (ab == 1.0 && abs(b) == inf_f32()) { return nan_f32(); }
  if (a == 0.0) {
    // ±0 to a power: an odd integer keeps the zero's sign.
    let odd = b == trunc(b) && abs(b) < 16777216.0 && (i32(b) & 1) == 1;
    let negative = (bitcast<u32>(a) & 0x80000000u) != 0u;
    let r = select(0.0, inf_f32(), b < 0.0);
    return select(r, -r, odd && negative);
  }
  if (abs(b) == inf_f32()) {
    if ((ab > 1.0) == (b > 0.0)) { return inf_f32(); }
    return 0.0;
  }
  if (abs(a) == inf_f32()) {
    let odd = b == trunc(b) && abs(b) < 16777216.0 && (i32(b) & 1) == 1;
    let r = select(0.0, inf_f32(), b > 0.0);
    return select(r, -r, odd && a < 0.0);
  }
  if (a < 0.0) {
    if (b != trunc(b)) { return nan_f32(); }
    let p = exp2(b * log2(ab));
    let odd = abs(b) < 16777216.0 && (i32(b) & 1) == 1;
    return select(p, -p, odd);
  }
  return exp2(b * log2(a));
}
fn max_js(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return select(b, a, a > b || (a == b && (bitcast<u32>(a) & 0x80000000u) == 0u));
}
fn min_js(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return select(b, a, a < b || (a == b && (bitcast<u32>(a) & 0x80000000u) != 0u));
}
fn ordered(a: f32, b: f32) -> bool { return !is_nan(a) && !is_nan(b); }
`;

/** Integer power by squaring, wrapping like the 32-bit integer it is stored in. */
const INT_POW = (t: 'i32' | 'u32'): string => `
fn pow_int(a: ${t}, b: ${t}) -> ${t} {${
  t === 'i32'
    ? `
  if (b < 0) {
    // a^-n truncates to 0 unless |a| = 1 (JavaScript's trunc(1 / a^n) stored as an integer).
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) == 1); }
    return 0;
  }`
    : ''
}
  var result: ${t} = 1;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}`;

const COMPARISONS: Partial<Record<BinaryOp, string>> = {
  equal: '==',
  notEqual: '!=',
  greater: '>',
  greaterEqual: '>=',
  less: '<',
  lessEqual: '<=',
};

function isComparison(op: BinaryOp): boolean {
  return COMPARISONS[op] !== undefined;
}

/** The WGSL expression of a binary op on `a` and `b` of one element type (comparisons give bool). */
function binaryExpression(op: BinaryOp, dtype: GpuDType): string {
  const cmp = COMPARISONS[op];
  if (dtype === 'float32') {
    if (cmp) {
      // Every comparison with NaN is false, except notEqual.
      return op === 'notEqual' ? '!(ordered(a, b) && a == b)' : `ordered(a, b) && a ${cmp} b`;
    }
    const exprs: Partial<Record<BinaryOp, string>> = {
      add: 'a + b',
      sub: 'a - b',
      mul: 'a * b',
      div: 'a / b',
      pow: 'pow_js(a, b)',
      maximum: 'max_js(a, b)',
      minimum: 'min_js(a, b)',
    };
    return exprs[op]!;
  }
  if (cmp) return `a ${cmp} b`;
  const mask = dtype === 'uint8' ? ' & 255u' : '';
  const exprs: Partial<Record<BinaryOp, string>> = {
    add: `(a + b)${mask}`,
    sub: `(a - b)${mask}`,
    mul: `(a * b)${mask}`,
    div: `select(a / select(b, 1, b == 0), 0, b == 0)`,
    pow: `pow_int(a, b)${mask}`,
    maximum: 'max(a, b)',
    minimum: 'min(a, b)',
  };
  return exprs[op]!;
}

const INT_UNARY: Partial<Record<UnaryOp, [string, string]>> = {
  // [int32, uint8]
  neg: ['-v', '(0u - v) & 255u'],
  abs: ['abs(v)', 'v'],
  square: ['v * v', '(v * v) & 255u'],
  sign: ['sign(v)', 'min(v, 1u)'],
};

/** The elementwise kernels, bound to one runtime. */
export function createElementwise(rt: GpuRuntime): {
  unary: (op: UnaryOp, x: GpuArray, out: GpuArray) => void;
  binary: (args: Omit<BinaryArgs, 'a' | 'b' | 'out'> & { a: GpuArray; b: GpuArray; out: GpuArray }) => void;
  activation: (op: ActivationOp, x: GpuArray, out: GpuArray) => void;
  activationBackward: (op: ActivationOp, saved: GpuArray, dout: GpuArray, dx: GpuArray) => void;
} {
  const specs = new Map<string, KernelSpec>();
  const spec = (key: string, make: () => KernelSpec): KernelSpec => {
    let s = specs.get(key);
    if (!s) specs.set(key, (s = make()));
    return s;
  };

  function unary(op: UnaryOp, x: GpuArray, out: GpuArray): void {
    const kernel = `unary ${op}`;
    needDType(kernel, 'out', out, x.dtype);
    needLength(kernel, 'out', out, x.length);
    const dtype = x.dtype;
    let expr: string;
    if (dtype === 'float32') expr = FLOAT_UNARY[op];
    else {
      const pair = INT_UNARY[op];
      if (!pair) throw new TypeError(`webgpu ${kernel}: ${dtype} is not supported (float32 only for ${op})`);
      expr = dtype === 'int32' ? pair[0] : pair[1];
    }
    const words = dtype === 'uint8';
    const s = spec(`unary ${op} ${dtype}`, () => ({
      name: kernel,
      key: `unary ${op} ${dtype}`,
      bindings: [
        { name: 'x', access: 'read', dtype },
        { name: 'out', access: 'write', dtype },
      ],
      params: [
        ['n', 'u32'],
        ['len', 'u32'],
      ],
      body:
        (dtype === 'float32' ? FLOAT_FUNCTIONS : '') +
        `fn f(v: ${wgslType(dtype)}) -> ${wgslType(dtype)} { return ${expr}; }\n` +
        linearMain(
          words
            ? `  var w = 0u;
  for (var k = 0u; k < 4u; k++) {
    let e = i * 4u + k;
    if (e < P.len) { w = w | (f(x_ld(e)) << (k * 8u)); }
  }
  out_stw(i, w);`
            : '  out_st(i, f(x_ld(i)));',
        ),
    }));
    const n = words ? Math.ceil(x.length / 4) : x.length;
    rt.dispatch(s, [x, out], { n, len: x.length }, rt.grid(n, 64));
  }

  function binary(
    args: Omit<BinaryArgs, 'a' | 'b' | 'out'> & { a: GpuArray; b: GpuArray; out: GpuArray },
  ): void {
    const { op, a, b, out, outShape } = args;
    const kernel = `binary ${op}`;
    if (a.dtype !== b.dtype)
      throw new TypeError(`webgpu ${kernel}: dtypes differ: ${a.dtype} and ${b.dtype}`);
    const dtype = a.dtype;
    const outDtype: GpuDType = isComparison(op) ? 'uint8' : dtype;
    needDType(kernel, 'out', out, outDtype);
    const total = outShape.reduce((n, d) => n * d, 1);
    needLength(kernel, 'out', out, total);
    if (total === 0) return;
    const view = collapseBroadcast(outShape, args.aStrides, args.bStrides);
    const rank = view.shape.length;
    if (rank > 8) {
      throw new RangeError(`webgpu ${kernel}: ${rank} broadcast axes after merging; at most 8 are supported`);
    }
    let reachA = 0;
    let reachB = 0;
    for (let d = 0; d < rank; d++) {
      reachA += (view.shape[d]! - 1) * view.aStrides[d]!;
      reachB += (view.shape[d]! - 1) * view.bStrides[d]!;
    }
    needLength(kernel, 'a', a, reachA + 1);
    needLength(kernel, 'b', b, reachB + 1);
    const t = wgslType(dtype);
    const words = outDtype === 'uint8';
    const store = isComparison(op) ? 'select(0u, 1u, g(a_ld(o.x), b_ld(o.y)))' : 'g(a_ld(o.x), b_ld(o.y))';
    const s = spec(`binary ${op} ${dtype}`, () => ({
      name: kernel,
      key: `binary ${op} ${dtype}`,
      bindings: [
        { name: 'a', access: 'read', dtype },
        { name: 'b', access: 'read', dtype },
        { name: 'out', access: 'write', dtype: outDtype },
      ],
      params: [
        ['n', 'u32'],
        ['len', 'u32'],
        ['rank', 'u32'],
        ['shape', { vec4u: 2 }],
        ['sa', { vec4u: 2 }],
        ['sb', { vec4u: 2 }],
      ],
      body: `${dtype === 'float32' ? FLOAT_FUNCTIONS : op === 'pow' ? INT_POW(t as 'i32' | 'u32') : ''}
fn g(a: ${t}, b: ${t}) -> ${isComparison(op) ? 'bool' : t} { return ${binaryExpression(op, dtype)}; }
fn offsets(i: u32) -> vec2u {
  var rem = i;
  var o = vec2u(0u, 0u);
  for (var d = i32(P.rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let size = P.shape[k >> 2u][k & 3u];
    let c = rem % size;
    rem = rem / size;
    o += c * vec2u(P.sa[k >> 2u][k & 3u], P.sb[k >> 2u][k & 3u]);
  }
  return o;
}
${linearMain(
  words
    ? `  var w = 0u;
  for (var k = 0u; k < 4u; k++) {
    let e = i * 4u + k;
    if (e < P.len) { let o = offsets(e); w = w | (${store} << (k * 8u)); }
  }
  out_stw(i, w);`
    : `  let o = offsets(i);
  out_st(i, ${store});`,
)}`,
    }));
    const n = words ? Math.ceil(total / 4) : total;
    rt.dispatch(
      s,
      [a, b, out],
      { n, len: total, rank, shape: view.shape, sa: view.aStrides, sb: view.bStrides },
      rt.grid(n, 64),
    );
  }

  function activation(op: ActivationOp, x: GpuArray, out: GpuArray): void {
    const kernel = `activation ${op}`;
    needDType(kernel, 'x', x, 'float32');
    needDType(kernel, 'out', out, 'float32');
    needLength(kernel, 'out', out, x.length);
    const expr =
      op === 'relu'
        ? 'select(v, 0.0, !is_nan(v) && v <= 0.0)'
        : // Never exp of a large positive number: e^x / (1 + e^x) for negative x.
          'select(exp(v) / (1.0 + exp(v)), 1.0 / (1.0 + exp(-v)), v >= 0.0)';
    const s = spec(kernel, () => ({
      name: kernel,
      key: kernel,
      bindings: [
        { name: 'x', access: 'read', dtype: 'float32' },
        { name: 'out', access: 'write', dtype: 'float32' },
      ],
      params: [['n', 'u32']],
      body: linearMain(`  let v = x_ld(i);\n  out_st(i, ${expr});`),
    }));
    rt.dispatch(s, [x, out], { n: x.length }, rt.grid(x.length, 64));
  }

  function activationBackward(op: ActivationOp, saved: GpuArray, dout: GpuArray, dx: GpuArray): void {
    const kernel = `activationBackward ${op}`;
    for (const [name, a] of [
      ['saved', saved],
      ['dout', dout],
      ['dx', dx],
    ] as const) {
      needDType(kernel, name, a, 'float32');
      needLength(kernel, name, a, dout.length);
    }
    const expr =
      op === 'relu'
        ? 'select(d, 0.0, !is_nan(y) && y <= 0.0)' // the book's mask: 0 where the input was <= 0
        : 'd * (1.0 - y) * y';
    const s = spec(kernel, () => ({
      name: kernel,
      key: kernel,
      bindings: [
        { name: 'saved', access: 'read', dtype: 'float32' },
        { name: 'dout', access: 'read', dtype: 'float32' },
        { name: 'dx', access: 'write', dtype: 'float32' },
      ],
      params: [['n', 'u32']],
      body: linearMain(`  let y = saved_ld(i);\n  let d = dout_ld(i);\n  dx_st(i, ${expr});`),
    }));
    rt.dispatch(s, [saved, dout, dx], { n: dout.length }, rt.grid(dout.length, 64));
  }

  return { unary, binary, activation, activationBackward };
}
