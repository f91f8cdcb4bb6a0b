import type { Locator, Page } from '@playwright/test';
import { expect, openPage, saveScreenshot, test } from './fixtures.js';
import { CHROMIUM, WEBGPU_ARGS } from './paths.js';

// The playground's GPU path in Chromium: `--enable-unsafe-webgpu` (and no `--disable-gpu`) gives a
// SwiftShader adapter here, a software one (~0.1-0.3 GFLOP/s), so the runs are small. Where the
// browser offers no WebGPU these tests FAIL with the page's reason, as the Node webgpu tests do;
// DL_WEBGPU=off skips them on purpose.
const enabled = process.env.DL_WEBGPU !== 'off';

// Top-level: other launch options need a browser (and a Playwright worker) of their own.
test.use({ launchOptions: { executablePath: CHROMIUM, args: [...WEBGPU_ARGS] } });

/** A small run: TwoLayerNet 784-50-10, Momentum lr 0.1, 2 epochs of 1 000 images (20 steps), seed 0. */
async function smallRun(page: Page, backend: 'wasm' | 'webgpu'): Promise<void> {
  await page.getByTestId('train-backend').selectOption(backend);
  await page.getByTestId('train-size').selectOption('1000');
  await page.getByTestId('train-test-size').selectOption('1000');
  await page.getByTestId('train-epochs').fill('2');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('stat-step')).toHaveText('20 / 20');
}

async function losses(page: Page): Promise<{ first: number; last: number; acc: number }> {
  const loss = page.getByTestId('stat-loss');
  return {
    first: Number(await loss.getAttribute('data-first')),
    last: Number(await loss.getAttribute('data-last')),
    acc: Number(await page.getByTestId('stat-accuracy').getAttribute('data-final')),
  };
}

/** Fails, naming the page's reason, unless the page found a WebGPU adapter. */
async function requireWebGpu(note: Locator): Promise<void> {
  await expect(note).toHaveAttribute('data-available', /true|false/);
  const available = await note.getAttribute('data-available');
  expect(available, `this Chromium offers no WebGPU: ${await note.textContent()}`).toBe('true');
}

test.describe('WebGPU in Chromium', () => {
  test.skip(!enabled, 'DL_WEBGPU=off');

  test('the train page trains on WebGPU: the loss falls, as on wasm, and the page says so', async ({
    page,
  }, testInfo) => {
    test.setTimeout(360_000);
    await openPage(page, 'train');
    // WebGPU is offered, never the default.
    const note = page.getByTestId('train-webgpu-note');
    await requireWebGpu(note);
    await expect(page.getByTestId('train-backend')).toHaveValue('auto');

    await smallRun(page, 'wasm');
    const onWasm = await losses(page);
    // A fresh page (and session): the wasm run's 'done' and numbers must not stand for the next run's.
    await page.reload();
    await expect(page.locator('main#page')).toHaveAttribute('data-page', 'train');
    await requireWebGpu(note);
    await expect(page.getByTestId('train-status')).not.toHaveAttribute('data-state', 'done');
    await smallRun(page, 'webgpu');
    const onGpu = await losses(page);
    const backend = page.getByTestId('stat-backend');
    await expect(backend).toContainText('webgpu on ');
    if ((await note.textContent())!.includes('software')) {
      await expect(page.getByTestId('train-backend-warning')).toBeVisible();
      await expect(page.getByTestId('train-backend-warning')).toContainText('software');
    }
    testInfo.annotations.push({
      type: 'result',
      description:
        `${await backend.textContent()}: loss ${onGpu.first.toFixed(4)} → ${onGpu.last.toFixed(4)}, ` +
        `test accuracy ${(onGpu.acc * 100).toFixed(1)}% (wasm: ${onWasm.first.toFixed(4)} → ${onWasm.last.toFixed(4)}, ` +
        `${(onWasm.acc * 100).toFixed(1)}%); ${await page.getByTestId('stat-rate').textContent()} images/s`,
    });
    console.log(testInfo.annotations.at(-1)!.description);
    expect(onGpu.last).toBeLessThan(onGpu.first);
    // The same seed gives the same run on both backends, up to float rounding.
    expect(Math.abs(onGpu.first - onWasm.first)).toBeLessThan(1e-3);
    expect(Math.abs(onGpu.last - onWasm.last)).toBeLessThan(5e-3);
    expect(Math.abs(onGpu.acc - onWasm.acc)).toBeLessThanOrEqual(0.01);
    await saveScreenshot(page, 'train-webgpu');

    // The network trained on the GPU was read back and is offered on the draw page.
    await page.locator('#nav a', { hasText: 'Draw a digit' }).click();
    await expect(page.getByTestId('draw-model')).toHaveValue('trained');
  });
});
