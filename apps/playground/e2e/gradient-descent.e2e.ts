import { expect, openPage, test } from './fixtures.js';

test.describe('gradient descent page', () => {
  test('converges at lr 0.1, diverges when the slider goes past 1, stalls when tiny', async ({ page }) => {
    await openPage(page, 'gradient-descent');
    const status = page.getByTestId('descent-status');
    const slider = page.getByTestId('lr-slider');
    await expect(page.getByTestId('lr-value')).toHaveText('lr = 0.1');
    await expect(status).toHaveAttribute('data-outcome', 'converges');

    await slider.fill('120');
    await expect(page.getByTestId('lr-value')).toHaveText('lr = 10');
    await expect(status).toHaveAttribute('data-outcome', 'diverges');

    // Back to convergence with the keyboard: each arrow press is one notch (10^(1/24)).
    await slider.focus();
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('lr-value')).toHaveText('lr = 0.56');
    await expect(status).toHaveAttribute('data-outcome', 'converges');

    await page.keyboard.press('Home');
    await expect(page.getByTestId('lr-value')).toHaveText('lr = 0.0001');
    await expect(status).toHaveAttribute('data-outcome', 'stalls');
  });

  test('clicking the plane moves the start point', async ({ page }) => {
    await openPage(page, 'gradient-descent');
    const plane = page.getByTestId('descent-plane');
    const box = (await plane.boundingBox())!;
    await plane.click({ position: { x: box.width * 0.75, y: box.height * 0.3 } });
    const x0 = Number(await page.getByTestId('start-x0').inputValue());
    const x1 = Number(await page.getByTestId('start-x1').inputValue());
    expect(x0).toBeGreaterThan(0);
    expect(x1).toBeGreaterThan(0);
    await expect(page.getByTestId('descent-status')).toHaveAttribute('data-outcome', 'converges');
  });
});
