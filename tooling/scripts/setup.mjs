#!/usr/bin/env node
// Installs what the tests need beyond npm packages, from Debian, in one apt-get call: Chromium for
// the playground's browser tests (Playwright drives it; `playwright install` cannot download
// browsers here), and PyTorch + ONNX for the export tests (`@dl/layers/export`: the ONNX checker,
// the generated PyTorch module and its DistributedDataParallel script). Idempotent: what is there
// is skipped; Mesa's EGL and OpenGL ES for the webgpu tests on a software adapter. The tests run Python as /usr/bin/python3, the interpreter Debian's packages are for.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const wanted = [];

const chromium = '/usr/bin/chromium';
if (!existsSync(join('apps', 'playground', 'playwright.config.ts'))) {
  console.log('setup: no browser tests in this checkout, Chromium not needed');
} else if (existsSync(chromium)) {
  console.log(`setup: ${chromium} is installed`);
} else {
  wanted.push('chromium');
}

const pythonHas = (modules) =>
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
// Dawn (npm `webgpu`) runs the webgpu backend's tests on Mesa's llvmpipe through EGL + OpenGL ES.
const libs = '/usr/lib/x86_64-linux-gnu';
if (
  process.arch !== 'x64' ||
  (existsSync(join(libs, 'libEGL_mesa.so.0')) && existsSync(join(libs, 'libGLESv2.so.2')))
) {
  console.log('setup: Mesa EGL and OpenGL ES are installed (or not an x64 Debian)');
} else {
  wanted.push('libegl1', 'libegl-mesa0', 'libgles2', 'libgl1-mesa-dri');
}

if (pythonHas('torch, onnx, numpy')) {
  console.log(`setup: torch, onnx and numpy are importable by ${PYTHON}`);
} else {
  wanted.push('python3-torch', 'python3-onnx', 'python3-numpy');
}

if (wanted.length === 0) process.exit(0);
if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
  console.error(
    `setup: the tests need ${wanted.join(', ')} (Debian package names); install them with your package manager`,
  );
  process.exit(1);
}
const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
const step = (args) => {
  const [cmd, ...rest] = [...asRoot, ...args];
  const r = spawnSync(cmd, rest, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
console.log(`setup: installing Debian ${wanted.join(' ')} for the tests`);
const began = Date.now();
step(['apt-get', 'update', '-qq']);
step(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...wanted]);
console.log(`setup: apt-get took ${((Date.now() - began) / 1000).toFixed(0)} s`);
