import { expect, openPage, saveScreenshot, test } from './fixtures.js';
import { CHROMIUM, WEBGPU_ARGS } from './paths.js';

// The chapter 8 page on WebGPU in Chromium (a SwiftShader adapter here: see webgpu.e2e.ts). Where the
// browser offers no WebGPU this test FAILS with the page's reason; DL_WEBGPU=off skips it on purpose.
const enabled = process.env.DL_WEBGPU !== 'off';

test.use({ launchOptions: { executablePath: CHROMIUM, args: [...WEBGPU_ARGS] } });

test.describe('deep learning page on WebGPU', () => {
  test.skip(!enabled, 'DL_WEBGPU=off');

  test('the deep learning page measures DeepConvNet on WebGPU beside js and wasm', async ({
    page,
  }, testInfo) => {
    test.setTimeout(300_000);
    await openPage(page, 'deep-learning');
    await expect(page.getByTestId('deep-model-info')).toContainText('test accuracy');
    const webgpu = page.locator('[data-testid="deep-bench-table"] tr[data-backend="webgpu"]');
    await expect(webgpu.locator('td').nth(1)).not.toHaveText('–');
    expect(
      await webgpu.getAttribute('data-unavailable'),
      `this Chromium offers no WebGPU: ${await webgpu.locator('td').nth(1).textContent()}`,
    ).toBeNull();
    // A batch of 10: a software adapter takes about a second for it.
    await page.getByTestId('deep-bench-batch').selectOption('10');
    await page.getByTestId('deep-bench-run').click();
    await expect(page.getByTestId('deep-bench-status')).toContainText('Measured 3 backends', {
      timeout: 240_000,
    });
    const rates: Record<string, number> = {};
    for (const backend of ['js', 'wasm', 'webgpu']) {
      const row = page.locator(`[data-testid="deep-bench-table"] tr[data-backend="${backend}"]`);
      rates[backend] = Number(await row.getAttribute('data-images-per-second'));
      expect(rates[backend]).toBeGreaterThan(0);
      // Every backend classifies the first test images alike: all or nearly all correct.
      expect(Number((await row.locator('td').nth(5).textContent())!.replace('%', ''))).toBeGreaterThanOrEqual(
        90,
      );
    }
    await expect(webgpu.locator('td').nth(1)).toContainText('webgpu on ');
    testInfo.annotations.push({
      type: 'result',
      description: `DeepConvNet inference, images/s at batch 10: ${Object.entries(rates)
        .map(([b, r]) => `${b} ${r.toFixed(1)}`)
        .join(', ')} (${await webgpu.locator('td').nth(1).textContent()})`,
    });
    console.log(testInfo.annotations.at(-1)!.description);
    await saveScreenshot(page, 'deep-learning-webgpu');
  });
});
