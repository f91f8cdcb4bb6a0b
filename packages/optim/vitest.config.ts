import { packageProject } from '@dl/vitest-config/project';

// Relaxed SIMD is behind a flag on Node 20: turn it on so the fused-kernel conformance covers both
// WASM builds.
export default packageProject('@dl/optim', { execArgv: ['--experimental-wasm-relaxed-simd'] });
