#!/usr/bin/env bash
# The webgpu rows on a GPU machine lent by the `device` tool (see docs/benchmarks.md): one run
# sweeps GEMM tiles, times DeepConvNet's training step at batch 100 (ours at float32, then with
# float16 storage unless --no-f16, then TF.js's webgpu backend), and trains DeepConvNet for the
# book's 20 epochs only when asked. JSON goes to $OUT/gpu-run.json (OUT defaults to ./gpu-out),
# the log to $OUT/gpu-run.log.
#
#   tooling/bench/gpu-run.sh [--tiles 16x4,8x4,16x8] [--gemm 4096] [--batch 100] [--steps 20] [--epochs 20] [--no-tfjs] [--no-f16]
#   tooling/bench/gpu-run.sh --dry          # tiny sizes (gemm 128, batch 8, 2 steps): a check on llvmpipe
#
# Needs node 20+, this repository's node_modules (tsx, webgpu's dawn.node, tfjs) and MNIST for
# --epochs. On a machine without Vulkan loaders, unpack them first (the device README says how);
# Dawn then finds the GPU through Vulkan; without one it falls back to OpenGL ES (llvmpipe), and
# every row says "software adapter".
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-$PWD/gpu-out}"
mkdir -p "$OUT"
args=("$@")
if [[ "${1:-}" == "--dry" ]]; then
  args=(--tiles default,8x4,16x2 --gemm 128 --batch 8 --steps 2 "${@:2}")
fi
{
  echo "gpu-run: $(date -u +%FT%TZ) node $(node --version) on $(uname -n)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  ldconfig -p 2>/dev/null | grep -q libvulkan && echo "vulkan loader: present" || echo "vulkan loader: absent"
} | tee "$OUT/gpu-run.log"
node --conditions=source --import tsx tooling/bench/src/gpu-run.ts "${args[@]}" --out "$OUT/gpu-run.json" 2>&1 \
  | grep -v -e '^Warning: maxDynamic' -e 'BackendVk.cpp' -e '^$' | tee -a "$OUT/gpu-run.log"
