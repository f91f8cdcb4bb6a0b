import { packageProject } from '@dl/vitest-config/project';

// Relaxed SIMD is behind a flag on Node 20: turn it on so the tests cover both WASM builds.
export default packageProject('@dl/tensor', { execArgv: ['--experimental-wasm-relaxed-simd'] });
