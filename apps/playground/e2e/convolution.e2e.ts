import { expect, openPage, saveScreenshot, test } from './fixtures.js';

/**
 * Accuracy on the 1 000 held-out test images the run measures on: above what the 50 steps the page
 * used to train reached, with room below what the 300 steps reach (both measured values are in the
 * playground README) for another backend's rounding.
 */
const MIN_TEST_ACCURACY = 0.85;
/** Mean |change| of the filters in training over their mean |w| at initialisation (the README has the measured value). */
const MIN_RELATIVE_CHANGE = 3;
/** A generous bound on the run (it is no timing test: the machine may be shared). */
const TRAIN_TIMEOUT_S = 400;

test.describe('convolution page', () => {
  test('shows the shipped SimpleConvNet’s filters, and an untrained one’s', async ({ page }) => {
    await openPage(page, 'convolution');
    await expect(page.getByTestId('conv-model')).toHaveValue('shipped:simple-conv-net');
    await expect(page.getByTestId('conv-model-info')).toContainText('simple-conv-net, test accuracy');
    await expect(page.getByTestId('conv-filters').locator('canvas')).toHaveCount(30);
    await saveScreenshot(page, '09-convolution-shipped');
    await page.getByTestId('conv-model').selectOption('fresh');
    await expect(page.getByTestId('conv-model-info')).toContainText('untrained');
    await expect(page.getByTestId('conv-filters').locator('canvas')).toHaveCount(30);
    await expect(page.getByTestId('conv-maps').locator('canvas')).toHaveCount(30);
    await expect(page.getByTestId('conv-maps-info')).toContainText('30 maps of 24×24: Convolution → Relu');
    await page.getByTestId('conv-test-index').fill('1');
    await expect(page.getByText('test image 1 (a 2)')).toBeVisible();
  });

  test('“Train here” trains the book’s SimpleConvNet 300 Adam steps: higher accuracy, new filters', async ({
    page,
  }, testInfo) => {
    test.setTimeout(TRAIN_TIMEOUT_S * 1000 + 60_000);
    await openPage(page, 'convolution');
    await expect(page.getByTestId('conv-train')).toContainText('300 Adam steps');
    const started = Date.now();
    await page.getByTestId('conv-train').click();
    await expect(page.getByTestId('conv-train-status')).toHaveAttribute('data-state', 'done', {
      timeout: TRAIN_TIMEOUT_S * 1000,
    });
    await expect(page.getByTestId('conv-model')).toHaveValue('trained');
    await expect(page.getByTestId('conv-model-info')).toContainText('simple-conv-net, test accuracy');
    const info = (await page.getByTestId('conv-model-info').textContent())!;
    const stats = (await page.getByTestId('conv-filter-stats').textContent())!;
    testInfo.annotations.push({
      type: 'result',
      description: `${info} ${stats} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    });
    console.log(testInfo.annotations.at(-1)!.description);
    const accuracy = Number(/test accuracy (\d+\.\d+)%/.exec(info)![1]) / 100;
    expect(accuracy).toBeGreaterThanOrEqual(MIN_TEST_ACCURACY);
    const [, now, initial, change] =
      /Mean \|w\| of the filters: (\d+\.\d+); at initialisation \(seed 0\): (\d+\.\d+); mean \|change\| in training: (\d+\.\d+)/
        .exec(stats)!
        .map(Number);
    // The untrained filters are N(0, 0.01²): training must move them by several times their size.
    expect(change! / initial!).toBeGreaterThanOrEqual(MIN_RELATIVE_CHANGE);
    expect(now).toBeGreaterThan(initial!);
    await saveScreenshot(page, '09-convolution-trained');
  });
});
