import { expect, openPage, saveScreenshot, test } from './fixtures.js';

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

  test('trains a SimpleConvNet in the worker and shows its filters', async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await openPage(page, 'convolution');
    const started = Date.now();
    await page.getByTestId('conv-train').click();
    await expect(page.getByTestId('conv-train-status')).toHaveAttribute('data-state', 'done', {
      timeout: 150_000,
    });
    await expect(page.getByTestId('conv-model')).toHaveValue('trained');
    await expect(page.getByTestId('conv-model-info')).toContainText('simple-conv-net, test accuracy');
    const info = await page.getByTestId('conv-model-info').textContent();
    testInfo.annotations.push({
      type: 'result',
      description: `${info} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    });
    console.log(testInfo.annotations.at(-1)!.description);
    await saveScreenshot(page, '09-convolution-trained');
  });
});
