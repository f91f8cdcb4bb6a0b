import { expect, openPage, saveScreenshot, test } from './fixtures.js';

/**
 * What the shipped DeepConvNet must do on the first 1 000 test images with float32 weights, and how
 * many points 16-bit weights may lose there (float16 keeps 10 mantissa bits, bfloat16 7).
 */
const MIN_ACCURACY = 0.98;
const MAX_LOSS_POINTS = { float16: 0.2, bfloat16: 1 } as const;

test.describe('deep learning page (chapter 8)', () => {
  test('DeepConvNet classifies test digits, on js and wasm side by side, with 16-bit weights', async ({
    page,
  }, testInfo) => {
    test.setTimeout(240_000);
    await openPage(page, 'deep-learning');
    await expect(page.getByTestId('deep-model-info')).toContainText('parameters');
    await expect(page.getByTestId('deep-model-info')).toContainText(/test accuracy \d+\.\d%/);
    await expect(page.getByTestId('deep-digits').locator('canvas')).toHaveCount(20);
    const summary = page.getByTestId('deep-digits-summary');
    await expect(summary).toHaveAttribute('data-correct', /\d+/);
    expect(Number(await summary.getAttribute('data-correct'))).toBeGreaterThanOrEqual(19);
    await page.getByTestId('deep-digits-start').fill('20');
    await expect(summary).toContainText('Test images 20–39');

    await page.getByTestId('deep-bench-run').click();
    const status = page.getByTestId('deep-bench-status');
    await expect(status).toContainText(/Measured [23] backends/, { timeout: 120_000 });
    const rate = async (backend: string): Promise<number> =>
      Number(
        await page
          .locator(`[data-testid="deep-bench-table"] tr[data-backend="${backend}"]`)
          .getAttribute('data-images-per-second'),
      );
    const [js, wasm] = [await rate('js'), await rate('wasm')];
    expect(js).toBeGreaterThan(0);
    expect(wasm).toBeGreaterThan(0);

    await page.getByTestId('deep-precision-run').click();
    await expect(page.getByTestId('deep-precision-status')).toContainText('Accuracy on the first 1,000', {
      timeout: 120_000,
    });
    const accuracy = async (precision: string): Promise<number> =>
      Number(
        await page
          .locator(`[data-testid="deep-precision-table"] tr[data-precision="${precision}"]`)
          .getAttribute('data-accuracy'),
      );
    const exact = await accuracy('float32');
    const f16 = await accuracy('float16');
    const bf16 = await accuracy('bfloat16');
    testInfo.annotations.push({
      type: 'result',
      description:
        `DeepConvNet inference: js ${js.toFixed(1)}, wasm ${wasm.toFixed(1)} images/s; ` +
        `accuracy on 1000 test images: float32 ${(exact * 100).toFixed(2)}%, float16 ${(f16 * 100).toFixed(2)}%, bfloat16 ${(bf16 * 100).toFixed(2)}%`,
    });
    console.log(testInfo.annotations.at(-1)!.description);
    expect(exact).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect((exact - f16) * 100).toBeLessThanOrEqual(MAX_LOSS_POINTS.float16);
    expect((exact - bf16) * 100).toBeLessThanOrEqual(MAX_LOSS_POINTS.bfloat16);
    await saveScreenshot(page, 'deep-learning');
  });
});
