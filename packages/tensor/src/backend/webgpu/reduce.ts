import type { ReduceArgs, ReduceOp } from '../kernels.js';
import type { GpuArray, GpuDType } from './buffers.js';
import { linearMain, needDType, needLength, wgslType } from './check.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';

/**
 * Reductions of the middle axis of `[outer, length, inner]`, deterministic and without atomics:
 * a long axis (≥ 64) gets a workgroup per output, whose 64 invocations each fold a strided share in
 * order and then combine pairwise in a fixed tree (float32 sums so round about log2(length) times
 * less than a running sum); a short one gets an invocation per output folding in order. max/min/
 * argmax/argmin keep the js semantics whatever the order: the first NaN wins and stays, and among
 * equal values the lowest index wins (each candidate carries its index). int32 and uint8 sums wrap
 * as an integer array stores them; uint8 results are written four per invocation (packed words).
 */

const WG = 64;

/** WGSL: is candidate (v2, i2) preferred over (v1, i1)? The op's order, NaN first, then the lower index. */
function preferSource(op: ReduceOp, t: string): string {
  const cmp = op === 'max' || op === 'argmax' ? '>' : '<';
  const nan =
    t === 'f32'
      ? `  let n1 = is_nan(v1);
  let n2 = is_nan(v2);
  if (n1 || n2) { return select(n2, i2 < i1, n1 && n2); }\n`
      : '';
  return `fn prefer(v2: ${t}, i2: u32, v1: ${t}, i1: u32) -> bool {
${nan}  if (v2 == v1) { return i2 < i1; }
  return v2 ${cmp} v1;
}`;
}

export type GpuReduceArgs = Omit<ReduceArgs, 'x' | 'out'> & { x: GpuArray; out: GpuArray };

export function createReduce(rt: GpuRuntime): (args: GpuReduceArgs) => void {
  const specs = new Map<string, KernelSpec>();

  function spec(op: ReduceOp, dtype: GpuDType, wide: boolean): KernelSpec {
    const key = `reduce ${op} ${dtype} ${wide ? 'workgroup' : 'thread'}`;
    const cached = specs.get(key);
    if (cached) return cached;
    const t = wgslType(dtype);
    const isArg = op === 'argmax' || op === 'argmin';
    const outDtype: GpuDType = isArg ? 'int32' : dtype;
    const wrap = dtype === 'uint8' ? ' & 255u' : '';
    // What an empty reduction writes (the js kernel: 0 for sums and indices, NaN for a float max).
    const empty = op === 'sum' || isArg || dtype !== 'float32' ? `${t}(0)` : 'nan_f32()';
    const fold: (acc: string, v: string, i: string, accI: string) => string =
      op === 'sum'
        ? (acc: string, v: string): string => `${acc} = (${acc} + ${v})${wrap};`
        : (acc: string, v: string, i: string, accI: string): string =>
            `if (prefer(${v}, ${i}, ${acc}, ${accI})) { ${acc} = ${v}; ${accI} = ${i}; }`;
    const result = (acc: string, accI: string): string => (isArg ? `i32(${accI})` : acc);
    let body: string;
    if (wide) {
      body = `var<workgroup> vals: array<${t}, ${WG}>;
var<workgroup> idxs: array<u32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= P.count) { return; } // workgroup-uniform: the barriers below stay legal
  let t = lid.x;
  let base = (o / P.inner) * P.length * P.inner + o % P.inner;
  var acc: ${t} = x_ld(base + min(t, P.length - 1u) * P.inner);
  var accI = min(t, P.length - 1u);
  ${op === 'sum' ? `if (t >= P.length) { acc = ${t}(0); }` : ''}
  for (var k = t + ${WG}u; k < P.length; k += ${WG}u) {
    let v = x_ld(base + k * P.inner);
    ${fold('acc', 'v', 'k', 'accI')}
  }
  vals[t] = acc;
  idxs[t] = accI;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) {
      let v = vals[t + s];
      let k = idxs[t + s];
      var a = vals[t];
      var aI = idxs[t];
      ${fold('a', 'v', 'k', 'aI')}
      vals[t] = a;
      idxs[t] = aI;
    }
    workgroupBarrier();
  }
  if (t == 0u) { out_st(o, ${result('vals[0]', 'idxs[0]')}); }
}`;
    } else {
      const one = (o: string): string => `fn reduce_one(${o}: u32) -> ${wgslType(outDtype)} {
  if (P.length == 0u) { return ${isArg ? '0' : empty}; }
  let base = (${o} / P.inner) * P.length * P.inner + ${o} % P.inner;
  var acc = x_ld(base);
  var accI = 0u;
  for (var k = 1u; k < P.length; k++) {
    let v = x_ld(base + k * P.inner);
    ${fold('acc', 'v', 'k', 'accI')}
  }
  return ${result('acc', 'accI')};
}`;
      body =
        one('o') +
        '\n' +
        linearMain(
          outDtype === 'uint8'
            ? `  var w = 0u;
  for (var k = 0u; k < 4u; k++) {
    let o = i * 4u + k;
    if (o < P.count) { w = w | (reduce_one(o) << (k * 8u)); }
  }
  out_stw(i, w);`
            : '  out_st(i, reduce_one(i));',
          WG,
        );
    }
    const s: KernelSpec = {
      name: `reduce ${op}`,
      key,
      bindings: [
        { name: 'x', access: 'read', dtype },
        { name: 'out', access: 'write', dtype: outDtype },
      ],
      params: [
        ['n', 'u32'],
        ['count', 'u32'],
        ['length', 'u32'],
        ['inner', 'u32'],
      ],
      body: (op === 'sum' ? '' : preferSource(op, t)) + '\n' + body,
    };
    specs.set(key, s);
    return s;
  }

  return ({ op, x, outer, length, inner, out }) => {
    const kernel = `reduce ${op}`;
    const isArg = op === 'argmax' || op === 'argmin';
    needDType(kernel, 'out', out, isArg ? 'int32' : x.dtype);
    const count = outer * inner;
    needLength(kernel, 'x', x, outer * length * inner);
    needLength(kernel, 'out', out, count);
    if (count === 0) return;
    const wide = length >= WG && x.dtype !== 'uint8';
    const words = !isArg && x.dtype === 'uint8';
    const n = words ? Math.ceil(count / 4) : count;
    const s = spec(op, x.dtype, wide);
    rt.dispatch(s, [x, out], { n, count, length, inner }, wide ? rt.grid(count, 1) : rt.grid(n, WG));
  };
}
