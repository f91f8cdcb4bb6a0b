import { expect, openPage, test } from './fixtures.js';

test.describe('the other pages react to their controls', () => {
  test('weight initialisation: Xavier keeps sigmoid spread, 0.01 collapses ReLU', async ({ page }) => {
    await openPage(page, 'weight-init');
    const verdict = page.getByTestId('init-verdict');
    await expect(verdict).toHaveAttribute('data-health', 'saturated');
    await page.getByTestId('init-scale').selectOption('xavier');
    await expect(verdict).toHaveAttribute('data-health', 'spread');
    await page.getByTestId('init-activation').selectOption('relu');
    await page.getByTestId('init-scale').selectOption('std-0.01');
    await expect(verdict).toHaveAttribute('data-health', 'collapsed');
    await expect(page.getByTestId('histograms').locator('svg')).toHaveCount(5);
  });

  test('gradient check: backprop agrees, and a simulated bug is caught in b1 only', async ({ page }) => {
    await openPage(page, 'gradient-check');
    await expect(page.getByTestId('check-status')).toHaveAttribute('data-failed', '0');
    await page.getByTestId('check-bug').check();
    await page.getByTestId('check-run').click();
    await expect(page.getByTestId('check-status')).toHaveAttribute('data-failed', '1');
    await expect(page.locator('tr[data-param="b1"] td').last()).toHaveText('FAIL');
    await expect(page.locator('tr[data-param="W1"] td').last()).toHaveText('pass');
    // MultiLayerNetExtend with BatchNorm: the bias before each BatchNorm has a zero gradient.
    await page.getByTestId('check-bug').uncheck();
    await page.getByTestId('check-network').selectOption('multi-layer-net-extend');
    await page.getByTestId('check-bn').check();
    await page.getByTestId('check-run').click();
    await expect(page.getByTestId('check-status')).toHaveAttribute('data-failed', '0');
    await expect(page.locator('tr[data-param="b1"] td').last()).toHaveText('pass (zero gradient)');
  });

  test('optimizers: hyper-parameters redraw the path and bad ones are named', async ({ page }) => {
    await openPage(page, 'optimizers');
    const result = page.getByTestId('sgd-result');
    const before = await result.textContent();
    await page.getByTestId('sgd-lr').fill('0.5');
    await expect(result).not.toHaveText(before!);
    await page.getByTestId('momentum-momentum').fill('1');
    await expect(page.getByRole('alert').filter({ hasText: 'momentum' })).toContainText('momentum must be');
  });

  test('softmax: probabilities sum to 1 and do not change when 1000 is added to every logit', async ({
    page,
  }) => {
    await openPage(page, 'activations');
    const sum = page.getByTestId('softmax-sum');
    await expect(sum).toHaveText('Σ y = 1.000000; largest: y2 = 0.7366');
    await page.getByTestId('shift-1000').check();
    await expect(sum).toHaveText('Σ y = 1.000000; largest: y2 = 0.7366');
    await page.getByTestId('logit-0').fill('10');
    await expect(sum).toContainText('largest: y0');
  });
});
